/**
 * The one retry policy of the package: which errors are worth another try (`isTransient`, ./awsErrors), how long to
 * wait before it (capped exponential backoff with full jitter, so throttled callers spread out instead of retrying
 * in step), and the two loops built on them:
 * - `retryWithinBudget`, the Lambda's: retries for as long as the invocation's time budget allows, backing off
 *   50 ms → 2 s (`DEFAULT_RETRY`), since an item not written in time is retried with the whole batch anyway.
 * - `retryPatiently`, the tools': a fixed number of retries backing off 100 ms → 20 s (`PATIENT_RETRY`), since
 *   giving up means a rerun; Ctrl-C (the run's AbortSignal) ends a wait at once.
 *
 * How it composes with the SDK's own retry strategy, and the most requests one logical call can send:
 * - Lambda: the SDK keeps its default strategy inside each attempt of ours (standard mode, 3 attempts with its own
 *   short backoff; `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` change it), and our attempts go on until the budget ends.
 *   So at most 3 × (our attempts that fit in the budget): bounded by the time budget, not by a count. Its
 *   clients are made in src/function/replication.ts.
 * - CLI, DynamoDB (TableAccess): the SDK makes exactly `PATIENT_SDK_ATTEMPTS` = 1 attempt, so ours is the only
 *   loop: SDK maxAttempts 1 × our 1 + 10 retries = at most 11 requests, after at most ~65 s of backoff. Adaptive
 *   mode stays on: even with one attempt the SDK's client-side rate limiter learns
 *   from throttling and slows the client down. With `AWS_MAX_ATTEMPTS`=A set, A × 11.
 * - CLI, DynamoDB Streams (the `watched` backfill's stream reads): no loop of ours, the SDK's 6 attempts.
 * The tools' puts (the one batched write path) use `retryCounted`: errors count towards the 10 retries, answers
 *   with unprocessed items do not, so a throttled table slows the run down rather than failing items.
 * Batch calls that answer with unprocessed items or keys are not errors: the rest is sent again after the same
 * backoff, each resend a logical call of its own with the bound above.
 */
import { describe, isTransient } from './awsErrors';
import { type Budget, isSpent, sleepWithin } from './budget';
import { sleep } from './sleep';

/** Tuning of a backoff; the defaults suit each side, tests shorten them. */
export interface RetryOptions {
  /** First backoff in ms (doubles each attempt). */
  readonly baseDelayMs: number;
  /** Largest backoff in ms. */
  readonly maxDelayMs: number;
  /** Source of jitter in [0, 1); Math.random when not given. */
  readonly random?: () => number;
}

/** A backoff and how many retries it allows: the tools' loop gives up after `retries`. */
export interface PatientRetryOptions extends RetryOptions {
  /** Retries after the first attempt before an error is given up on. */
  readonly retries: number;
}

/** The Lambda's: 50 ms doubling to at most 2 s, since a throttled partition recovers within a second or two. */
export const DEFAULT_RETRY: RetryOptions = { baseDelayMs: 50, maxDelayMs: 2000, random: Math.random };

/**
 * The tools': 100 ms doubling to at most 20 s, 10 retries, so a throttled production table slows a run down for
 * up to about a minute per call instead of failing it.
 */
export const PATIENT_RETRY: PatientRetryOptions = { retries: 10, baseDelayMs: 100, maxDelayMs: 20_000 };

/** Attempts the SDK makes per call of the tools' clients: one, so `retryPatiently` is the only retry loop. */
export const PATIENT_SDK_ATTEMPTS = 1;

/** Delay before retry number `attempt` (1 = first retry): full jitter over a cap doubling from `baseDelayMs`. */
export function backoffDelay(attempt: number, retry: RetryOptions): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor((retry.random ?? Math.random)() * cap);
}

/** Waits the backoff before retry number `attempt`, or less when `signal` aborts (the caller checks which). */
export function backoff(attempt: number, retry: RetryOptions, signal?: AbortSignal): Promise<void> {
  return sleep(backoffDelay(attempt, retry), signal);
}

/** Waits before attempt number `attempt` (1 = first retry); false when the budget leaves no time for it. */
export async function waitBeforeRetry(attempt: number, budget: Budget, retry: RetryOptions): Promise<boolean> {
  const delay = backoffDelay(attempt, retry);
  if (isSpent(budget) || delay >= budget.remainingMs()) return false;
  await sleepWithin(delay, budget);
  return !isSpent(budget);
}

