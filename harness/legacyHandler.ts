/**
 * Runs a handler module the way a Lambda container of the nodejs22.x runtime does: in a Node process of its own,
 * with only the environment the function is configured with, the module loaded once at init, then `handler(event,
 * context)` called with a context that still has the legacy `context.succeed(result)` and `context.fail(error)`.
 *
 * The outcome is what the handler reported through the context (or returned, or threw, for a modern handler), sent
 * back over an IPC channel, so whatever the module logs to stdout cannot be mistaken for it. Node 22 (the runtime's
 * version) is used when CI has unpacked it in `.cache/node22`, else the Node running the caller.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';

/** What the invocation ended with. */
export type LegacyOutcome =
  | { readonly kind: 'succeed'; readonly result: unknown }
  | { readonly kind: 'fail'; readonly error: ReportedError }
  /** The handler's promise resolved (a modern handler) without calling the context. */
  | { readonly kind: 'returned'; readonly result: unknown }
  /** The handler threw, or its promise rejected. */
  | { readonly kind: 'threw'; readonly error: ReportedError };

/** An error as the runtime reports it (`errorType`, `errorMessage`), and whether it was an `Error` at all. */
export interface ReportedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly isError: boolean;
}

/** One invocation in a child process. */
export interface LegacyInvocation {
  /** The handler module (e.g. a task folder's `index.js`). */
  readonly modulePath: string;
  /** Its exported function's name (default `handler`, as in `index.handler`). */
  readonly exportName?: string;
  readonly event: unknown;
  /** The function's environment; PATH, HOME and TZ are added as the runtime has them. */
  readonly env: Readonly<Record<string, string>>;
  /** Function timeout for `getRemainingTimeInMillis()` (default 60 000); the child is killed 10 s after it. */
  readonly timeoutMs?: number;
}

/** The invocation's outcome and the child's output. */
export interface LegacyRun {
  readonly outcome: LegacyOutcome;
  readonly stdout: string;
  readonly stderr: string;
  /** The Node binary that ran it. */
  readonly node: string;
}

/** Node 22 unpacked by CI (`.cache/node22/package/bin/node`) when present, else the current Node. */
export function lambdaNode(): string {
  const node22 = join(projectRoot(), '.cache', 'node22', 'package', 'bin', 'node');
  return existsSync(node22) ? node22 : process.execPath;
}

/**
 * The child's program: loads the module, makes the context, invokes, sends the first outcome and exits (Lambda
 * freezes the container after the first one; later calls are ignored as they are there).
 */
const CHILD = `
'use strict';
const [modulePath, exportName, timeoutMs] = process.argv.slice(1);
const deadline = Date.now() + Number(timeoutMs);
const reported = (error) => ({
  errorType: error instanceof Error ? error.name : typeof error,
  errorMessage: error instanceof Error ? error.message : String(error),
  isError: error instanceof Error,
});
let done = false;
const finish = (outcome) => {
  if (done) return;
  done = true;
  process.send(outcome, () => process.exit(0));
};
process.once('message', (event) => {
  let handler;
  try {
    handler = require(modulePath)[exportName];
  } catch (error) {
    finish({ kind: 'threw', error: reported(error) });
    return;
  }
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'dynamo-replicator',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:' + (process.env.AWS_REGION || 'us-east-1') + ':000000000000:function:dynamo-replicator',
    memoryLimitInMB: '256',
    awsRequestId: require('node:crypto').randomUUID(),
    logGroupName: '/aws/lambda/dynamo-replicator',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    succeed: (result) => finish({ kind: 'succeed', result }),
    fail: (error) => finish({ kind: 'fail', error: reported(error) }),
    done: (error, result) =>
      error ? finish({ kind: 'fail', error: reported(error) }) : finish({ kind: 'succeed', result }),
  };
  try {
    Promise.resolve(handler(event, context)).then(
      (result) => {
        // A legacy handler returns undefined and calls the context later; only a settled value counts.
        if (result !== undefined) finish({ kind: 'returned', result });
      },
      (error) => finish({ kind: 'threw', error: reported(error) }),
    );
  } catch (error) {
    finish({ kind: 'threw', error: reported(error) });
  }
});
`;

/** Invokes the module's handler once in a child process and returns how the invocation ended. */
export function runLegacyHandler(invocation: LegacyInvocation): Promise<LegacyRun> {
  const node = lambdaNode();
  const timeoutMs = invocation.timeoutMs ?? 60_000;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    TZ: ':UTC',
    ...invocation.env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(
      node,
      ['-e', CHILD, invocation.modulePath, invocation.exportName ?? 'handler', String(timeoutMs)],
      { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
    );
    let stdout = '';
    let stderr = '';
    let outcome: LegacyOutcome | undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('message', (message) => {
      outcome ??= message as LegacyOutcome;
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    child.on('error', (error) => {
      clearTimeout(killer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      if (outcome) resolve({ outcome, stdout, stderr, node });
      else reject(new Error(`the handler's process ended (${signal ?? code}) with no outcome:\n${stderr}${stdout}`));
    });
    child.send(invocation.event as object);
  });
}
