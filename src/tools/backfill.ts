/**
 * backfill: copies every item of the master into the slave, safely next to a live replicator.
 *
 * Each selected scan segment is read page by page (the next page prefetched) and its items written through one
 * pool of `concurrency` calls shared by all segments. Three write modes:
 *
 * - `conditional` (default, safe while the replicator runs, one request per item): PutItem with
 *   `attribute_not_exists(<partition key>)`, so a copy lands only where the slave lacks the item and never
 *   replaces a version the stream already wrote (a failed condition counts as "already present"). A page is first checked with a keys-only BatchGetItem on the
 *   slave while the slave turns out to hold much of it (a rerun, a resume), so present items cost a read instead of
 *   a write. After a page is written, a consistent BatchGetItem on the master finds copies of items the master
 *   deleted since the scan — the stream's delete may have reached the slave before our copy did — and removes them
 *   again with a compare-and-set delete (only if the slave still holds exactly our copy).
 * - `checked` (safe while the replicator runs, about 4× faster than `conditional`): for each page,
 *   1. a consistent keys-only BatchGetItem on the slave keeps only the items the slave lacks;
 *   2. those are written with BatchWriteItem, 25 per call;
 *   3. a consistent BatchGetItem on the master then reads the copied items again. Where the master's item now
 *      differs from our copy (the stream may have written a newer version to the slave between 1 and 2, which our
 *      copy replaced) or is gone (deleted since the scan), a compare-and-set puts the master's current item on the
 *      slave, or deletes our copy — only if the slave still holds exactly our copy, so anything the stream wrote
 *      after our copy stays.
 *   A copy can therefore replace a newer stream write only for the moment between steps 1 and 2, and step 3
 *   corrects it before the page counts as done. It costs two reads of 100 keys per four 25-item writes, instead of
 *   one request per item.
 * - `batch` (fast initial load, NOT safe while the replicator writes to the slave): unconditional BatchWriteItem of
 *   25 items. For a slave no replicator writes to yet; the README's "fast initial load" procedure then replays the
 *   stream from its trim horizon over the copy.
 *
 * Progress is committed per page: a segment's last key is recorded only after every item of the page is written or
 * present, and saved to the state file at most once a second, so a resumed run starts at most a page or two back.
 * After an item fails for good, its segment stops advancing its resume key (the rest is still copied), so a rerun
 * retries it and the exit code says the copy is incomplete.
 */
import { itemKeyOf } from '../key';
import { isTransient } from '../retry';
import { type Item, itemToJson, type JsonItem } from './attributeJson';
import { describeError, ToolError } from './errors';
import { writeUnits } from './itemSize';
import { formatCount, Progress } from './progress';
import type { RunConfig } from './runConfig';
import { scanSegment } from './scan';
import { Semaphore } from './semaphore';
import { type BackfillState, loadState, newState, removeState, saveState, type SegmentState } from './stateFile';
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, InterruptedError, type TableAccess } from './tableAccess';
import { keyOf } from './tableInfo';
import { formatTableRef } from './tableRef';
import { type OpenTables, openTables } from './tables';
import { itemsEqual } from './valueEquality';

/** How backfill writes. */
export type WriteMode = 'checked' | 'conditional' | 'batch';

/** Settings of a backfill run. */
export interface BackfillConfig extends RunConfig {
  readonly writeMode: WriteMode;
  /** Where progress is kept for resuming. */
  readonly stateFile: string;
  /** Ignore (and replace) an existing state file. */
  readonly restart: boolean;
}

/** Item counts of a run. */
export interface BackfillCounts {
  /** Items read from the master. */
  scanned: number;
  /** Items copied to the slave. */
  written: number;
  /** Items the slave already had (written by the stream, or by an earlier run). */
  present: number;
  /** Copies removed again because the master deleted the item while it was being copied. */
  undone: number;
  /** Copies replaced by the master's current item because the master changed it while it was being copied (`checked`). */
  refreshed: number;
  /** Items that could not be written. */
  failed: number;
}

/** What a backfill did. */
export interface BackfillSummary {
  readonly command: 'backfill';
  readonly master: string;
  readonly slave: string;
  readonly writeMode: WriteMode;
  readonly totalSegments: number;
  readonly segments: readonly number[];
  /** Every selected segment was read to its end and every item written or present. */
  readonly complete: boolean;
  /** Stopped by Ctrl-C/SIGTERM; the state file records where to resume. */
  readonly interrupted: boolean;
  /** This run continued from a state file. */
  readonly resumed: boolean;
  readonly thisRun: BackfillCounts & { readonly seconds: number; readonly itemsPerSecond: number };
  /** Counts over this run and the runs it resumed. */
  readonly total: Pick<BackfillCounts, 'scanned' | 'written' | 'present'>;
  /** Up to 20 items that failed, with DynamoDB's reason. */
  readonly failures: ReadonlyArray<{ readonly key: JsonItem; readonly error: string }>;
  /** The state file, when it was kept (incomplete run); removed after a complete run. */
  readonly stateFile?: string;
}