/** How a call retried within a budget ended. */
export type RetryOutcome =
  | { readonly ended: 'done' }
  /** An error retrying cannot fix. */
  | { readonly ended: 'failed'; readonly error: unknown }
  /** The budget ran out; `lastAnswer` says what kept the call retrying until then. */
  | { readonly ended: 'outOfTime'; readonly lastAnswer: string; readonly error: unknown };

/**
 * The loop both retry policies share: calls `attempt` until it answers true; after a transient error, or an answer
 * giving a reason to go again (such as unprocessed items), asks `next` whether and when to try again (it waits the
 * backoff, and answers false to give up). `aborted` says the caller's signal ended the call, which is then not what
 * went wrong.
 */
async function retryLoop(
  attempt: () => Promise<true | string>,
  onRetry: () => void,
  next: (number: number, afterError: boolean) => Promise<boolean>,
  aborted: () => boolean,
): Promise<RetryOutcome> {
  let lastError: unknown;
  let lastAnswer = 'none';
  let afterError = false;
  for (let number = 0; ; number += 1) {
    if (number > 0) {
      if (!(await next(number, afterError))) return { ended: 'outOfTime', lastAnswer, error: lastError };
      onRetry();
    }
    try {
      const answer = await attempt();
      if (answer === true) return { ended: 'done' };
      lastAnswer = answer;
      afterError = false;
    } catch (error) {
      lastError = error;
      if (aborted()) {
        // The abort at the deadline is not what went wrong: keep the answer that made us retry until then.
        return { ended: 'outOfTime', lastAnswer: lastAnswer === 'none' ? describe(error) : lastAnswer, error };
      }
      lastAnswer = describe(error);
      if (!isTransient(error)) return { ended: 'failed', error };
      afterError = true;
    }
  }
}

/**
 * Calls `attempt` until it is done, within `budget`: again after a transient error, and again when it answers with
 * a reason to (such as unprocessed items), with backoff before each retry. `attempt` resolves `true` when nothing is
 * left to do. `onRetry` is told of each retry, for counting.
 */
export function retryWithinBudget(
  budget: Budget,
  retry: RetryOptions,
  attempt: () => Promise<true | string>,
  onRetry: () => void = () => undefined,
): Promise<RetryOutcome> {
  return retryLoop(
    attempt,
    onRetry,
    (number) => waitBeforeRetry(number, budget, retry),
    () => isSpent(budget),
  );
}

/**
 * The tools' loop for a call that may answer with work left (unprocessed items): `attempt` until it is done, after
 * `wait(n)` before retry n (which may throw to stop, as on Ctrl-C). Transient errors are retried at most `retries`
 * times in all (then it ends `outOfTime`: the retries ran out); answers with work left are sent again however many,
 * so a throttled table slows a run down rather than failing it.
 */
export function retryCounted(
  retries: number,
  wait: (attempt: number) => Promise<void>,
  attempt: () => Promise<true | string>,
  onRetry: () => void = () => undefined,
): Promise<RetryOutcome> {
  let errors = 0;
  const next = async (number: number, afterError: boolean): Promise<boolean> => {
    if (afterError) errors += 1;
    if (errors > retries) return false;
    await wait(number);
    return true;
  };
  return retryLoop(attempt, onRetry, next, () => false);
}

/**
 * Calls `send` until it succeeds, at most `1 + retries` times: again after a transient error, with `wait(n)` before
 * retry number n (the caller's backoff, which may throw to stop, as the tools do on Ctrl-C). `stop` may turn an
 * error into one to throw at once (one no retry can fix, translated for the user); other errors are thrown as they
 * are.
 */
export async function retryPatiently<T>(
  send: () => Promise<T>,
  retries: number,
  wait: (attempt: number) => Promise<void>,
  stop: (error: unknown) => Error | undefined = () => undefined,
): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    if (attempt > 0) await wait(attempt);
    try {
      return await send();
    } catch (error) {
      const fatal = stop(error);
      if (fatal) throw fatal;
      if (!isTransient(error) || attempt >= retries) throw error;
    }
  }
}
