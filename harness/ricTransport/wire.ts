/**
 * What the JavaScript transport's two threads share (harness/ricTransport/rapidClient and poster): the Runtime API's
 * address and path, the message that asks the poster thread for a post, and aws-lambda-cpp's error log line.
 */
import { writeSync } from 'node:fs';

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

/** What sets one client line's aws-lambda-cpp apart on the wire and in its log lines. */
export interface CppFlavour {
  readonly userAgent: string;
  /** Whether its line for a refused post ends with the answer's body (the 4.x client's build) or not (3.x's). */
  readonly refusedPostBody: boolean;
}

/** One post for the poster thread; it sets `state[0]` to 1 and notifies once the Runtime API answered or failed. */
export interface PostRequest {
  readonly path: string;
  readonly body: string;
  /** `Lambda-Runtime-Function-XRay-Error-Cause`; curl leaves an empty header out. */
  readonly xrayCause: string;
  readonly state: Int32Array;
}

/**
 * Writes an error line to stdout as aws-lambda-cpp does (`[ERROR] [<epoch ms>] LAMBDA_RUNTIME <message>`, printf and
 * fflush: synchronously, before the call returns), so that the log stream shows the native client's lines.
 */
export function logRuntimeError(message: string): void {
  writeSync(1, `[ERROR] [${Date.now()}] LAMBDA_RUNTIME ${message}\n`);
}
