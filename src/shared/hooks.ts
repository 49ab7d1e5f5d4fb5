/**
 * Partial replicas: the hooks that decide what the slave holds of an item, applied the same way by the replicator
 * (to each item's final state in a batch) and by the operator tools (to each item `backfill` copies and `verify`
 * expects), so a filtered or projected slave is filled, kept and proven by one definition.
 *
 * The semantics are a replica's, not a stream filter's: `filter` returning false means the slave must not hold the
 * item, so its key is deleted there — an item that leaves the filter disappears from the slave, one that enters it
 * appears. `transform` returns the item to write; it may drop, add or rename non-key attributes, but the key
 * attributes must stay byte for byte as they were, or the slave would hold the item under another key.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from './item';

/**
 * What a user gives to shape the replica. `record` is the stream record the item comes from in the replicator, and
 * `undefined` in the operator tools (they read the master's table, not its stream).
 */
export interface ReplicaHooks<R = unknown> {
  /** Whether the slave holds this item; false deletes it there. */
  readonly filter?: (item: Item, record: R | undefined) => boolean;
  /** The item to write instead of `item`; its key attributes must be unchanged. */
  readonly transform?: (item: Item, record: R | undefined) => Item;
}

/** What the slave must do with an item after the hooks: hold this item, or not hold the item at all. */
export type HookedItem = { readonly kind: 'put'; readonly item: Item } | { readonly kind: 'delete' };

/** A hook threw, or returned what cannot be written; fails the item's records with a message naming the key. */
export class HookError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HookError';
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, index) => byte === b[index]);
}

/** Whether two key attribute values are equal byte for byte (a number's spelling included). */
function sameKeyValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if (a.S !== undefined || b.S !== undefined) return a.S === b.S;
  if (a.N !== undefined || b.N !== undefined) return a.N === b.N;
  if (a.B !== undefined && b.B !== undefined) return sameBytes(a.B, b.B);
  return false;
}

/** `name = value` of the key attributes, as messages name an item. */
export function describeKey(item: Item, keyNames: readonly string[]): string {
  return keyNames
    .map((name) => {
      const value = item[name];
      const text =
        value?.S !== undefined
          ? JSON.stringify(value.S)
          : value?.N !== undefined
            ? value.N
            : value?.B !== undefined
              ? `0x${Buffer.from(value.B).toString('hex')}`
              : '?';
      return `${name}=${text}`;
    })
    .join(', ');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Applies `hooks` to `item` (a put's item; deletes never reach the hooks): what the slave must hold. Throws a
 * {@link HookError} naming the key when a hook throws, `filter` returns no boolean, or `transform` returns no item
 * or changes a key attribute.
 */
export function applyHooks<R>(item: Item, keyNames: readonly string[], hooks: ReplicaHooks<R>, record?: R): HookedItem {
  const key = describeKey(item, keyNames);
  if (hooks.filter) {
    let keep: unknown;
    try {
      keep = hooks.filter(item, record);
    } catch (error) {
      throw new HookError(`filter threw for the item ${key}: ${messageOf(error)}`, { cause: error });
    }
    if (typeof keep !== 'boolean') {
      throw new HookError(`filter returned ${typeof keep} for the item ${key}: it must return true or false`);
    }
    if (!keep) return { kind: 'delete' };
  }
  if (!hooks.transform) return { kind: 'put', item };
  let result: unknown;
  try {
    result = hooks.transform(item, record);
  } catch (error) {
    throw new HookError(`transform threw for the item ${key}: ${messageOf(error)}`, { cause: error });
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw new HookError(`transform returned no item for the item ${key}: it must return the item to write`);
  }
  const transformed = result as Item;
  const changed = keyNames.filter((name) => !sameKeyValue(item[name], transformed[name]));
  if (changed.length > 0) {
    throw new HookError(
      `transform changed the key attribute(s) ${changed.join(', ')} of the item ${key}: key attributes must stay as they are`,
    );
  }
  return { kind: 'put', item: transformed };
}

/** Hooks that drop these top-level attributes from every item (`EXCLUDE_ATTRIBUTES`, `--exclude-attributes`). */
export function excludingAttributes<R>(names: readonly string[]): ReplicaHooks<R> {
  const excluded = new Set(names);
  return {
    transform: (item) => Object.fromEntries(Object.entries(item).filter(([name]) => !excluded.has(name))) as Item,
  };
}

/** Names among `excluded` that are key attributes: excluding them would lose the item's key, so it is refused. */
export function excludedKeyAttributes(excluded: readonly string[], keyNames: readonly string[]): string[] {
  return excluded.filter((name) => keyNames.includes(name));
}

/** One set of hooks doing `first`, then `second` (a user's hooks, then the excluded attributes dropped). */
export function chainHooks<R>(first: ReplicaHooks<R>, second: ReplicaHooks<R>): ReplicaHooks<R> {
  const filters = [first.filter, second.filter].filter((hook) => hook !== undefined);
  const transforms = [first.transform, second.transform].filter((hook) => hook !== undefined);
  return {
    ...(filters.length > 0 ? { filter: (item, record) => filters.every((filter) => filter(item, record)) } : {}),
    ...(transforms.length > 0
      ? { transform: (item, record) => transforms.reduce((current, transform) => transform(current, record), item) }
      : {}),
  };
}

/**
 * The hooks a replica is shaped by: the user's `hooks`, then the `excluded` attributes dropped; `undefined` when
 * neither asks for anything, so callers skip shaping entirely (replication without hooks costs nothing extra).
 */
export function replicaHooks<R>(
  hooks: ReplicaHooks<R> | undefined,
  excluded: readonly string[],
): ReplicaHooks<R> | undefined {
  const shaped = excluded.length > 0 ? chainHooks(hooks ?? {}, excludingAttributes<R>(excluded)) : hooks;
  return shaped?.filter !== undefined || shaped?.transform !== undefined ? shaped : undefined;
}
