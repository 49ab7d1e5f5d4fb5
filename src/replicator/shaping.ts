/**
 * Partial replicas in the replication core: what the user's hooks and the excluded attributes make of each item's
 * final write in a batch, so the zip, the library and the tests all shape the slave the same way.
 *
 * Hooks see only puts, after the planner has coalesced an item's records to one write and after the master read of
 * KEYS_ONLY/OLD_IMAGE streams: they judge the item's final state, as a replica must (an item leaving the filter is
 * deleted on the slave). Deletes are never hooked: an item gone from the master is gone from every replica.
 */
import { applyHooks, excludedKeyAttributes, type ReplicaHooks, replicaHooks } from '../shared/hooks';
import { ReplicatorError } from './errors';
import type { StreamRecord, WriteChange } from './types';

/** How the slave's items are shaped: given by the user (the library's options, EXCLUDE_ATTRIBUTES for the zip). */
export interface ShapingOptions {
  /** The user's filter and transform, called with the stream record the item's final write comes from. */
  readonly hooks?: ReplicaHooks<StreamRecord>;
  /** Top-level attributes dropped from every item, after the user's transform. */
  readonly excludeAttributes?: readonly string[];
  /** The setting `excludeAttributes` came from (EXCLUDE_ATTRIBUTES, excludeAttributes), as error messages name it. */
  readonly excludeSetting: string;
}

/** Shapes one item's final write; made once per replicator, reused by every batch. */
export interface Shaping {
  /** The write the slave must receive instead of `change`; throws (a HookError or an ExcludedKeyAttributeError) when it cannot. */
  shape(change: WriteChange, record: StreamRecord | undefined): WriteChange;
}

/** A record's Keys name an excluded attribute: the item's key cannot be dropped, so the record fails. */
export class ExcludedKeyAttributeError extends ReplicatorError {
  public constructor(setting: string, names: readonly string[]) {
    super(
      `${setting} names the key attribute(s) ${names.join(', ')} of the master table: an item cannot be written without its key; remove ${names.join(', ')} from ${setting}`,
    );
    this.name = 'ExcludedKeyAttributeError';
  }
}

/**
 * The shaping the options ask for, or `undefined` when they ask for none: the replicator then skips shaping
 * entirely, so replication without hooks costs nothing extra.
 *
 * Excluded attributes are checked against each record's `Keys` at run time, because only the records tell the
 * master's key schema: a write whose key names an excluded attribute fails (deletes too — the configuration is
 * wrong, and the message says which setting to correct) rather than writing items without their key.
 */
export function createShaping(options: ShapingOptions): Shaping | undefined {
  const excluded = options.excludeAttributes ?? [];
  const hooks = replicaHooks(options.hooks, excluded);
  if (!hooks) return undefined;
  return {
    shape(change, record) {
      const keyNames = Object.keys(change.key);
      if (excluded.length > 0) {
        const named = excludedKeyAttributes(excluded, keyNames);
        if (named.length > 0) throw new ExcludedKeyAttributeError(options.excludeSetting, named);
      }
      if (change.kind === 'delete') return change;
      const shaped = applyHooks(change.item, keyNames, hooks, record);
      return shaped.kind === 'put'
        ? { ...change, item: shaped.item }
        : { kind: 'delete', itemKey: change.itemKey, key: change.key };
    },
  };
}
