/**
 * The same calls made through the runtime clients' native `rapid-client.node` and through the local Lambda's
 * JavaScript transport (harness/ricTransport), with what each returned and what reached the Runtime API recorded,
 * so that the two can be held to one expectation (test/harness/ricTransport.test.ts; under LAMBDA_RIC_NATIVE=1 it
 * runs against the built native client too). A child process runs the calls on a Lambda Node against a recording
 * server here: the native client reads `AWS_LAMBDA_RUNTIME_API` once, as it loads.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { readBody } from './runtimeApi';
import { pipeLines } from './sandbox';

/** One request as the Runtime API received it. */
export interface ProbedRequest {
  readonly method: string;
  readonly path: string;
  /** The headers that carry meaning (content type and length, chunking, X-Ray cause, user agent), or `undefined`. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** What the probe saw: each call's result as the child printed it, and the requests in arrival order. */
export interface ProbeResult {
  readonly calls: Record<string, unknown>;
  /** The client's own lines on stdout, their epoch milliseconds replaced by `<ms>`. */
  readonly logs: readonly string[];
  readonly requests: readonly ProbedRequest[];
}

/** The answers the recording server gives to `next`, in order (each call of the probe takes one). */
const NEXT_ANSWERS: ReadonlyArray<{ status: number; headers: Record<string, string>; body: string }> = [
  {
    status: 200,
    headers: {
      'Lambda-Runtime-Aws-Request-Id': 'full',
      'Lambda-Runtime-Deadline-Ms': '1767225600000',
      'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:000000000000:function:f',
      'Lambda-Runtime-Trace-Id': 'Root=1-00000000-000000000000000000000000;Sampled=0',
      'Lambda-Runtime-Client-Context': '{"custom":{"k":"v"}}',
      'Lambda-Runtime-Cognito-Identity': '{"cognitoIdentityId":"id"}',
      'Lambda-Runtime-Aws-Tenant-Id': 'tenant-1',
    },
    body: '{"Records":[{"text":"é ✓"}]}',
  },
  { status: 200, headers: { 'Lambda-Runtime-Aws-Request-Id': 'bare' }, body: '{}' },
  { status: 500, headers: {}, body: '{"errorType":"ServiceException"}' },
  { status: 200, headers: {}, body: '{}' },
];

/** The probe's steps, run by the child with `client` bound to the module under test. */
const STEPS = `
const calls = {};
const record = (name, value) => { calls[name] = value; };
const failure = (error) => ({ name: error.constructor.name, message: error.message });
(async () => {
  for (const name of ['full', 'bare', 'status500', 'noRequestId']) {
    try {
      const { bodyJson, headers } = await client.next();
      record('next ' + name, { bodyJson, headers, types: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v])) });
    } catch (error) {
      record('next ' + name, failure(error));
    }
  }
  record('done', client.done('full', '{"answer":"é ✓"}'));
  record('error', client.error('bare', '{"errorType":"Error","errorMessage":"boom","trace":[]}', '{"working_directory":"/var/task"}'));
  record('error without X-Ray cause', client.error('bare', '{"errorType":"Error"}', ''));
  for (const [name, call] of [
    ['done with one argument', () => client.done('x')],
    ['done with a number', () => client.done(1, 'x')],
    ['error with two arguments', () => client.error('x', 'y')],
    ['error with a number', () => client.error('x', 'y', 3)],
  ]) {
    try { record(name, call()); } catch (error) { record(name, failure(error)); }
  }
  record('done refused by the Runtime API', client.done('refused', '"late"'));
  process.stdout.write(JSON.stringify(calls) + '\\n');
  // As 3.x does after posting an uncaught exception: exit at once. Only a post that is complete when the call
  // returns reaches the Runtime API.
  client.error('exiting', '{"errorType":"Error","errorMessage":"last"}', '');
  process.exit(129);
})();
`;

/**
 * Runs the probe with `node` (a Lambda Node) against `client` (the path of `rapid-client.node` or of the transport's
 * `rapidClient.cjs`): resolves once the child exited.
 */
export async function probeTransport(node: string, client: string): Promise<ProbeResult> {
  const requests: ProbedRequest[] = [];
  let nextCalls = 0;
  const server = createServer((request, response) => {
    readBody(request).then((body) => {
      const path = request.url ?? '';
      requests.push({ method: request.method ?? '', path, headers: meaningfulHeaders(request), body });
      if (path.endsWith('/invocation/next')) return answerNext(response, NEXT_ANSWERS[nextCalls++]);
      const status = path.includes('/refused/') ? 400 : 202;
      response.writeHead(status, { 'Content-Type': 'application/json' }).end('{"status":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const api = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    const lines: string[] = [];
    const child = spawn(node, ['-e', `const client = require(${JSON.stringify(client)});${STEPS}`], {
      env: { AWS_LAMBDA_RUNTIME_API: api, PATH: process.env.PATH },
      cwd: join(client, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    pipeLines(child.stdout, (line) => lines.push(line));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const results = lines.filter((line) => line.startsWith('{'));
    if (code !== 129 || results.length !== 1) throw new Error(`the probe ended with ${code}: ${lines.join('\n')}`);
    const logs = lines
      .filter((line) => !line.startsWith('{'))
      .map((line) => line.replace(/^(\[\w+\]) \[\d+\]/, '$1 [<ms>]'));
    return { calls: JSON.parse(results[0] ?? '{}') as Record<string, unknown>, logs, requests };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/**
 * Sends a `next` answer with a content type, as the Runtime API always does (aws-lambda-cpp reads it into a
 * std::string, and crashes the process on an answer without one).
 */
function answerNext(response: ServerResponse, answer: (typeof NEXT_ANSWERS)[number] | undefined): void {
  if (answer === undefined) return void response.writeHead(410).end();
  response.writeHead(answer.status, {
    'Content-Type': 'application/json',
    ...answer.headers,
    'Content-Length': Buffer.byteLength(answer.body),
  });
  response.end(answer.body);
}

function meaningfulHeaders(request: IncomingMessage): Record<string, string | undefined> {
  const pick = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(',') : value;
  };
  return {
    'content-type': pick('content-type'),
    'content-length': pick('content-length'),
    'transfer-encoding': pick('transfer-encoding'),
    'lambda-runtime-function-xray-error-cause': pick('lambda-runtime-function-xray-error-cause'),
    'user-agent': pick('user-agent'),
  };
}
