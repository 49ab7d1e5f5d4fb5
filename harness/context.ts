/**
 * A fake Lambda context with the fields and methods the Node.js runtime provides, for invoking the handler outside
 * Lambda. Each call makes a new `awsRequestId`, as each Lambda invocation has its own.
 */
import { randomUUID } from 'node:crypto';

/** The Node.js Lambda context object (the subset of `aws-lambda`'s `Context` a handler can rely on). */
export interface LambdaContext {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(error?: Error, result?: unknown): void;
  fail(error: Error | string): void;
  succeed(messageOrObject: unknown): void;
}

/** Options for {@link fakeContext}. */
export interface FakeContextOptions {
  functionName?: string;
  region?: string;
  memoryLimitInMB?: number;
  /** Function timeout; `getRemainingTimeInMillis()` counts down from it, starting when the context is made. */
  timeoutMs?: number;
}

/** Makes a Lambda context for one invocation. */
export function fakeContext(options: FakeContextOptions = {}): LambdaContext {
  const functionName = options.functionName ?? 'dynamo-replicator';
  const region = options.region ?? 'us-east-1';
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const unsupported = (name: string) => (): never => {
    throw new Error(`context.${name}() is the legacy callback API; return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 256),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
