/**
 * A container's process stopped for a while and let go on (SIGSTOP, then SIGCONT): what a starved CPU, a long
 * garbage collection or a noisy neighbour does to a function, made on purpose. Kept apart from harness/localLambda so
 * the timing of a stall (which may outlive the invocation that asked for it) has one home.
 */
import type { ChildProcess } from 'node:child_process';

/** A stall planned for one process. */
export interface Stall {
  /** True from the stop to the resume. */
  readonly stopped: boolean;
  /** True once it resumed, or was cancelled before the stop. */
  readonly over: boolean;
  /** Drops the stop if it has not happened yet (the invocation ended first); a stop that happened still resumes. */
  cancelIfPending(): void;
  /** Resumes at once (the function is closing). */
  release(): void;
}

/** Stops `process` `afterMs` from now and resumes it `forMs` after the stop. */
export function planStall(process: ChildProcess, afterMs: number, forMs: number, onStop: () => void): Stall {
  let stopped = false;
  let over = false;
  let resumeTimer: NodeJS.Timeout | undefined;
  const resume = () => {
    if (resumeTimer !== undefined) clearTimeout(resumeTimer);
    resumeTimer = undefined;
    over = true;
    if (!stopped) return;
    stopped = false;
    if (process.exitCode === null && process.signalCode === null) process.kill('SIGCONT');
  };
  const stopTimer = setTimeout(() => {
    if (process.exitCode !== null || process.signalCode !== null) {
      over = true;
      return;
    }
    stopped = true;
    process.kill('SIGSTOP');
    onStop();
    resumeTimer = setTimeout(resume, forMs);
  }, afterMs);
  return {
    get stopped() {
      return stopped;
    },
    get over() {
      return over;
    },
    cancelIfPending: () => {
      clearTimeout(stopTimer);
      if (!stopped) over = true;
    },
    release: () => {
      clearTimeout(stopTimer);
      resume();
    },
  };
}