const FAILURE_SAMPLE = 20;
/** Keep checking a segment's pages for present items while at least this share of a page was present. */
const PRESENT_SHARE_TO_KEEP_CHECKING = 0.05;
const SAVE_INTERVAL_MS = 1000;

type Outcome = 'written' | 'present' | { failed: unknown };

/** What checking copies against the master (step 3) did. */
interface Reconciled {
  undone: number;
  refreshed: number;
  failed: Array<{ item: Item; error: string }>;
}

/** A backfill in progress. */
class BackfillRun {
  private readonly counts: BackfillCounts = { scanned: 0, written: 0, present: 0, undone: 0, refreshed: 0, failed: 0 };
  private readonly failures: Array<{ key: JsonItem; error: string }> = [];
  private readonly semaphore: Semaphore;
  private readonly progress: Progress;
  private lastSave = 0;
  private fatal: unknown;

  public constructor(
    private readonly config: BackfillConfig,
    private readonly tables: OpenTables,
    private readonly state: BackfillState,
    private readonly signal: AbortSignal,
    private readonly stop: () => void,
  ) {
    this.semaphore = new Semaphore(config.concurrency);
    this.progress = new Progress('backfill', config.progress);
  }

  public async run(): Promise<BackfillCounts & { seconds: number; fatal: unknown }> {
    const started = performance.now();
    const fraction = this.config.segments.length / this.config.totalSegments;
    this.progress.counts.expected = Math.round(this.tables.masterInfo.itemCount * fraction);
    this.progress.counts.done = [...this.state.segments.values()].reduce((sum, segment) => sum + segment.scanned, 0);
    this.progress.start();
    try {
      await Promise.all(
        [...this.state.segments.entries()]
          .filter(([, segment]) => !segment.done)
          .map(([index, segment]) => this.runSegment(index, segment)),
      );
    } finally {
      this.progress.stop([...this.state.segments.values()].every((segment) => segment.done) && this.counts.failed === 0);
      this.save(true);
    }
    return { ...this.counts, seconds: (performance.now() - started) / 1000, fatal: this.fatal };
  }

  private async runSegment(index: number, segment: SegmentState): Promise<void> {
    let checkPresence = true;
    let blocked = false;
    try {
      const pages = scanSegment(this.tables.master, {
        segment: index,
        totalSegments: this.config.totalSegments,
        startKey: segment.lastKey,
        pageSize: this.config.pageSize,
      });
      for await (const page of pages) {
        if (this.signal.aborted) break;
        this.counts.scanned += page.items.length;
        const outcome = await this.writePage(page.items, checkPresence);
        checkPresence = outcome.presentShare >= PRESENT_SHARE_TO_KEEP_CHECKING;
        segment.scanned += page.items.length;
        segment.written += outcome.written;
        segment.present += outcome.present;
        segment.failed += outcome.failed;
        if (outcome.failed > 0) blocked = true;
        if (!blocked) {
          segment.lastKey = page.lastKey;
          segment.done = page.lastKey === undefined;
        }
        this.save(false);
      }
    } catch (error) {
      if (error instanceof InterruptedError) return;
      this.fatal ??= error;
      this.stop();
    }
  }

  /** Writes one page's items; resolves when each is written (and checked), present or failed. */
  private async writePage(
    items: readonly Item[],
    checkPresence: boolean,
  ): Promise<{ written: number; present: number; failed: number; presentShare: number }> {
    const { master, slave } = this.tables;
    const schema = slave.keySchema;
    const mode = this.config.writeMode;
    const page = { written: 0, present: 0, failed: 0 };
    const fail = (item: Item, error: string): void => {
      page.failed += 1;
      if (this.failures.length < FAILURE_SAMPLE) this.failures.push({ key: itemToJson(keyOf(item, schema)), error });
    };
    let toWrite = items;
    if ((mode === 'checked' || (mode === 'conditional' && checkPresence)) && items.length > 0) {
      // `checked` needs the truth (a consistent read); `conditional` only saves writes with it.
      const existing = await this.readKeys(slave, items, { consistent: mode === 'checked', keysOnly: true });
      toWrite = items.filter((item) => !existing.has(itemKeyOf(keyOf(item, schema))));
      page.present = items.length - toWrite.length;
      this.counts.present += page.present;
      this.progress.counts.done += page.present;
    }
    const outcomes = mode === 'conditional' ? await this.putEach(toWrite) : await this.putBatches(toWrite);
    const copied: Item[] = [];
    outcomes.forEach((outcome, position) => {
      const item = toWrite[position] as Item;
      if (outcome === 'written') copied.push(item);
      else if (outcome === 'present') page.present += 1;
      else fail(item, describeError(outcome.failed));
    });
    const reconciled: Reconciled =
      mode === 'batch' || copied.length === 0 ? { undone: 0, refreshed: 0, failed: [] } : await this.reconcile(master, copied, mode === 'checked');
    for (const { item, error } of reconciled.failed) fail(item, error);
    const notCopied = reconciled.undone + reconciled.failed.length;
    page.written = copied.length - notCopied;
    this.counts.written -= notCopied;
    this.counts.undone += reconciled.undone;
    this.counts.refreshed += reconciled.refreshed;
    this.counts.failed += reconciled.failed.length;
    this.updateDetail();
    return { ...page, presentShare: items.length > 0 ? page.present / items.length : 0 };
  }

