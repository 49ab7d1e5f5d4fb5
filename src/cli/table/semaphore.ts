/**
 * A counting semaphore: bounds the calls in flight across all segments of a run (`--concurrency`), so many segments
 * can share one pool of connections without any one of them starving the others.
 */
export class Semaphore {
  private available: number;
  private readonly waiting: Array<() => void> = [];

  public constructor(permits: number) {
    if (!Number.isInteger(permits) || permits < 1) throw new RangeError('permits must be a positive integer');
    this.available = permits;
  }

  /** Runs `task` once a permit is free; the permit is returned when it settles. */
  public async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.available += 1;
    }
  }
}
