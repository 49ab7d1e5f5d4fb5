/**
 * Pacing for `--max-items-per-second`, `--max-wcu` and `--max-rcu`: a token bucket shared by every worker of a run.
 *
 * The bucket refills at `ratePerSecond` and holds at most one second's worth, so a paused run does not burst past
 * the cap when it resumes. Waiters are served in order. A request larger than the bucket (one 40 KB item under a
 * 10 WCU cap) is let through once the bucket is full and drives it negative, so the average still holds.
 */
import { sleep } from '../../shared/sleep';

/** Something that paces work in units (items, capacity units). */
export interface Pacer {
  /** Waits until `units` may be spent, then spends them. */
  take(units: number, signal?: AbortSignal): Promise<void>;
  /** Spends `units` already consumed without waiting (capacity DynamoDB reported after the fact). */
  charge(units: number): void;
}

/** A pacer that never waits: no cap was given. */
export const UNLIMITED: Pacer = {
  take: () => Promise.resolve(),
  charge: () => undefined,
};

/** A token bucket of `ratePerSecond` units per second. */
export class TokenBucket implements Pacer {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  public constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('rate must be positive');
    this.tokens = ratePerSecond;
    this.updatedAt = now();
  }

  public take(units: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() => this.wait(units, signal));
    this.queue = turn;
    return turn;
  }

  public charge(units: number): void {
    this.refill();
    this.tokens -= units;
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.ratePerSecond, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
  }

  private async wait(units: number, signal?: AbortSignal): Promise<void> {
    const needed = Math.min(units, this.ratePerSecond);
    for (;;) {
      this.refill();
      if (this.tokens >= needed || signal?.aborted) break;
      await sleep(((needed - this.tokens) / this.ratePerSecond) * 1000, signal);
    }
    this.tokens -= units;
  }
}
