/**
 * What the event source mapping invokes: a Lambda function as the Lambda service sees it, an event in and either a
 * payload or a function error out. Two implementations meet here: the handler called in-process (unit-speed, used
 * by the fast tests and the benchmark) and the local Lambda (the unchanged zip under the official runtime client,
 * harness/localLambda), so the event source mapping and the tests need not know which one runs.
 */
import { fakeContext, type LambdaContext } from './context';
import type { LambdaStreamEvent } from './lambdaEvent';

/** A Lambda handler for DynamoDB stream events (what `dist/index.js` exports, or a stub). */
export type StreamHandler = (event: LambdaStreamEvent, context: LambdaContext) => Promise<unknown> | unknown;

/** How one invocation is to be run. */
export interface InvokeOptions {
  /**
   * Kill the container this many milliseconds into the invocation, as a crash or an out-of-memory kill would
   * (the invocation ends as a function error and the next one starts a new container). Only a function that runs in
   * a process of its own can honour it; the in-process function ignores it.
   */
  readonly killAfterMs?: number;
  /**
   * Kill the container when this signal aborts (whichever comes first with {@link killAfterMs}): lets a caller kill
   * at a moment it observes, e.g. once the invocation's first write has landed. Ignored in-process, as killAfterMs.
   */
  readonly killSignal?: AbortSignal;
  /**
   * Stop the container's process (SIGSTOP) `afterMs` into the invocation and let it go on (SIGCONT) `forMs` later, as
   * a starved CPU or a long pause would. With Managed Instances the timeout fails the invocation meanwhile and its
   * code runs on once the process resumes. Ignored in-process, as killAfterMs.
   */
  readonly stall?: { readonly afterMs: number; readonly forMs: number };
}

/** The end of one invocation as the Lambda service records it. */
export type Invocation =
  | { readonly status: 'ok'; readonly payload: unknown }
  | {
      readonly status: 'error';
      /** Lambda's `errorType`: the thrown error's name, or e.g. `Sandbox.Timedout`, `Runtime.ExitError`. */
      readonly errorType: string;
      readonly errorMessage: string;
      /** The function ran out of time and its container was killed. */
      readonly timedOut?: boolean;
      /** The container was killed mid-invocation ({@link InvokeOptions.killAfterMs}). */
      readonly killed?: boolean;
    };

/** A function the event source mapping can invoke. */
export interface LambdaFunction {
  invoke(event: LambdaStreamEvent, options?: InvokeOptions): Promise<Invocation>;
}

/** Options for {@link inProcessFunction}. */
export interface InProcessOptions {
  /** Region in the context's function ARN. */
  readonly region?: string;
  /** Function timeout given to the context (default 60 000). */
  readonly timeoutMs?: number;
}

/** A handler called in this process with a fresh fake context per invocation; a thrown error is a function error. */
export function inProcessFunction(handler: StreamHandler, options: InProcessOptions = {}): LambdaFunction {
  return {
    async invoke(event) {
      try {
        const context = fakeContext({ region: options.region, timeoutMs: options.timeoutMs });
        return { status: 'ok', payload: await handler(event, context) };
      } catch (error) {
        return {
          status: 'error',
          errorType: error instanceof Error ? error.name : typeof error,
          errorMessage: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}
