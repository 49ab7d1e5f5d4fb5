/**
 * Retrying DynamoDB calls inside an invocation's time budget: which errors are worth another try, and how long to
 * wait before it (capped exponential backoff with full jitter, so throttled callers spread out instead of
 * retrying in step).
 */
import { type Budget, sleepWithin } from './budget';

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

/**
 * Error names that say "try again later": throttling and DynamoDB's transient server errors. Shared with the
 * operator CLI (src/cli), whose conditional writes can also meet a transaction in progress on the item.
 */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);

/** Network error codes worth another try (EAI_AGAIN: a DNS lookup that failed for now). */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN']);

/** The fields of an SDK (or network) error that say what happened. */
export interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Reads an unknown thrown value as an error with optional SDK fields. */
export function asAwsError(error: unknown): AwsLikeError {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError) : { message: String(error) };
}

/** Whether another attempt may succeed: throttling, 5xx answers, dropped or refused connections, timeouts. */
export function isTransient(error: unknown): boolean {
  const { name = '', code = '', $metadata } = asAwsError(error);
  const status = $metadata?.httpStatusCode ?? 0;
  return TRANSIENT.has(name) || status >= 500 || TRANSIENT_CODES.has(code);
}

/** `Name: message` of an error (just `Name` when it has no message), for failure reasons. */
export function describe(error: unknown): string {
  const { name = 'Error', message = '' } = asAwsError(error);
  return message ? `${name}: ${message}` : name;
}

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
