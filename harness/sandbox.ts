/**
 * What a local Lambda container is made of besides its processes (harness/localLambda): the task root unpacked from
 * the zip as Lambda unpacks it into /var/task, the runtime process's environment as Lambda sets it (nothing of the
 * caller's), and its output cut into log lines.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import type { LambdaRuntime } from './lambdaRuntime';

/** What the runtime process's environment is made from. */
export interface SandboxSettings {
  readonly runtime: LambdaRuntime;
  /** `host:port` of the container's Runtime API. */
  readonly runtimeApi: string;
  readonly taskRoot: string;
  readonly handler: string;
  readonly functionName: string;
  readonly memoryMb: number;
  readonly region: string;
  /** Sets `AWS_LAMBDA_MAX_CONCURRENCY` (Managed Instances) when given. */
  readonly maxConcurrency?: number;
  /** `AWS_LAMBDA_NODEJS_WORKER_COUNT` with `maxConcurrency` (default 1: every invocation in one thread). */
  readonly workers?: number;
  /** The function's configured variables; `undefined` removes one. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The variables Lambda gives a nodejs runtime process (paths under /var/runtime and /var/task point at the RIC's
 * folder and the task root here), then the function's configuration on top.
 */
export function sandboxEnv(settings: SandboxSettings): Record<string, string> {
  const { node, runtimeDir, nodeMajor } = settings.runtime;
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const env: Record<string, string> = {
    PATH: `${dirname(node)}:/usr/local/bin:/usr/bin/:/bin:/opt/bin`,
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    NODE_PATH: [
      `/opt/nodejs/node${nodeMajor}/node_modules`,
      '/opt/nodejs/node_modules',
      join(runtimeDir, 'node_modules'),
      runtimeDir,
      settings.taskRoot,
    ].join(':'),
    LAMBDA_TASK_ROOT: settings.taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    _HANDLER: settings.handler,
    AWS_LAMBDA_RUNTIME_API: settings.runtimeApi,
    AWS_LAMBDA_FUNCTION_NAME: settings.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${settings.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    AWS_REGION: settings.region,
    AWS_DEFAULT_REGION: settings.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
  if (settings.maxConcurrency !== undefined) {
    env.AWS_LAMBDA_MAX_CONCURRENCY = String(settings.maxConcurrency);
    env.AWS_LAMBDA_NODEJS_WORKER_COUNT = String(settings.workers ?? 1);
  }
  for (const [name, value] of Object.entries(settings.env)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Calls `onLine` with each complete line of `stream`, and the last partial one at its end. */
export function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (text: string) => void): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) onLine(part);
  });
  stream.on('end', () => {
    if (rest !== '') onLine(rest);
  });
}

/** Unpacks a zip into a new temporary folder (the task root); the caller removes it. */
export function unpackZip(zip: string): string {
  const root = mkdtempSync(join(tmpdir(), 'local-lambda-'));
  for (const [name, data] of Object.entries(unzipSync(readFileSync(zip)))) {
    const path = join(root, name);
    if (name.endsWith('/')) mkdirSync(path, { recursive: true });
    else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, data);
    }
  }
  return root;
}

/** The JSON objects among log lines (Powertools' lines, EMF metrics, the runtime's JSON lines), oldest first. */
export function jsonEntries(lines: readonly string[]): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const text of lines) {
    if (!text.startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        entries.push(value as Record<string, unknown>);
    } catch {
      // a line that only looks like JSON
    }
  }
  return entries;
}