  /** The items of `table` with the keys of `items`, read 100 keys per BatchGetItem, each call through the pool. */
  private async readKeys(table: TableAccess, items: readonly Item[], options: { consistent: boolean; keysOnly: boolean }): Promise<Map<string, Item>> {
    const keys = items.map((item) => keyOf(item, table.keySchema));
    const chunks: Item[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT) chunks.push(keys.slice(start, start + BATCH_GET_LIMIT));
    const found = await Promise.all(
      chunks.map((chunk) =>
        this.semaphore.run(() => {
          if (this.signal.aborted) throw new InterruptedError();
          return table.batchGet(chunk, options);
        }),
      ),
    );
    return new Map(found.flatMap((map) => [...map]));
  }

  /**
   * Step 3: reads the copied items on the master (consistent) and puts right what changed there since the scan.
   * A copy of an item the master deleted is removed; with `refresh`, a copy of an item the master changed is
   * replaced by the master's current item. Both are compare-and-set on our copy, so a version the stream wrote
   * after the copy stays. Without `refresh` (conditional mode, where a copy never replaces anything) only deletions
   * matter and the master is read keys-only.
   */
  private async reconcile(master: TableAccess, copied: readonly Item[], refresh: boolean): Promise<Reconciled> {
    const { slave } = this.tables;
    const result: Reconciled = { undone: 0, refreshed: 0, failed: [] };
    let current: Map<string, Item>;
    try {
      current = await this.readKeys(master, copied, { consistent: true, keysOnly: !refresh });
    } catch (error) {
      if (error instanceof ToolError || error instanceof InterruptedError) throw error;
      result.failed = copied.map((item) => ({ item, error: `copied, but reading it back from the master failed: ${describeError(error)}` }));
      return result;
    }
    await Promise.all(
      copied.map(async (copy) => {
        const now = current.get(itemKeyOf(keyOf(copy, master.keySchema)));
        if (now !== undefined && (!refresh || itemsEqual(now, copy))) return;
        try {
          const outcome = await this.semaphore.run(async () => {
            if (this.signal.aborted) throw new InterruptedError();
            await this.tables.pacers.writes.take(writeUnits(now ?? copy), this.signal);
            return now === undefined ? slave.deleteIfUnchanged(copy) : slave.putIfUnchanged(now, copy);
          });
          // 'conflict': the slave no longer holds our copy — the stream wrote after it, and that version stays.
          if (outcome === 'written' && now === undefined) result.undone += 1;
          else if (outcome === 'written') result.refreshed += 1;
        } catch (error) {
          if (error instanceof ToolError || error instanceof InterruptedError) throw error;
          const action = now === undefined ? 'removing the copy (deleted on the master meanwhile)' : 'replacing the copy with the master\'s newer version';
          result.failed.push({ item: copy, error: `${action} failed: ${describeError(error)}` });
        }
      }),
    );
    return result;
  }

  /** Conditional PutItem of each item, `concurrency` at a time across the run. */
  private putEach(items: readonly Item[]): Promise<Outcome[]> {
    const { slave } = this.tables;
    const { items: itemPacer, writes } = this.tables.pacers;
    return Promise.all(
      items.map((item) =>
        this.semaphore.run(async (): Promise<Outcome> => {
          if (this.signal.aborted) throw new InterruptedError();
          await itemPacer.take(1, this.signal);
          await writes.take(writeUnits(item), this.signal);
          const outcome = await this.attempt(() => slave.putIfAbsent(item).then((result) => (result === 'written' ? 'written' : 'present')));
          this.tally(outcome, 1);
          return outcome;
        }),
      ),
    );
  }

