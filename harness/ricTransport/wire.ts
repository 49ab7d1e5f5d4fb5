/**
 * What the JavaScript transport's two threads share (harness/ricTransport/rapidClient and poster): the Runtime API's
 * address and path, and the message that asks the poster thread for a post.
 */

/** The Runtime API's version prefix, as aws-lambda-cpp builds its endpoints. */
export const RUNTIME_API_PATH = '/2018-06-01/runtime';

/** `AWS_LAMBDA_RUNTIME_API` (`host:port`) as node:http options. */
export function runtimeApiAddress(hostPort: string | undefined): { host: string; port: number } {
  const value = hostPort ?? '';
  const colon = value.lastIndexOf(':');
  return colon === -1
    ? { host: value, port: 80 }
    : { host: value.slice(0, colon), port: Number(value.slice(colon + 1)) };
}

/** One post for the poster thread; it sets `state[0]` to 1 and notifies once the Runtime API answered or failed. */
export interface PostRequest {
  readonly path: string;
  readonly body: string;
  /** `Lambda-Runtime-Function-XRay-Error-Cause`; curl leaves an empty header out. */
  readonly xrayCause: string;
  readonly state: Int32Array;
}
