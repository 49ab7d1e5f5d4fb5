/**
 * The JavaScript transport's poster thread (harness/ricTransport/rapidClient): the native client's `done` and
 * `error` block their thread until curl's POST is answered, so the thread that calls them hands the post here and
 * waits on `Atomics.wait` while this one sends it over node:http. The headers are the ones aws-lambda-cpp sends:
 * `content-type: application/json`, the exact `content-length` (no chunked encoding, no `Expect`), and the X-Ray
 * error cause when not empty. The outcome is not reported back (the native client ignores it too), only logged as
 * aws-lambda-cpp logs a refused post.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { type CppFlavour, logRuntimeError, type PostRequest } from './wire';

const { address, flavour } = workerData as { address: { host: string; port: number }; flavour: CppFlavour };
const agent = new Agent({ keepAlive: true });

parentPort?.on('message', ({ path, body, xrayCause, state }: PostRequest) => {
  const finish = () => {
    if (Atomics.load(state, 0) === 1) return;
    Atomics.store(state, 0, 1);
    Atomics.notify(state, 0);
  };
  const payload = Buffer.from(body, 'utf8');
  const headers: Record<string, string | number> = {
    'content-type': 'application/json',
    'content-length': payload.length,
    'user-agent': flavour.userAgent,
  };
  if (xrayCause.trim() !== '') headers['lambda-runtime-function-xray-error-cause'] = xrayCause;
  const sent = request({ ...address, path, method: 'POST', headers, agent }, (response) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        // aws-lambda-cpp's line for any refused post, errors included.
        const body = flavour.refusedPostBody ? ` ${Buffer.concat(chunks).toString('utf8')}` : '';
        logRuntimeError(`Failed to post handler success response. Http response code: ${status}.${body}`);
      }
      finish();
    });
    response.on('close', finish).on('error', finish);
  });
  sent.on('error', finish);
  sent.end(payload);
});
