/**
 * Retrying DynamoDB calls inside an invocation's time budget: how long to wait before another try of an error
 * worth one (`isTransient`, ./awsErrors): capped exponential backoff with full jitter, so throttled callers spread
 * out instead of retrying in step. */
import { describe, isTransient } from './awsErrors';
import { type Budget, sleepWithin } from './budget';

/** Kept importable from here for src/cli/backfill/backfill.ts until its split lands; import from ./awsErrors. */
export { isTransient };

/** Tuning of a retry loop; the defaults suit Lambda, tests shorten them. */
export interface RetryOptions {
  /** First backoff in ms (doubles each attempt). */
  readonly baseDelayMs: number;
  /** Largest backoff in ms. */
  readonly maxDelayMs: number;
  /** Source of jitter in [0, 1). */
  readonly random: () => number;
}

/** 50 ms doubling to at most 2 s: a throttled partition recovers within a second or two. */
export const DEFAULT_RETRY: RetryOptions = { baseDelayMs: 50, maxDelayMs: 2000, random: Math.random };

/** Waits before attempt number `attempt` (1 = first retry); false when the budget leaves no time for it. */
export async function waitBeforeRetry(attempt: number, budget: Budget, retry: RetryOptions): Promise<boolean> {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  const delay = Math.floor(retry.random() * cap);
  if (budget.signal.aborted || Date.now() + delay >= budget.deadline) return false;
  await sleepWithin(delay, budget);
  return !budget.signal.aborted;
}

/** How a call retried within a budget ended. */
export type RetryOutcome =
  | { readonly ended: 'done' }
  /** An error retrying cannot fix. */
  | { readonly ended: 'failed'; readonly error: unknown }
  /** The budget ran out; `lastAnswer` says what kept the call retrying until then. */
  | { readonly ended: 'outOfTime'; readonly lastAnswer: string; readonly error: unknown };

/**
 * Calls `attempt` until it is done, within `budget`: again after a transient error, and again when it answers with
 * a reason to (such as unprocessed items), with backoff before each retry. `attempt` resolves `true` when nothing is
 * left to do. `onRetry` is told of each retry, for counting.
 */
export async function retryWithinBudget(
  budget: Budget,
  retry: RetryOptions,
  attempt: () => Promise<true | string>,
  onRetry: () => void = () => undefined,
): Promise<RetryOutcome> {
  let lastError: unknown;
  let lastAnswer = 'none';
  for (let number = 0; ; number += 1) {
    if (number > 0) {
      if (!(await waitBeforeRetry(number, budget, retry))) return { ended: 'outOfTime', lastAnswer, error: lastError };
      onRetry();
    }
    try {
      const answer = await attempt();
      if (answer === true) return { ended: 'done' };
      lastAnswer = answer;
    } catch (error) {
      lastError = error;
      if (budget.signal.aborted) {
        // The abort at the deadline is not what went wrong: keep the answer that made us retry until then.
        return { ended: 'outOfTime', lastAnswer: lastAnswer === 'none' ? describe(error) : lastAnswer, error };
      }
      lastAnswer = describe(error);
      if (!isTransient(error)) return { ended: 'failed', error };
    }
  }
}
