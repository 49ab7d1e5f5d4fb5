/**
 * What harness/localLambda takes and gives: the function's configuration, its log lines, its counters and how an
 * invocation ended. Apart from the containers' mechanics so that file stays about running them.
 */
import type { Invocation } from './lambdaFunction';
import type { LambdaNodeMajor } from './lambdaRuntime';

/** How the local function is configured, as in Lambda's function configuration. */
export interface LocalLambdaOptions {
  /** The function's environment variables (e.g. harness/replicator's `replicatorEnv`); `undefined` values are unset. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A folder to use as the task root instead of the built zip (the harness tests' fixtures). */
  readonly taskRoot?: string;
  /** The zip to unpack as the task root (default `dist/dynamo-replicator.zip`). */
  readonly zip?: string;
  /** `_HANDLER` (default `index.handler`). */
  readonly handler?: string;
  /** The runtime's Node major (default `LAMBDA_NODE_MAJOR`, else 22): nodejs22.x or nodejs24.x. */
  readonly nodeMajor?: LambdaNodeMajor;
  /** Function timeout (default 60 000 ms). */
  readonly timeoutMs?: number;
  readonly memoryMb?: number;
  readonly functionName?: string;
  /** `AWS_LAMBDA_MAX_CONCURRENCY`: invocations one container serves at once (Managed Instances); unset: one. */
  readonly maxConcurrency?: number;
  /** `AWS_LAMBDA_NODEJS_WORKER_COUNT` with {@link maxConcurrency}: the RIC's worker threads (default 1 here). */
  readonly workers?: number;
  /** Every log line, as it is written (the platform's, the runtime's and the function's). */
  readonly onLog?: (line: LogLine) => void;
}

/** One line of a container's log stream. */
export interface LogLine {
  /** The container (1, 2, … in start order). */
  readonly container: number;
  /** `platform`: the lines Lambda itself writes (INIT_START, START, END, REPORT, timeouts); else the process's. */
  readonly source: 'platform' | 'stdout' | 'stderr';
  readonly text: string;
  /** The invocation in flight when the line was written, when there was exactly one. */
  readonly requestId?: string;
}

/** Counters over the function's life. */
export interface LocalLambdaStats {
  invocations: number;
  coldStarts: number;
  initErrors: number;
  timeouts: number;
  containersKilled: number;
  /** Containers stopped for a while ({@link InvokeOptions.stall}). */
  stalls: number;
  /** Answers of timed-out invocations that ran on (Managed Instances), taken and discarded. */
  lateAnswers: number;
}

/** An invocation's end with where it ran. */
export type LocalInvocation = Invocation & {
  readonly requestId: string;
  readonly container: number;
  /** The invocation started its container. */
  readonly coldStart: boolean;
  /** The error's stack lines as the runtime sent them (errors only). */
  readonly trace?: readonly string[];
};

/** A function error as {@link LocalLambda.handler} throws it: Lambda's errorType as `name`, errorMessage as `message`. */
export class FunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly trace: readonly string[] = [],
  ) {
    super(message);
    this.name = errorType;
  }
}
