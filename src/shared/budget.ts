/**
 * Time budget of one invocation: when to stop retrying, so the handler always returns its per-record report before
 * Lambda's timeout (a timed-out invocation reports nothing, and the whole batch is retried).
 */
import { setMaxListeners } from 'node:events';
import { sleep } from './sleep';

/** A deadline and the signal that aborts in-flight requests when it passes. */
export interface Budget {
  /** Epoch milliseconds after which no new attempt starts. */
  readonly deadline: number;
  /** Aborted at the deadline; passed to every SDK call. */
  readonly signal: AbortSignal;
}

/**
 * Time kept back from the invocation's remaining time for logging and returning the report: a tenth of it, at
 * least 300 ms and at most 3 s.
 */
export function reserveFor(remainingMs: number): number {
  return Math.min(3000, Math.max(300, Math.floor(remainingMs / 10)));
}

/** A budget ending `remainingMs - reserve` from now, with a timer that aborts at its end; call `dispose` after use. */
export function startBudget(remainingMs: number, now: number = Date.now()): Budget & { dispose(): void } {
  const usable = Math.max(0, remainingMs - reserveFor(remainingMs));
  const controller = new AbortController();
  // Every request of the batch listens on this one signal: more than Node's default of 10 is expected, not a leak.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new Error('time budget of the invocation exhausted')), usable);
  timer.unref?.();
  return { deadline: now + usable, signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** Resolves after `ms` (capped at the budget's end), or at once when the budget is aborted. */
export function sleepWithin(ms: number, budget: Budget): Promise<void> {
  return sleep(Math.min(ms, budget.deadline - Date.now()), budget.signal);
}
