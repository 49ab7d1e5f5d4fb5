/**
 * The local Lambda's JavaScript stand-in for `rapid-client.node`, the native part of Lambda's runtime interface
 * clients (aws-lambda-ric 3.3.0 and 4.0.2 ship the same `src/rapid-client.cc`). That addon is only the Runtime API
 * transport, built on aws-lambda-cpp and curl, and compiling it needs a C toolchain (autotools too for 3.x) that a
 * new machine or a Mac lacks. The clients' JavaScript (handler loading, context, callbacks, error formatting,
 * Managed Instances' worker threads) is what loads and calls the handler; it only calls this module's three
 * functions, which this file gives the native signatures, return shapes and timing:
 *
 * - `next()`: a promise of `{ bodyJson, headers }` (the addon's AsyncWorker): headers under lower-case names, the
 *   deadline as a number, trace id and function ARN always present (empty when absent), client context, Cognito
 *   identity and tenant id only when not empty; a non-2xx answer or a missing request id rejects with
 *   `Failed to get next invocation, error <code>` (-1: no answer) after aws-lambda-cpp's `[ERROR]` line on stdout.
 * - `done(id, body)` and `error(id, body, xrayCause)`: synchronous (the addon posts with curl on the calling thread,
 *   so nothing else runs before the Runtime API has the answer: 3.x calls `process.exit(129)` right after posting an
 *   uncaught exception), `null`, never throwing on an HTTP failure (the addon ignores the outcome), a `TypeError` on
 *   wrong arguments. Node has no synchronous HTTP, so a worker thread posts while this thread waits on
 *   `Atomics.wait` (harness/ricTransport/poster).
 *
 * The two clients' addons differ in their aws-lambda-cpp (0.2.8 patched for 3.3.0, the 0.2.6-labelled fork for
 * 4.0.2); what test/harness/ricTransport.test sees of it: the `User-Agent`, and whether a refused post's log line
 * ends with the answer's body ({@link CPP_FLAVOURS}).
 * rapidClient3 and rapidClient4 are the modules for each; harness/ricTransport/preload makes the client's
 * `require('./rapid-client.node')` load the one of its line.
 */
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type CppFlavour, logRuntimeError, type PostRequest, RUNTIME_API_PATH, runtimeApiAddress } from './wire';

/** What `next()` resolves with, as the addon builds it. */
export interface NextInvocation {
  readonly bodyJson: string;
  readonly headers: Record<string, string | number>;
}

/** The addon's exports. */
export interface RapidClient {
  next(): Promise<NextInvocation>;
  done(...args: unknown[]): null;
  error(...args: unknown[]): null;
}

/** The aws-lambda-cpp each client line's addon is built on. */
export const CPP_FLAVOURS: Readonly<Record<3 | 4, CppFlavour>> = {
  3: { userAgent: 'AWS_Lambda_Cpp/0.2.8', refusedPostBody: false },
  4: { userAgent: 'AWS_Lambda_Cpp/0.2.6', refusedPostBody: true },
};

/**
 * The addon's three functions for the client line `line`, talking to `AWS_LAMBDA_RUNTIME_API` (read once, as the
 * addon reads it when it loads).
 */
