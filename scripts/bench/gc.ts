/**
 * Full garbage collection before each timed run, so one run does not pay for the garbage of the previous one
 * (parsed events, SDK buffers). Node exposes `gc()` only with `--expose-gc`; `scripts/run.mjs` starts Node without
 * flags, so the flag is set at run time and the function taken from a fresh V8 context, where it then exists.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as unknown;

/** Runs a full garbage collection (no-op if the runtime refuses). */
export function collectGarbage(): void {
  if (typeof gc === 'function') (gc as () => void)();
}
