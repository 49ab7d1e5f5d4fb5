/**
 * Bounded concurrency without a dependency, for both sides: the replicator bounds the writes and reads of a batch
 * (`WRITE_CONCURRENCY`), the tools bound the calls in flight across all segments of a run (`--concurrency`), so
 * many segments share one pool of connections without any one of them starving the others.
 */

/**
 * At most `limit` tasks running at once; the others wait their turn, first come first served. Tasks can be added
 * while earlier ones run (the replicator sends a batch's first writes while it is still planning the rest), either
 * awaited one by one (`run`) or fire-and-forget with a single wait for all of them (`push`, then `drained`).
 */
export class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private idle: (() => void)[] = [];

  public constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
  }

  /**
   * Runs `task` once fewer than `limit` are running (at once when a place is free); resolves as it does. With
   * `ahead`, it takes the next free place before every task already waiting: for a short call that many others wait
   * on (a read that decides how a page of writes goes out), which should not queue behind those writes.
   */
  public async run<T>(task: () => Promise<T>, ahead = false): Promise<T> {
    if (this.running < this.limit) this.running += 1;
    // A finishing task hands its place straight to the first waiter, so `running` stays counted for it.
    else
      await new Promise<void>((resolve) => {
        if (ahead) this.waiting.unshift(resolve);
        else this.waiting.push(resolve);
      });
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** Runs `task` like `run`, without waiting for it; `drained` tells when all are done. A task must not reject. */
  public push(task: () => Promise<void>): void {
    void this.run(task);
  }

  /** Resolves once no task is running or waiting. */
  public async drained(): Promise<void> {
    if (this.running === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.running -= 1;
    if (this.running === 0) {
      const idle = this.idle;
      this.idle = [];
      for (const resolve of idle) resolve();
    }
  }
}

/** Runs `task` on each item with at most `limit` running at once; resolves when all have settled. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const limiter = new Limiter(limit);
  for (const item of items) limiter.push(() => task(item));
  await limiter.drained();
}
