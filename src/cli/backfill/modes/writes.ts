/**
 * The writes the backfill's modes are made of: the presence lookup on the slave, conditional puts, batched puts
 * (with a one-by-one fallback), the reconcile step against the master, and the page's accounting. Each mode composes
 * these; keeping them here means two modes that write the same way send the very same requests.
 *
 * Every request goes through the run's one pool of `concurrency` calls. A ToolError or an InterruptedError stops the
 * run; any other error fails only the items of the request it came from.
 */

import { describe } from '../../../shared/awsErrors';
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, chunk as chunked } from '../../../shared/batchLimits';
import type { Item } from '../../../shared/item';
import { itemKeyOf, pickKey } from '../../../shared/key';
import type { Limiter } from '../../../shared/limiter';
import { ToolError } from '../../errors';
import { itemToJson } from '../../table/attributeJson';
import { writeUnits } from '../../table/itemSize';
import type { OpenTables } from '../../table/openTables';
import { UNLIMITED } from '../../table/rateLimiter';
import { InterruptedError, type TableAccess } from '../../table/tableAccess';
import { keyNames } from '../../table/tableInfo';
import { itemsEqual } from '../../verify/valueEquality';
import type { Outcome, Tally } from '../tally';
import { type PageOutcome, PRESENT_SHARE_TO_KEEP_CHECKING, type PresenceCheck } from './pageWriter';

/** What a mode's writes need of the run. */
export interface WriteContext {
  readonly tables: OpenTables;
  /** The run's pool of `concurrency` calls, shared by every segment. */
  readonly limiter: Limiter;
  readonly signal: AbortSignal;
  readonly tally: Tally;
}

/** A page after the presence lookup. */
export interface Lookup {
  /** The items the slave was not found to hold. */
  readonly toWrite: readonly Item[];
  /** Items found present. */
  readonly present: number;
  /** Items looked up. */
  readonly lookedUp: number;
}

/** What checking copies against the master (the reconcile step) did. */
interface Reconciled {
  undone: number;
  refreshed: number;
  failed: Array<{ item: Item; error: string }>;
}

/**
 * Which copies the reconcile step puts right: `refresh` every copy the master changed or deleted since the scan,
 * `deletions` only copies of items it deleted (for copies that never replace anything).
 */
export type ReconcileStep = 'refresh' | 'deletions';

/** The shared writes, bound to one run. */
export class PageWrites {
  public constructor(private readonly context: WriteContext) {}

  /**
   * Looks the page's items up on the slave, keys only: every one with `all`, the first 100 with `probe` (and the
   * rest too when those turn out much present: a rerun, a resume), none with `none`. `consistent` when the answer
   * must be the truth rather than a way to save writes.
   */
  public async lookUp(items: readonly Item[], presence: PresenceCheck, consistent: boolean): Promise<Lookup> {
    if (presence === 'none' || items.length === 0) return { toWrite: items, present: 0, lookedUp: 0 };
    const { tables, tally } = this.context;
    const { slave } = tables;
    const everything = presence === 'all';
    const options = { consistent, keysOnly: true };
    const probe = everything ? items : items.slice(0, BATCH_GET_LIMIT);
    const existing = await this.readKeys(slave, probe, options);
    let lookedUp = probe.length;
    if (!everything && probe.length < items.length && existing.size / probe.length >= PRESENT_SHARE_TO_KEEP_CHECKING) {
      // The probe found much present (a rerun, a resume): the rest of the page is looked up too.
      for (const [id, item] of await this.readKeys(slave, items.slice(probe.length), options)) existing.set(id, item);
      lookedUp = items.length;
    }
    const toWrite = items.filter((item) => !existing.has(itemKeyOf(pickKey(item, keyNames(slave.keySchema)))));
    const present = items.length - toWrite.length;
    tally.counts.present += present;
    tally.progress.counts.done += present;
    return { toWrite, present, lookedUp };
  }