export function nativeShaped(line: 3 | 4): RapidClient {
  const flavour = CPP_FLAVOURS[line];
  const address = runtimeApiAddress(process.env.AWS_LAMBDA_RUNTIME_API);
  // The long polls' connections (several at once with Managed Instances; kept alive as curl keeps its handle's).
  const agent = new Agent({ keepAlive: true });
  // The thread that posts answers, started as the client loads this module (before the handler), so its start-up
  // overlaps init; unreferenced, so it never keeps the process alive (3.x's callback handlers wait for an empty
  // event loop); no `--require` of its own (`execArgv: []`): it loads no client.
  const poster = new Worker(join(__dirname, 'poster.cjs'), {
    workerData: { address, flavour },
    execArgv: [],
    stdout: true,
  });
  poster.unref();

  /** Hands a post to the poster thread and blocks this thread until it is answered (or failed). */
  const post = (message: Omit<PostRequest, 'state'>): void => {
    const state = new Int32Array(new SharedArrayBuffer(4));
    poster.postMessage({ ...message, state } satisfies PostRequest);
    Atomics.wait(state, 0, 0);
  };

  return {
    /** `GET /runtime/invocation/next`: the next event, as the addon's promise resolves it. */
    next: () =>
      new Promise((resolve, reject) => {
        const failed = (code: number, logged: string) => {
          logRuntimeError(logged);
          reject(new Error(`Failed to get next invocation, error ${code}`));
        };
        const noAnswer = () => failed(-1, 'Failed to get next invocation. No Response from endpoint');
        const headers = { 'User-Agent': flavour.userAgent };
        const poll = request(
          { ...address, path: `${RUNTIME_API_PATH}/invocation/next`, method: 'GET', headers, agent },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('error', noAnswer);
            response.on('end', () => {
              const status = response.statusCode ?? -1;
              if (status < 200 || status > 299) {
                return failed(status, `Failed to get next invocation. Http Response code: ${status}`);
              }
              if (typeof response.headers['lambda-runtime-aws-request-id'] !== 'string') {
                return failed(-1, 'Failed to find header lambda-runtime-aws-request-id in response');
              }
              const body = Buffer.concat(chunks).toString('utf8');
              // The addon hands the payload over as a C string: it ends at the first NUL byte.
              const nul = body.indexOf('\0');
              resolve({ bodyJson: nul === -1 ? body : body.slice(0, nul), headers: nativeHeaders(response.headers) });
            });
          },
        );
        poll.on('error', noAnswer);
        poll.end();
      }),

    /** `POST /runtime/invocation/{id}/response` with the serialised result, before returning. */
    done: (...args) => {
      if (args.length < 2) throw new TypeError('Wrong number of arguments, expected 2');
      const [id, body] = args;
      if (typeof id !== 'string' || typeof body !== 'string') throw new TypeError('Wrong arguments');
      post({ path: `${RUNTIME_API_PATH}/invocation/${id}/response`, body, xrayCause: '' });
      return null;
    },

    /** `POST /runtime/invocation/{id}/error` with the formatted error and its X-Ray cause, before returning. */
    error: (...args) => {
      if (args.length < 3) throw new TypeError('Wrong number of arguments, expected 3');
      const [id, body, xrayCause] = args;
      if (typeof id !== 'string' || typeof body !== 'string' || typeof xrayCause !== 'string') {
        throw new TypeError('Wrong arguments');
      }
      post({ path: `${RUNTIME_API_PATH}/invocation/${id}/error`, body, xrayCause });
      return null;
    },
  };
}

/** The invocation headers as the addon returns them (aws-lambda-cpp's `invocation_request`). */
function nativeHeaders(headers: IncomingHttpHeaders): Record<string, string | number> {
  const text = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  };
  // strtoul: the leading digits, 0 without any; no header leaves the deadline at the epoch.
  const deadline = /^\s*(\d+)/.exec(text('lambda-runtime-deadline-ms'));
  const result: Record<string, string | number> = {
    'lambda-runtime-deadline-ms': deadline ? Number(deadline[1]) : 0,
    'lambda-runtime-aws-request-id': text('lambda-runtime-aws-request-id'),
    'lambda-runtime-trace-id': text('lambda-runtime-trace-id'),
    'lambda-runtime-invoked-function-arn': text('lambda-runtime-invoked-function-arn'),
  };
  for (const optional of [
    'lambda-runtime-client-context',
    'lambda-runtime-cognito-identity',
    'lambda-runtime-aws-tenant-id',
  ]) {
    if (text(optional) !== '') result[optional] = text(optional);
  }
  return result;
}
