/**
 * Time from the start of a run to its first HTTP request, read from Node's `http.client.request.start` diagnostics
 * channel. For the handler this is the CPU work done before anything goes on the wire (checking and planning the
 * batch, building the first request); the ideal plan only builds requests. It shows where the handler's time beyond
 * the ideal plan goes.
 */
import { subscribe } from 'node:diagnostics_channel';

let startedAt: number | undefined;
let first: number | undefined;

subscribe('http.client.request.start', () => {
  if (startedAt !== undefined && first === undefined) first = performance.now() - startedAt;
});

/** Starts watching for the first request of a run. */
export function watchFirstRequest(): void {
  startedAt = performance.now();
  first = undefined;
}

/** Milliseconds from `watchFirstRequest()` to the first request that followed (NaN if none); stops watching. */
export function firstRequestMs(): number {
  const value = first ?? Number.NaN;
  startedAt = undefined;
  return value;
}