  /**
   * Unconditional BatchWriteItem of 25 items at a time. When DynamoDB rejects a whole call for one bad item (a
   * ValidationException), the call's items are written one by one, so only the bad ones fail.
   */
  private async putBatches(items: readonly Item[]): Promise<Outcome[]> {
    const { slave } = this.tables;
    const { items: itemPacer, writes } = this.tables.pacers;
    const chunks: Item[][] = [];
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT) chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    const results = await Promise.all(
      chunks.map(async (chunk) => {
        const outcome = await this.semaphore.run(async (): Promise<Outcome> => {
          if (this.signal.aborted) throw new InterruptedError();
          await itemPacer.take(chunk.length, this.signal);
          await writes.take(chunk.reduce((sum, item) => sum + writeUnits(item), 0), this.signal);
          return this.attempt(() => slave.batchPut(chunk).then(() => 'written' as const));
        });
        if (typeof outcome === 'object' && chunk.length > 1 && !isTransient(outcome.failed)) return this.putOneByOne(chunk);
        this.tally(outcome, chunk.length);
        return chunk.map(() => outcome);
      }),
    );
    return results.flat();
  }

  /** Unconditional PutItem of each item (their capacity was already taken from the pacers). */
  private putOneByOne(items: readonly Item[]): Promise<Outcome[]> {
    const { slave } = this.tables;
    return Promise.all(
      items.map((item) =>
        this.semaphore.run(async (): Promise<Outcome> => {
          if (this.signal.aborted) throw new InterruptedError();
          const outcome = await this.attempt(() => slave.put(item).then(() => 'written' as const));
          this.tally(outcome, 1);
          return outcome;
        }),
      ),
    );
  }

  /** Counts `items` items that ended with `outcome`, for the summary and the progress display. */
  private tally(outcome: Outcome, items: number): void {
    if (outcome === 'written') this.counts.written += items;
    else if (outcome === 'present') this.counts.present += items;
    else this.counts.failed += items;
    this.progress.counts.done += items;
    this.updateDetail();
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

  private updateDetail(): void {
    const { written, present, undone, refreshed, failed } = this.counts;
    this.progress.counts.detail = `written ${formatCount(written)}, present ${formatCount(present)}${refreshed ? `, refreshed ${formatCount(refreshed)}` : ''}${undone ? `, undone ${formatCount(undone)}` : ''}${failed ? `, failed ${formatCount(failed)}` : ''}`;
  }

  private save(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastSave < SAVE_INTERVAL_MS) return;
    this.lastSave = now;
    saveState(this.config.stateFile, this.state);
  }

  public failureSample(): Array<{ key: JsonItem; error: string }> {
    return this.failures;
  }
}

/**
 * Runs a backfill. Resolves with a summary (also when items failed or the run was interrupted through `signal`);
 * rejects with a ToolError when the run cannot start or must stop (missing table, permission, key schemas).
 */
export async function runBackfill(config: BackfillConfig, signal?: AbortSignal): Promise<BackfillSummary> {
  const controller = new AbortController();
  const forward = (): void => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) controller.abort();
  const identity = { master: formatTableRef(config.master), slave: formatTableRef(config.slave), totalSegments: config.totalSegments };
  const saved = config.restart ? undefined : loadState(config.stateFile, identity, config.segments);
  const state = saved ?? newState(identity, config.segments);
  const tables = await openTables(config, controller.signal);
  try {
    const run = new BackfillRun(config, tables, state, controller.signal, () => controller.abort());
    const result = await run.run();
    if (result.fatal !== undefined) throw result.fatal;
    const segments = [...state.segments.values()];
    const complete = segments.every((segment) => segment.done) && result.failed === 0;
    if (complete) removeState(config.stateFile);
    const sum = (pick: (segment: SegmentState) => number): number => segments.reduce((total, segment) => total + pick(segment), 0);
    const { scanned, written, present, undone, refreshed, failed, seconds } = result;
    const counts: BackfillCounts = { scanned, written, present, undone, refreshed, failed };
    return {
      command: 'backfill',
      master: identity.master,
      slave: identity.slave,
      writeMode: config.writeMode,
      totalSegments: config.totalSegments,
      segments: config.segments,
      complete,
      interrupted: signal?.aborted === true,
      resumed: saved !== undefined,
      thisRun: { ...counts, seconds, itemsPerSecond: seconds > 0 ? counts.scanned / seconds : 0 },
      total: { scanned: sum((s) => s.scanned), written: sum((s) => s.written), present: sum((s) => s.present) },
      failures: run.failureSample(),
      ...(complete ? {} : { stateFile: config.stateFile }),
    };
  } finally {
    signal?.removeEventListener('abort', forward);
    tables.close();
  }
}
