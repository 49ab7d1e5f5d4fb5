/**
 * The original package's API keeps the original package's contract: `require('dynamo-replicator')({ region, table })`
 * makes a replicator whose `process()` is for handlers that answer with `context.succeed`/`context.fail`, as its
 * README's `index.js` does. On a runtime that gives handlers no such context, that `process()` refuses every batch
 * before writing anything.
 *
 * Why: nodejs24.x and Lambda Managed Instances run runtime client 4.x, whose context has no `succeed`, `fail` or
 * `done`. The README's `index.js` still passes init (two parameters), so the runtime calls it and takes its
 * `undefined` return as the answer at once: Lambda counts the batch as done before its writes land, then the
 * missing `context.fail` crashes the process — the batch is lost. Throwing synchronously from `process()` instead
 * propagates out of the user's handler, the runtime reports a function error, and the event source mapping retries
 * the batch: nothing written, nothing lost, and the error names the fix (`createReplicator`, which never refuses).
 *
 * The decision rests on what the code was given, not on reading the user's source: which API made the replicator,
 * and which runtime this is (`AWS_EXECUTION_ENV`, `AWS_LAMBDA_MAX_CONCURRENCY`), so it holds for CommonJS, compiled
 * TypeScript, bundles and ES modules alike.
 */
import { ReplicatorError } from '../replicator/errors';

/** The original factory's `process()` on a runtime without the legacy context; nothing was written. */
export class LegacyHandlerError extends ReplicatorError {
  public constructor(runtime: string) {
    super(
      'dynamo-replicator refused this batch before writing anything (Lambda retries it): ' +
        "require('dynamo-replicator')({ region, table }).process() is the original package's API, for handlers that " +
        `answer with context.succeed and context.fail, but ${runtime} gives handlers no context.succeed, ` +
        "context.fail or context.done and takes a handler's return value as its answer at once, before the batch's " +
        "writes would land. Fix: `const replicator = require('dynamo-replicator').createReplicator({ region, table })` " +
        'and `exports.handler = async (event) => replicator.process(event)`, as docs/library.md shows; or run ' +
        'nodejs22.x on-demand.',
    );
    this.name = 'LegacyHandlerError';
  }
}

/** What the check reads of the environment (process.env). */
export type RuntimeEnv = Readonly<Record<string, string | undefined>>;

const EXECUTION_ENV = /^AWS_Lambda_nodejs(\d+)\.x$/;
/** The first Node runtime whose context has no succeed/fail/done (and which refuses callback handlers). */
const FIRST_WITHOUT_LEGACY_CONTEXT = 24;

/**
 * The runtime, when it gives handlers no legacy context (runtime client 4.x): nodejs24.x or later, or Lambda Managed
 * Instances (`AWS_LAMBDA_MAX_CONCURRENCY` set, which the 4.x client itself tests by presence). `undefined` elsewhere,
 * outside Lambda included.
 */
export function runtimeWithoutLegacyContext(env: RuntimeEnv): string | undefined {
  if (env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined) return 'Lambda Managed Instances';
  const major = EXECUTION_ENV.exec(env.AWS_EXECUTION_ENV ?? '')?.[1];
  return major !== undefined && Number(major) >= FIRST_WITHOUT_LEGACY_CONTEXT ? `nodejs${major}.x` : undefined;
}

/**
 * Throws a {@link LegacyHandlerError} when this runtime has no legacy context: the original factory's `process()`
 * calls it first. Synchronous on purpose: it leaves the user's non-async handler before any write starts.
 */
export function refuseWithoutLegacyContext(env: RuntimeEnv): void {
  const runtime = runtimeWithoutLegacyContext(env);
  if (runtime) throw new LegacyHandlerError(runtime);
}
