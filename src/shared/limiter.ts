/** Bounded concurrency without a dependency. */

/**
 * Runs pushed tasks with at most `limit` running at once, starting each as soon as a place is free. Unlike a
 * loop over a finished list, tasks can be pushed while earlier ones run: the replicator sends a batch's first
 * writes while it is still planning the rest.
 */
export class TaskQueue {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private idle: (() => void)[] = [];

  public constructor(private readonly limit: number) {}

  /** Queues `task`; it starts at once when fewer than `limit` are running. A task must not reject. */
  public push(task: () => Promise<void>): void {
    this.waiting.push(task);
    this.startWaiting();
  }

  /** Resolves once every pushed task has finished. */
  public async drained(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private startWaiting(): void {
    while (this.running < this.limit && this.waiting.length > 0) {
      const task = this.waiting.shift() as () => Promise<void>;
      this.running += 1;
      void task().finally(() => {
        this.running -= 1;
        this.startWaiting();
        if (this.running === 0 && this.waiting.length === 0) {
          const idle = this.idle;
          this.idle = [];
          for (const resolve of idle) resolve();
        }
      });
    }
  }
}

/** Runs `task` on each item with at most `limit` running at once; resolves when all have settled. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queue = new TaskQueue(limit);
  for (const item of items) queue.push(() => task(item));
  await queue.drained();
}
