/**
 * Time budget of one invocation: when to stop sending and retrying, so the handler returns its per-record report
 * before Lambda's timeout (a timed-out invocation reports nothing, and the whole batch is retried), and so that no
 * write of this invocation leaves after its cutoff. The second matters on Lambda Managed Instances, where a timed-out
 * invocation is not stopped: its code runs on, and a write it sent late could land after the retry's writes and a
 * later batch's, leaving an older image on the slave. A timer alone cannot promise that (a starved CPU fires it
 * late, after the code it should stop has run), so every attempt is checked against the monotonic clock right before
 * it is handed to the HTTP client ({@link guardCommand}), and the timer aborts what is still in flight.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { sleep } from './sleep';

/** A cutoff and the signal that aborts in-flight requests when it passes. */
export interface Budget {
  /** Milliseconds left before the cutoff, by the monotonic clock: 0 or less once it has passed. */
  remainingMs(): number;
  /** Aborted at the cutoff by a timer; passed to every SDK call. */
  readonly signal: AbortSignal;
}

/** Thrown instead of sending an attempt after the cutoff. */
export class TimeBudgetSpentError extends Error {
  public override readonly name = 'TimeBudgetSpentError';

  public constructor() {
    super("time budget of the invocation exhausted: no request is sent after the invocation's cutoff");
  }
}

/**
 * Time kept back from the invocation's remaining time for logging and returning the report: a tenth of it, at
 * least 300 ms and at most 3 s. It is also the margin by which the last write leaves before Lambda's deadline.
 */
export function reserveFor(remainingMs: number): number {
  return Math.min(3000, Math.max(300, Math.floor(remainingMs / 10)));
}

/**
 * A budget ending `remainingMs - reserve` from now by `clock` (milliseconds, monotonic: `performance.now`), with a
 * timer that aborts in-flight calls at its end; call `dispose` after use.
 */
export function startBudget(
  remainingMs: number,
  clock: () => number = () => performance.now(),
): Budget & { dispose(): void } {
  const usable = Math.max(0, remainingMs - reserveFor(remainingMs));
  const cutoff = clock() + usable;
  const controller = new AbortController();
  // Every request of the batch listens on this one signal: more than Node's default of 10 is expected, not a leak.
  setMaxListeners(0, controller.signal);
  const timer = setTimeout(() => controller.abort(new TimeBudgetSpentError()), usable);
  timer.unref?.();
  return { remainingMs: () => cutoff - clock(), signal: controller.signal, dispose: () => clearTimeout(timer) };
}

/** Whether the budget has ended: its cutoff passed by the clock, or its signal aborted. */
export function isSpent(budget: Budget): boolean {
  return budget.signal.aborted || budget.remainingMs() <= 0;
}

/** Resolves after `ms` (capped at the budget's end), or at once when the budget is aborted. */
export function sleepWithin(ms: number, budget: Budget): Promise<void> {
  return sleep(Math.min(ms, budget.remainingMs()), budget.signal);
}

/** The part of an SDK command {@link guardCommand} needs: its own middleware stack. */
interface CommandWithStack {
  readonly middlewareStack: {
    add(
      middleware: (next: (args: never) => Promise<unknown>) => (args: never) => Promise<unknown>,
      options: { step: 'deserialize'; priority: 'low'; name: string },
    ): void;
  };
}

/**
 * Adds to `command` a check run before each of its attempts, the SDK's own retries included, as the last step before
 * the HTTP client: once the budget is spent the attempt is not sent and the call fails with
 * {@link TimeBudgetSpentError}. The check and the hand-over to the socket happen in one turn of the event loop, so a
 * process that was stopped or starved past its cutoff sends nothing when it resumes.
 */
export function guardCommand<C extends CommandWithStack>(command: C, budget: Budget | undefined): C {
  if (budget === undefined) return command;
  command.middlewareStack.add(
    (next) => (args) => {
      if (isSpent(budget)) return Promise.reject(new TimeBudgetSpentError());
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'replicatorTimeBudget' },
  );
  return command;
}
