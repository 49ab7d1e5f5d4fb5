/**
 * The JavaScript transport's poster thread (harness/ricTransport/rapidClient): the native client's `done` and
 * `error` block their thread until curl's POST is answered, so the thread that calls them hands the post here and
 * waits on `Atomics.wait` while this one sends it over node:http. The headers are the ones aws-lambda-cpp sends:
 * `content-type: application/json`, the exact `content-length` (no chunked encoding, no `Expect`), and the X-Ray
 * error cause when not empty. The outcome is not reported back: the native client ignores it too.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import type { PostRequest } from './wire';

const address = workerData as { host: string; port: number };
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
  };
  if (xrayCause.trim() !== '') headers['lambda-runtime-function-xray-error-cause'] = xrayCause;
  const sent = request({ ...address, path, method: 'POST', headers, agent }, (response) => {
    response.on('end', finish).on('close', finish).on('error', finish).resume();
  });
  sent.on('error', finish);
  sent.end(payload);
});