  /**
   * Counts a page whose `lookup.toWrite` items ended with `outcomes` (one per item, in order), after putting right
   * with `reconcile` what changed on the master meanwhile.
   */
  public async settle(lookup: Lookup, outcomes: readonly Outcome[], reconcile?: ReconcileStep): Promise<PageOutcome> {
    const { tables, tally } = this.context;
    const schema = tables.slave.keySchema;
    const page = { written: 0, present: lookup.present, failed: 0 };
    const fail = (item: Item, error: string): void => {
      page.failed += 1;
      tally.sampleFailure(() => itemToJson(pickKey(item, keyNames(schema))), error);
    };
    const copied: Item[] = [];
    outcomes.forEach((outcome, position) => {
      const item = lookup.toWrite[position] as Item;
      if (outcome === 'written') copied.push(item);
      else if (outcome === 'present') page.present += 1;
      else fail(item, describe(outcome.failed));
    });
    const reconciled: Reconciled =
      reconcile === undefined || copied.length === 0
        ? { undone: 0, refreshed: 0, failed: [] }
        : await this.reconcile(copied, reconcile === 'refresh');
    for (const { item, error } of reconciled.failed) fail(item, error);
    const notCopied = reconciled.undone + reconciled.failed.length;
    page.written = copied.length - notCopied;
    tally.counts.written -= notCopied;
    tally.counts.undone += reconciled.undone;
    tally.counts.refreshed += reconciled.refreshed;
    tally.counts.failed += reconciled.failed.length;
    tally.updateDetail();
    return { ...page, presentShare: lookup.lookedUp > 0 ? page.present / lookup.lookedUp : 0 };
  }

  /** Conditional PutItem of each item (only where the slave lacks it), `concurrency` at a time across the run. */
  public putEach(items: readonly Item[]): Promise<Outcome[]> {
    const { tables, signal } = this.context;
    const { items: itemPacer, writes } = tables.pacers;
    return Promise.all(
      items.map((item) =>
        this.pooled(async () => {
          await itemPacer.take(1, signal);
          if (writes !== UNLIMITED) await writes.take(writeUnits(item), signal);
          const outcome = await this.attempt(() =>
            tables.slave.putIfAbsent(item).then((result) => (result === 'written' ? 'written' : 'present')),
          );
          this.context.tally.add(outcome, 1);
          return outcome;
        }),
      ),
    );
  }

  /**
   * Unconditional puts, 25 items per BatchWriteItem through the one batched write path (src/shared/batchWriter.ts):
   * an item DynamoDB rejects fails alone, its batch-mates are written.
   */
  public async putBatches(items: readonly Item[]): Promise<Outcome[]> {
    const { tables, signal, tally } = this.context;
    const { items: itemPacer, writes } = tables.pacers;
    const names = keyNames(tables.slave.keySchema);
    const results = await Promise.all(
      chunked(items, BATCH_WRITE_LIMIT).map(async (chunk) => {
        const failures = await this.pooled(async () => {
          await itemPacer.take(chunk.length, signal);
          // Sizing every item costs CPU the copy competes for; without a --max-wcu cap nobody needs the figure.
          if (writes !== UNLIMITED)
            await writes.take(
              chunk.reduce((sum, item) => sum + writeUnits(item), 0),
              signal,
            );
          return tables.slave.batchPut(chunk);
        });
        tally.add('written', chunk.length - failures.size);
        // Almost every chunk lands whole: only then is no item's key needed.
        if (failures.size === 0) return chunk.map((): Outcome => 'written');
        const outcomes = chunk.map((item): Outcome => {
          const failure = failures.get(itemKeyOf(pickKey(item, names)));
          return failure ? { failed: failure.cause ?? new Error(failure.reason) } : 'written';
        });
        for (const outcome of outcomes) if (outcome !== 'written') tally.add(outcome, 1);
        return outcomes;
      }),
    );
    return results.flat();
  }

