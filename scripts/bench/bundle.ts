/**
 * Loading and invoking the built handler (`dist/index.js`) the way Lambda does: the module is required once per
 * container with its environment set, then invoked with the event and a Lambda context.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fakeContext } from '../../harness/context';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import type { SlaveTable } from './tables';
import type { BatchResponse, BenchStreamEvent, Handler, LambdaContextLike } from './types';

/** Path of the built handler. */
export const BUNDLE_PATH = resolve('dist/index.js');
/** Path of the deployable zip. */
export const ZIP_PATH = resolve('dist/dynamo-replicator.zip');

/** Lambda timeout the benchmark's context pretends to have (5 minutes). */
const TIMEOUT_MS = 300_000;

const localRequire = createRequire(__filename);

/** Environment of a handler container writing to `slaves` through `endpoint` (the latency proxy). */
export function handlerEnv(endpoint: string, slaves: readonly SlaveTable[]): Record<string, string | undefined> {
  const [first] = slaves;
  if (!first) throw new Error('at least one slave is needed');
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: undefined,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'dynamo-replicator-bench',
    // Keep the handler's per-batch log line and EMF metrics lines (one per slave per batch, a few microseconds of
    // work) off the benchmark's output unless the caller asked for them.
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    SLAVE_REGION: slaves.length === 1 ? first.region : undefined,
    SLAVE_TABLE: slaves.length === 1 ? first.table : undefined,
    SLAVES: slaves.length > 1 ? slaves.map((slave) => `${slave.region}/${slave.table}`).join(',') : undefined,
  };
}

/** Sets (or, for `undefined`, removes) variables in `process.env`. */
export function applyEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** A handler module loaded in this process, with the environment it was loaded with. */
export interface LoadedHandler {
  readonly handler: Handler;
  readonly env: Record<string, string | undefined>;
  /** Time the `require` took, in ms. */
  readonly requireMs: number;
}

/**
 * Requires a fresh copy of the bundle (`path`, the built one by default) with `env` set: a new "container" with its
 * own clients and connections.
 */
export function loadHandler(env: Record<string, string | undefined>, path = BUNDLE_PATH): LoadedHandler {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run npm run build`);
  applyEnv(env);
  delete localRequire.cache[localRequire.resolve(path)];
  const start = performance.now();
  const loaded = localRequire(path) as { handler?: unknown };
  const requireMs = performance.now() - start;
  if (typeof loaded.handler !== 'function') throw new Error(`${path} does not export a handler function`);
  return { handler: loaded.handler as Handler, env, requireMs };
}

/** A Lambda context whose deadline is `TIMEOUT_MS` from now. */
export function lambdaContext(): LambdaContextLike {
  return fakeContext({ functionName: 'dynamo-replicator-bench', memoryLimitInMB: 1024, timeoutMs: TIMEOUT_MS });
}

/** Result of one invocation. */
export interface Invocation {
  readonly ms: number;
  readonly response: BatchResponse | undefined;
  /** The error the handler threw (a full-batch failure), if any. */
  readonly error: Error | undefined;
}

/** Invokes `loaded` with `event` (its environment applied first) and times it. */
export async function invoke(loaded: LoadedHandler, event: BenchStreamEvent): Promise<Invocation> {
  applyEnv(loaded.env);
  const context = lambdaContext();
  const start = performance.now();
  try {
    const response = await loaded.handler(event, context);
    return { ms: performance.now() - start, response, error: undefined };
  } catch (error) {
    return {
      ms: performance.now() - start,
      response: undefined,
      error: error instanceof Error ? error : new Error(String(error)),
    };
  }
}

/** Number of records the invocation reported failed (all of them when it threw). */
export function failedRecords(invocation: Invocation, total: number): number {
  return invocation.error ? total : (invocation.response?.batchItemFailures.length ?? 0);
}
