/**
 * What the slave should hold of the master's items, for the tools: the replica hooks (`--hooks`, and
 * `--exclude-attributes` after them) applied with src/shared/hooks.ts, the very definition the replicator uses, so a
 * partial replica is filled by `backfill` and proven by `verify` exactly as the replicator keeps it. Every place a
 * tool reads a master item to copy or to compare goes through one {@link ReplicaShape}.
 */
import { applyHooks, excludedKeyAttributes, type ReplicaHooks, replicaHooks } from '../../shared/hooks';
import type { Item } from '../../shared/item';
import { ToolError } from '../errors';
import type { RunConfig } from '../runConfig';
import { formatKeySchema, keyNames, type TableInfo } from './tableInfo';

/** A page of master items after the hooks: the items to copy, those filtered out, those a hook failed on. */
export interface ShapedPage {
  readonly put: Item[];
  readonly skipped: number;
  readonly failed: Array<{ readonly item: Item; readonly error: unknown }>;
}

/** The replica's hooks bound to the master's key attributes (no hooks: the slave holds the master's items as they are). */
export class ReplicaShape {
  private readonly keyNames: string[];

  public constructor(
    private readonly hooks: ReplicaHooks | undefined,
    keySchemaNames: readonly string[],
  ) {
    this.keyNames = [...keySchemaNames];
  }

  /** Whether the hooks can filter items out: then presence on the master alone says nothing about the slave. */
  public get filters(): boolean {
    return this.hooks?.filter !== undefined;
  }

  /**
   * The item the slave should hold for the master's `item` (undefined where the master lacks it or the filter keeps
   * it out). Throws a HookError naming the key when a hook fails on it.
   */
  public expected(item: Item | undefined): Item | undefined {
    if (item === undefined || this.hooks === undefined) return item;
    const hooked = applyHooks(item, this.keyNames, this.hooks);
    return hooked.kind === 'put' ? hooked.item : undefined;
  }

  /** A scanned page after the hooks, item by item: a failing hook fails only its item. */
  public shapePage(items: readonly Item[]): ShapedPage {
    if (this.hooks === undefined) return { put: [...items], skipped: 0, failed: [] };
    const put: Item[] = [];
    const failed: ShapedPage['failed'] = [];
    for (const item of items) {
      try {
        const expected = this.expected(item);
        if (expected !== undefined) put.push(expected);
      } catch (error) {
        failed.push({ item, error });
      }
    }
    return { put, skipped: items.length - put.length - failed.length, failed };
  }
}

/**
 * The shape of `config`'s replica over a master described by `masterInfo`: its hooks, then its excluded attributes
 * dropped. Throws a ToolError when an excluded attribute is a key attribute (the copy would lose its key).
 */
export function replicaShape(
  config: Pick<RunConfig, 'hooks' | 'excludeAttributes'>,
  masterInfo: TableInfo,
): ReplicaShape {
  const names = keyNames(masterInfo.keySchema);
  const excluded = config.excludeAttributes ?? [];
  const keys = excludedKeyAttributes(excluded, names);
  if (keys.length > 0) {
    throw new ToolError(
      `--exclude-attributes names the key attribute(s) ${keys.join(', ')} of the master ${masterInfo.ref.region}/${masterInfo.ref.table} ` +
        `(key: ${formatKeySchema(masterInfo.keySchema)}); a copy without its key cannot be written: remove ${keys.join(', ')} from --exclude-attributes`,
    );
  }
  return new ReplicaShape(replicaHooks(config.hooks, excluded), names);
}