  /**
   * The reconcile step: reads the copied items on the master (consistent) and puts right what changed there since
   * the scan, with the master's items as the replica hooks shape them. A copy of an item the master deleted (or one
   * the filter now keeps off the slave) is removed; with `refresh`, a copy of an item the master changed is replaced
   * by the master's current (hooked) item. Both are compare-and-set on our copy, so a version the stream wrote
   * after the copy stays. Without `refresh` (copies that never replace anything) only deletions matter and the
   * master is read keys-only.
   */
  private async reconcile(copied: readonly Item[], refresh: boolean): Promise<Reconciled> {
    const { tables, signal } = this.context;
    const { master, slave } = tables;
    const result: Reconciled = { undone: 0, refreshed: 0, failed: [] };
    // A filter can keep a changed master item off the slave: then whether it still exists is not enough to know.
    const whole = refresh || tables.replica.filters;
    let current: Map<string, Item>;
    try {
      current = await this.readKeys(master, copied, { consistent: true, keysOnly: !whole });
    } catch (error) {
      if (error instanceof ToolError || error instanceof InterruptedError) throw error;
      result.failed = copied.map((item) => ({
        item,
        error: `copied, but reading it back from the master failed: ${describe(error)}`,
      }));
      return result;
    }
    await Promise.all(
      copied.map(async (copy) => {
        const read = current.get(itemKeyOf(pickKey(copy, keyNames(master.keySchema))));
        // The copy is the hooked item, so it is compared with the master's current item as the hooks shape it.
        let now: Item | undefined;
        try {
          now = whole ? tables.replica.expected(read) : read;
        } catch (error) {
          result.failed.push({
            item: copy,
            error: `copied, but the hooks failed on the master's current item: ${describe(error)}`,
          });
          return;
        }
        if (now !== undefined && (!refresh || itemsEqual(now, copy))) return;
        try {
          const outcome = await this.pooled(async () => {
            await tables.pacers.writes.take(writeUnits(now ?? copy), signal);
            return now === undefined ? slave.deleteIfUnchanged(copy) : slave.putIfUnchanged(now, copy);
          });
          // 'conflict': the slave no longer holds our copy — the stream wrote after it, and that version stays.
          if (outcome === 'written' && now === undefined) result.undone += 1;
          else if (outcome === 'written') result.refreshed += 1;
        } catch (error) {
          if (error instanceof ToolError || error instanceof InterruptedError) throw error;
          const action =
            now === undefined
              ? 'removing the copy (deleted or filtered out on the master meanwhile)'
              : "replacing the copy with the master's newer version";
          result.failed.push({ item: copy, error: `${action} failed: ${describe(error)}` });
        }
      }),
    );
    return result;
  }

  /** The items of `table` with the keys of `items`, read 100 keys per BatchGetItem, each call through the pool. */
  private async readKeys(
    table: TableAccess,
    items: readonly Item[],
    options: { consistent: boolean; keysOnly: boolean },
  ): Promise<Map<string, Item>> {
    const keys = items.map((item) => pickKey(item, keyNames(table.keySchema)));
    const found = await Promise.all(
      // Ahead of the writes waiting in the pool: a page's writes wait for this read (a new data file's first page
      // would otherwise queue its lookup behind every page of the files in flight).
      chunked(keys, BATCH_GET_LIMIT).map((chunk) => this.pooled(() => table.batchGet(chunk, options), true)),
    );
    return new Map(found.flatMap((map) => [...map]));
  }

  /** Runs `call` in the run's pool (`ahead` of the calls waiting there), unless the run was interrupted meanwhile. */
  private pooled<T>(call: () => Promise<T>, ahead = false): Promise<T> {
    return this.context.limiter.run(() => {
      if (this.context.signal.aborted) throw new InterruptedError();
      return call();
    }, ahead);
  }

  /** Runs one write; a fatal error or an interruption stops the run, any other error fails just this write. */
  private async attempt(write: () => Promise<'written' | 'present'>): Promise<Outcome> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof ToolError || error instanceof InterruptedError) throw error;
      return { failed: error };
    }
  }
}
