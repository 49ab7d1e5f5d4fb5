/**
 * Measurements that need a fresh Node process: cold init (time to require the bundle, measured inside the child with
 * `process.hrtime` around the `require`) and peak RSS of one big invocation (`process.resourceUsage().maxRSS`).
 * The children run plain JavaScript given with `node -e`, so nothing but Node and the measured module is loaded.
 */
import { spawn } from 'node:child_process';
import { onCleanup } from '../../harness/cleanup';
import { killChild } from './killChild';

/** Runs `code` in a fresh `node` with `env` and `args`; resolves with its stdout parsed as JSON. */
export async function runNodeChild<T>(
  code: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = 120_000,
): Promise<T> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete childEnv[name];
    else childEnv[name] = value;
  }
  const child = spawn(process.execPath, ['-e', code, '--', ...args], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const unregister = onCleanup(() => killChild(child));
  const timer = setTimeout(() => void killChild(child), timeoutMs);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => child.once('close', (status) => resolve(status)));
  clearTimeout(timer);
  unregister();
  // The handler may log to stdout; the measurement is the last line.
  const last = stdout.trim().split('\n').pop() ?? '';
  if (exitCode !== 0) throw new Error(`measurement child exited with ${exitCode}: ${stderr || stdout}`);
  return JSON.parse(last) as T;
}

/** Child code: times `require(argv[1])` with hrtime; prints `{"ms": …}`. */
export const REQUIRE_TIMER = `
const target = process.argv[1];
const start = process.hrtime.bigint();
require(target);
const ms = Number(process.hrtime.bigint() - start) / 1e6;
process.stdout.write('\\n' + JSON.stringify({ ms }) + '\\n');
`;

/**
 * Child code: requires the bundle (argv[1]), reads the event file (argv[2]), invokes the handler once with a Lambda
 * context and prints maxRSS (kB) after require, after parsing the event and at the end, the invocation time and the
 * number of failed records.
 */
export const PEAK_RSS_RUNNER = `
const { readFileSync } = require('node:fs');
const [bundle, eventFile] = process.argv.slice(1);
const { handler } = require(bundle);
const afterRequireKb = process.resourceUsage().maxRSS;
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const afterEventKb = process.resourceUsage().maxRSS;
const deadline = Date.now() + 300000;
const context = {
  callbackWaitsForEmptyEventLoop: true, functionName: 'dynamo-replicator-bench', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:dynamo-replicator-bench', memoryLimitInMB: '1024',
  awsRequestId: 'bench-peak-rss', logGroupName: '/aws/lambda/dynamo-replicator-bench', logStreamName: 'bench',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), done() {}, fail() {}, succeed() {},
};
const start = process.hrtime.bigint();
Promise.resolve(handler(event, context)).then(
  (response) => ({ failed: response.batchItemFailures.length, error: null }),
  (error) => ({ failed: event.Records.length, error: String(error && error.message || error) }),
).then((outcome) => {
  const invokeMs = Number(process.hrtime.bigint() - start) / 1e6;
  const peakKb = process.resourceUsage().maxRSS;
  process.stdout.write('\\n' + JSON.stringify({ afterRequireKb, afterEventKb, peakKb, invokeMs, ...outcome }) + '\\n');
  process.exit(0);
});
`;
