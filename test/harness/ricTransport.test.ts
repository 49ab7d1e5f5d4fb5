/**
 * The local Lambda's JavaScript transport (harness/ricTransport) held to what the runtime clients' native
 * `rapid-client.node` does (its `src/rapid-client.cc`, the same in aws-lambda-ric 3.3.0 and 4.0.2, on aws-lambda-cpp
 * and curl): the shapes `next()` resolves and rejects with, `done`/`error` returning `null`, posting before they
 * return (a process that exits right after still delivered its answer), ignoring a refused post and throwing
 * TypeErrors on wrong arguments, and the requests that reach the Runtime API. With LAMBDA_RIC_NATIVE=1 the same
 * expectations run against both clients' built native addons too, which is how they were checked against it.
 */
import { join } from 'node:path';
import { projectRoot } from '../../harness/bundle';
import {
  ensureLambdaRuntime,
  RIC_RELEASES,
  type RicLine,
  type RicTransport,
  ricTransport,
} from '../../harness/lambdaRuntime';
import { transportClient } from '../../harness/ricTransport/build';
import { type ProbeResult, probeTransport } from '../../harness/ricTransportProbe';

const root = projectRoot();

/** Each transport under test with the client line whose Node and (native) addon it runs on. */
const SUBJECTS: ReadonlyArray<readonly [RicTransport, RicLine]> = [
  ['javascript', 3],
  ['javascript', 4],
  ...(ricTransport() === 'native'
    ? ([
        ['native', 3],
        ['native', 4],
      ] as const)
    : []),
];

/** The aws-lambda-cpp each client's addon is built on, as its `User-Agent` names it. */
const USER_AGENTS: Readonly<Record<RicLine, string>> = { 3: 'AWS_Lambda_Cpp/0.2.8', 4: 'AWS_Lambda_Cpp/0.2.6' };

/** The headers the first `next` answer carries, as the addon resolves them. */
const FULL_HEADERS = {
  'lambda-runtime-deadline-ms': 1767225600000,
  'lambda-runtime-aws-request-id': 'full',
  'lambda-runtime-trace-id': 'Root=1-00000000-000000000000000000000000;Sampled=0',
  'lambda-runtime-invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:f',
  'lambda-runtime-client-context': '{"custom":{"k":"v"}}',
  'lambda-runtime-cognito-identity': '{"cognitoIdentityId":"id"}',
  'lambda-runtime-aws-tenant-id': 'tenant-1',
};

/** The JavaScript type of each header value (the probe reports them: `toEqual` alone would not tell 0 from '0'). */
function typesOf(headers: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value]));
}

describe.each(SUBJECTS)('the %s transport (aws-lambda-ric %i.x)', (transport, line) => {
  let probe: ProbeResult;
  beforeAll(async () => {
    // Node 22 on-demand runs the 3.x client, Node 22 with Managed Instances the 4.x one.
    const runtime = ensureLambdaRuntime(22, line === 4, root, transport);
    const client =
      transport === 'native' ? join(runtime.runtimeDir, RIC_RELEASES[line].nativeClient) : transportClient(root, line);
    probe = await probeTransport(runtime.node, client);
  });

  test('next() resolves the body and the invocation headers: lower-case names, the deadline a number', () => {
    expect(probe.calls['next full']).toEqual({
      types: typesOf(FULL_HEADERS),
      bodyJson: '{"Records":[{"text":"é ✓"}]}',
      headers: FULL_HEADERS,
    });
  });

  test('next() with only a request id: deadline 0, trace id and ARN empty, the optional headers left out', () => {
    const headers = {
      'lambda-runtime-deadline-ms': 0,
      'lambda-runtime-aws-request-id': 'bare',
      'lambda-runtime-trace-id': '',
      'lambda-runtime-invoked-function-arn': '',
    };
    expect(probe.calls['next bare']).toEqual({ bodyJson: '{}', headers, types: typesOf(headers) });
  });

  test('next() rejects with the status of a non-2xx answer, and with -1 when the request id is missing', () => {
    expect(probe.calls['next status500']).toEqual({
      name: 'Error',
      message: 'Failed to get next invocation, error 500',
    });
    expect(probe.calls['next noRequestId']).toEqual({
      name: 'Error',
      message: 'Failed to get next invocation, error -1',
    });
  });

  test('failures are logged on stdout as aws-lambda-cpp logs them (4.x adds the refused post’s answer)', () => {
    expect(probe.logs).toEqual([
      '[ERROR] [<ms>] LAMBDA_RUNTIME Failed to get next invocation. Http Response code: 500',
      '[ERROR] [<ms>] LAMBDA_RUNTIME Failed to find header lambda-runtime-aws-request-id in response',
      `[ERROR] [<ms>] LAMBDA_RUNTIME Failed to post handler success response. Http response code: 400.${
        line === 4 ? ' {"status":"OK"}' : ''
      }`,
    ]);
  });

  test('done and error return null, also when the Runtime API refuses the post', () => {
    expect(probe.calls.done).toBeNull();
    expect(probe.calls.error).toBeNull();
    expect(probe.calls['error without X-Ray cause']).toBeNull();
    expect(probe.calls['done refused by the Runtime API']).toBeNull();
  });

  test('wrong arguments throw the addon’s TypeErrors', () => {
    expect(probe.calls['done with one argument']).toEqual({
      name: 'TypeError',
      message: 'Wrong number of arguments, expected 2',
    });
    expect(probe.calls['done with a number']).toEqual({ name: 'TypeError', message: 'Wrong arguments' });
    expect(probe.calls['error with two arguments']).toEqual({
      name: 'TypeError',
      message: 'Wrong number of arguments, expected 3',
    });
    expect(probe.calls['error with a number']).toEqual({ name: 'TypeError', message: 'Wrong arguments' });
  });

  test('the Runtime API receives the polls and posts in call order, the last one although the process exited at once', () => {
    const json = (body: string, xrayCause?: string) => ({
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'transfer-encoding': undefined,
      'lambda-runtime-function-xray-error-cause': xrayCause,
      'user-agent': USER_AGENTS[line],
    });
    const answer = '{"answer":"é ✓"}';
    const error = '{"errorType":"Error","errorMessage":"boom","trace":[]}';
    const last = '{"errorType":"Error","errorMessage":"last"}';
    const prefix = '/2018-06-01/runtime/invocation';
    expect(probe.requests.map(({ method, path }) => `${method} ${path}`)).toEqual([
      ...Array.from({ length: 4 }, () => `GET ${prefix}/next`),
      `POST ${prefix}/full/response`,
      `POST ${prefix}/bare/error`,
      `POST ${prefix}/bare/error`,
      `POST ${prefix}/refused/response`,
      `POST ${prefix}/exiting/error`,
    ]);
    expect(probe.requests.slice(0, 4).map(({ headers }) => headers['user-agent'])).toEqual(
      Array.from({ length: 4 }, () => USER_AGENTS[line]),
    );
    expect(probe.requests.slice(4).map(({ headers, body }) => ({ headers, body }))).toEqual([
      { headers: json(answer), body: answer },
      { headers: json(error, '{"working_directory":"/var/task"}'), body: error },
      { headers: json('{"errorType":"Error"}'), body: '{"errorType":"Error"}' },
      { headers: json('"late"'), body: '"late"' },
      { headers: json(last), body: last },
    ]);
  });
});
