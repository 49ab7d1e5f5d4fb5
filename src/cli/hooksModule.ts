/**
 * Loading `--hooks <module>`: the user's JavaScript module that shapes a partial replica (src/shared/hooks.ts), the
 * same module the replicator is given, so the tools copy and compare the replica it keeps. A module that cannot be
 * used is a usage error (exit 2) whose message says what to fix, before any table is read.
 */
import { resolve } from 'node:path';
import type { ReplicaHooks } from '../shared/hooks';
import { UsageError } from './errors';

const SHAPE = 'a CommonJS module exporting filter(item) and/or transform(item) (or an object with them as default)';

/** The hooks the module exports at its top level, or else on `default` (a transpiled ES module). */
function hooksOf(exported: unknown): Record<string, unknown> | undefined {
  if (typeof exported !== 'object' && typeof exported !== 'function') return undefined;
  if (exported === null) return undefined;
  const top = exported as Record<string, unknown>;
  if (top.filter !== undefined || top.transform !== undefined) return top;
  const fallback = top.default;
  if ((typeof fallback === 'object' && fallback !== null) || typeof fallback === 'function') {
    const inner = fallback as Record<string, unknown>;
    if (inner.filter !== undefined || inner.transform !== undefined) return inner;
  }
  return undefined;
}

/**
 * Loads the hooks module at `module` (relative to `cwd`) with `require`. Throws a UsageError when it cannot be
 * loaded, exports neither `filter` nor `transform`, or exports one that is not a function.
 */
export function loadHooksModule(module: string, cwd: string): ReplicaHooks {
  const path = resolve(cwd, module);
  let exported: unknown;
  try {
    exported = require(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new UsageError(`--hooks: cannot load ${path} (${reason}); give the path of ${SHAPE}`);
  }
  const hooks = hooksOf(exported);
  if (!hooks) throw new UsageError(`--hooks: ${path} exports neither filter nor transform; it must be ${SHAPE}`);
  for (const name of ['filter', 'transform'] as const) {
    const hook = hooks[name];
    if (hook !== undefined && typeof hook !== 'function') {
      throw new UsageError(`--hooks: ${path} exports ${name} as a ${typeof hook}; ${name} must be a function`);
    }
  }
  const { filter, transform } = hooks as ReplicaHooks;
  // Bound, so a hook that uses `this` (its module's exports) works as when the module calls it.
  return {
    ...(filter ? { filter: filter.bind(hooks) } : {}),
    ...(transform ? { transform: transform.bind(hooks) } : {}),
  };
}
