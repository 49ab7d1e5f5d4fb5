/**
 * backfill: copies every item of the master into the slave, safely next to a live replicator.
 *
 * Each selected scan segment is read page by page (the next page prefetched) and its items written through one
 * pool of `concurrency` calls shared by all segments. Four write modes:
 *
 * - `watched` (default, safe while the replicator runs, as fast as `batch`): before the first scan the backfill
 *   starts following the master's stream (streamWatch.ts), so it learns every item that changes while it runs —
 *   the only items whose copy can be older than what the slave holds. Copies of items not seen changing are
 *   written with BatchWriteItem, 25 per call, with no read at all. Copies of items already seen changing are written
 *   only where the slave lacks them (PutItem `attribute_not_exists`), so they never replace what the replicator
 *   wrote. An item seen changing after (or while) its copy was written is re-checked a moment later with consistent
 *   reads of both tables and, where they differ, put right by compare-and-set (differences.ts, repair.ts): the
 *   master's current item where our copy replaced a newer version, a delete where our copy brought back an item
 *   the master deleted. Before the run counts as complete it waits until every shard has been read past its last
 *   write (StreamWatcher.caughtUp), and for every re-check.
 * - `conditional` (safe while the replicator runs, one request per item): PutItem with
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
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { itemKeyOf } from '../../shared/key';
import { isTransient } from '../../shared/retry';
import { formatTableRef } from '../../shared/tableRef';
import { describeError, ToolError } from '../errors';
import { formatCount, Progress } from '../progress';
import type { RunConfig } from '../runConfig';
import { type Item, itemToJson, type JsonItem } from '../table/attributeJson';
import { createStreamsClient } from '../table/clients';
import { writeUnits } from '../table/itemSize';
import { type OpenTables, openTables } from '../table/openTables';
import { UNLIMITED } from '../table/rateLimiter';
import { scanSegment } from '../table/scan';
import { Semaphore } from '../table/semaphore';
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, InterruptedError, type TableAccess } from '../table/tableAccess';
import { keyOf } from '../table/tableInfo';
import { DifferenceChecker } from '../verify/differences';
import { itemsEqual } from '../verify/valueEquality';
import { type BackfillState, loadState, newState, removeState, type SegmentState, saveState } from './stateFile';
import { StreamWatcher } from './streamWatch';

/** How backfill writes. */
export type WriteMode = 'watched' | 'checked' | 'conditional' | 'batch';

/** Tuning of the `watched` mode (tests shorten it). */
export interface WatchTuning {
  /** Pause between two reads of the stream that found nothing new (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How long after a change was seen its item is re-checked, giving the replicator time to deliver it (default 2000 ms). */
  readonly recheckDelayMs?: number;
}

/** Settings of a backfill run. */
export interface BackfillConfig extends RunConfig {
  readonly writeMode: WriteMode;
  /** Where progress is kept for resuming. */
  readonly stateFile: string;
  /** Ignore (and replace) an existing state file. */
  readonly restart: boolean;
  readonly watch?: WatchTuning;
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
  /** Items the master's stream showed changing during the run, re-checked against the master (`watched`). */
  rechecked: number;
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

/** The `watched` mode's reader of the master's stream and re-checker of the items it shows changing. */
interface Watch {
  readonly watcher: StreamWatcher;
  readonly checker: DifferenceChecker;
}

/**
 * Whether a page's items are first looked up on the slave (where present ones cost a read instead of a write):
 * `probe` looks up the first 100 only, `all` every one, `none` none.
 */
type PresenceCheck = 'probe' | 'all' | 'none';
/** Keep checking a segment's pages for present items while at least this share of what was looked up was present. */
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
  private readonly counts: BackfillCounts = {
    scanned: 0,
    written: 0,
    present: 0,
    undone: 0,
    refreshed: 0,
    failed: 0,
    rechecked: 0,
  };
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
    /** The master's stream (`watched` mode), and whether this run resumes an earlier one. */
    private readonly stream?: {
      readonly client: DynamoDBStreamsClient;
      readonly arn: string;
      readonly resumed: boolean;
    },
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
      const watch = this.stream ? await this.startWatching(this.stream) : undefined;
      await Promise.all(
        [...this.state.segments.entries()]
          .filter(([, segment]) => !segment.done)
          .map(([index, segment]) => this.runSegment(index, segment, watch)),
      );
      if (watch) await this.finishWatching(watch);
    } finally {
      this.progress.stop(
        [...this.state.segments.values()].every((segment) => segment.done) && this.counts.failed === 0,
      );
      this.save(true);
    }
    return { ...this.counts, seconds: (performance.now() - started) / 1000, fatal: this.fatal };
  }

  /**
   * Starts following the master's stream (resolves once every shard has its starting position, before any scan) and
   * the re-checker of the items it shows changing.
   */
  private async startWatching(stream: {
    client: DynamoDBStreamsClient;
    arn: string;
    resumed: boolean;
  }): Promise<Watch> {
    const tuning = this.config.watch ?? {};
    const checker = new DifferenceChecker(this.tables, {
      recheckDelayMs: tuning.recheckDelayMs ?? 2000,
      repair: true,
      sampleSize: FAILURE_SAMPLE,
      semaphore: this.semaphore,
      writePacer: this.tables.pacers.writes,
      concurrency: Math.max(1, Math.ceil(this.config.concurrency / 4)),
      signal: this.signal,
      onFatal: this.halt,
      onChange: () => this.updateDetail(),
      onRepaired: (kind) => {
        if (kind === 'extra') this.counts.undone += 1;
        else this.counts.refreshed += 1;
      },
    });
    const watcher = new StreamWatcher(stream.client, stream.arn, {
      pollIntervalMs: tuning.pollIntervalMs ?? 1000,
      // A resumed run cannot know what changed while no run was watching: everything the stream still holds counts.
      fromTrimHorizon: stream.resumed,
      onKeys: async (keys) => {
        this.counts.rechecked += keys.length;
        for (const key of keys) await checker.add(key);
      },
      // Without the watcher, further copies would not be safe: stop the run (the state file keeps its place).
      onFatal: this.halt,
      table: this.config.master,
      endpoint: this.config.endpoint,
      signal: this.signal,
    });
    try {
      await watcher.start();
    } catch (error) {
      await checker.finish().catch(() => undefined);
      throw error;
    }
    return { watcher, checker };
  }

  /**
   * Waits until every shard has been read past the last write (so any change the replicator could have written
   * before one of our copies has been seen) and for the re-checks of every item seen changing.
   */
  private async finishWatching({ watcher, checker }: Watch): Promise<void> {
    const complete = [...this.state.segments.values()].every((segment) => segment.done);
    try {
      if (complete && !this.signal.aborted && this.fatal === undefined) await watcher.caughtUp();
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
    } finally {
      const keep = (error: unknown): void => {
        if (!(error instanceof InterruptedError)) this.fatal ??= error;
      };
      await watcher.stop().catch(keep);
      await checker.finish().catch(keep);
    }
    const repair = checker.report.repair;
    if (repair && repair.failed > 0) {
      this.counts.failed += repair.failed;
      for (const failure of repair.failures) {
        if (this.failures.length < FAILURE_SAMPLE)
          this.failures.push({ key: failure.key, error: `re-check after a change on the master: ${failure.error}` });
      }
    }
  }

  /** Stops the whole run for `error` (the first one wins); the state file keeps where each segment was. */
  private readonly halt = (error: unknown): void => {
    this.fatal ??= error;
    this.stop();
  };

  private async runSegment(index: number, segment: SegmentState, watch: Watch | undefined): Promise<void> {
    // A segment starts with a probe: a rerun or resume finds much present, a new slave (almost) nothing.
    let presence: PresenceCheck = 'probe';
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
        const outcome = await this.writePage(page.items, presence, watch);
        presence = outcome.presentShare >= PRESENT_SHARE_TO_KEEP_CHECKING ? 'all' : 'none';
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
      this.halt(error);
    }
  }

  /** Writes one page's items; resolves when each is written (and checked), present or failed. */
  private async writePage(
    items: readonly Item[],
    presence: PresenceCheck,
    watch: Watch | undefined,
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
    let lookedUp = 0;
    if ((mode === 'checked' || (mode !== 'batch' && presence !== 'none')) && items.length > 0) {
      // `checked` needs the truth (a consistent read) for every item; the other modes only save writes with it.
      const everything = mode === 'checked' || presence === 'all';
      const options = { consistent: mode === 'checked', keysOnly: true };
      const probe = everything ? items : items.slice(0, BATCH_GET_LIMIT);
      const existing = await this.readKeys(slave, probe, options);
      lookedUp = probe.length;
      if (
        !everything &&
        probe.length < items.length &&
        existing.size / probe.length >= PRESENT_SHARE_TO_KEEP_CHECKING
      ) {
        // The probe found much present (a rerun, a resume): the rest of the page is looked up too.
        for (const [id, item] of await this.readKeys(slave, items.slice(probe.length), options)) existing.set(id, item);
        lookedUp = items.length;
      }
      toWrite = items.filter((item) => !existing.has(itemKeyOf(keyOf(item, schema))));
      page.present = items.length - toWrite.length;
      this.counts.present += page.present;
      this.progress.counts.done += page.present;
    }
    const outcomes =
      mode === 'conditional'
        ? await this.putEach(toWrite)
        : watch
          ? await this.putWatched(toWrite, watch)
          : await this.putBatches(toWrite);
    const copied: Item[] = [];
    outcomes.forEach((outcome, position) => {
      const item = toWrite[position] as Item;
      if (outcome === 'written') copied.push(item);
      else if (outcome === 'present') page.present += 1;
      else fail(item, describeError(outcome.failed));
    });
    const reconciled: Reconciled =
      mode === 'batch' || mode === 'watched' || copied.length === 0
        ? { undone: 0, refreshed: 0, failed: [] }
        : await this.reconcile(master, copied, mode === 'checked');
    for (const { item, error } of reconciled.failed) fail(item, error);
    const notCopied = reconciled.undone + reconciled.failed.length;
    page.written = copied.length - notCopied;
    this.counts.written -= notCopied;
    this.counts.undone += reconciled.undone;
    this.counts.refreshed += reconciled.refreshed;
    this.counts.failed += reconciled.failed.length;
    this.updateDetail();
    return { ...page, presentShare: lookedUp > 0 ? page.present / lookedUp : 0 };
  }

  /** The items of `table` with the keys of `items`, read 100 keys per BatchGetItem, each call through the pool. */
  private async readKeys(
    table: TableAccess,
    items: readonly Item[],
    options: { consistent: boolean; keysOnly: boolean },
  ): Promise<Map<string, Item>> {
    const keys = items.map((item) => keyOf(item, table.keySchema));
    const chunks: Item[][] = [];
    for (let start = 0; start < keys.length; start += BATCH_GET_LIMIT)
      chunks.push(keys.slice(start, start + BATCH_GET_LIMIT));
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
      result.failed = copied.map((item) => ({
        item,
        error: `copied, but reading it back from the master failed: ${describeError(error)}`,
      }));
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
          const action =
            now === undefined
              ? 'removing the copy (deleted on the master meanwhile)'
              : "replacing the copy with the master's newer version";
          result.failed.push({ item: copy, error: `${action} failed: ${describeError(error)}` });
        }
      }),
    );
    return result;
  }

  /**
   * `watched` writes: items the stream has shown changing only where the slave lacks them, the rest with
   * BatchWriteItem; then every copy that landed of an item the stream has shown changing by now — possibly after
   * the copy replaced the replicator's newer version — is handed to the re-checker.
   */
  private async putWatched(items: readonly Item[], { watcher, checker }: Watch): Promise<Outcome[]> {
    const schema = this.tables.slave.keySchema;
    // Most runs see few changes; while the stream has shown none, no item's key needs looking up.
    let ids: string[] | undefined;
    const idsOf = (): string[] => (ids ??= items.map((item) => itemKeyOf(keyOf(item, schema))));
    const changedBefore =
      watcher.stats.changedItems === 0 ? items.map(() => false) : idsOf().map((id) => watcher.hasChanged(id));
    const changed = items.filter((_, position) => changedBefore[position]);
    const unchanged = changed.length === 0 ? items : items.filter((_, position) => !changedBefore[position]);
    const [changedOutcomes, unchangedOutcomes] = await Promise.all([this.putEach(changed), this.putBatches(unchanged)]);
    let nextChanged = 0;
    let nextUnchanged = 0;
    const outcomes = changedBefore.map(
      (seen) => (seen ? changedOutcomes[nextChanged++] : unchangedOutcomes[nextUnchanged++]) as Outcome,
    );
    if (watcher.stats.changedItems > 0) {
      // A copy that landed of an item the stream shows changing is re-checked after its write, even when the change
      // was seen before it: a conditional copy can still bring back an item whose delete reached the slave first.
      const after = idsOf();
      for (let position = 0; position < items.length; position += 1) {
        if (outcomes[position] === 'written' && watcher.hasChanged(after[position] as string))
          await checker.add(keyOf(items[position] as Item, schema), true);
      }
    }
    return outcomes;
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
          if (writes !== UNLIMITED) await writes.take(writeUnits(item), this.signal);
          const outcome = await this.attempt(() =>
            slave.putIfAbsent(item).then((result) => (result === 'written' ? 'written' : 'present')),
          );
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
    for (let start = 0; start < items.length; start += BATCH_WRITE_LIMIT)
      chunks.push(items.slice(start, start + BATCH_WRITE_LIMIT));
    const results = await Promise.all(
      chunks.map(async (chunk) => {
        const outcome = await this.semaphore.run(async (): Promise<Outcome> => {
          if (this.signal.aborted) throw new InterruptedError();
          await itemPacer.take(chunk.length, this.signal);
          // Sizing every item costs CPU the copy competes for; without a --max-wcu cap nobody needs the figure.
          if (writes !== UNLIMITED)
            await writes.take(
              chunk.reduce((sum, item) => sum + writeUnits(item), 0),
              this.signal,
            );
          return this.attempt(() => slave.batchPut(chunk).then(() => 'written' as const));
        });
        if (typeof outcome === 'object' && chunk.length > 1 && !isTransient(outcome.failed))
          return this.putOneByOne(chunk);
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
    const { written, present, undone, refreshed, failed, rechecked } = this.counts;
    this.progress.counts.detail =
      `written ${formatCount(written)}, present ${formatCount(present)}` +
      (rechecked ? `, changed on the master ${formatCount(rechecked)}` : '') +
      (refreshed ? `, refreshed ${formatCount(refreshed)}` : '') +
      (undone ? `, undone ${formatCount(undone)}` : '') +
      (failed ? `, failed ${formatCount(failed)}` : '');
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
  const identity = {
    master: formatTableRef(config.master),
    slave: formatTableRef(config.slave),
    totalSegments: config.totalSegments,
  };
  const saved = config.restart ? undefined : loadState(config.stateFile, identity, config.segments);
  const state = saved ?? newState(identity, config.segments);
  const tables = await openTables(config, controller.signal);
  const streams =
    config.writeMode === 'watched'
      ? createStreamsClient(config.master.region, { endpoint: config.endpoint })
      : undefined;
  try {
    let stream: { client: DynamoDBStreamsClient; arn: string; resumed: boolean } | undefined;
    if (streams) {
      const arn = tables.masterInfo.streamArn;
      if (!arn) throw new ToolError(noStreamMessage(identity.master));
      stream = { client: streams, arn, resumed: saved !== undefined };
    }
    const run = new BackfillRun(config, tables, state, controller.signal, () => controller.abort(), stream);
    const result = await run.run();
    if (result.fatal !== undefined) throw result.fatal;
    const segments = [...state.segments.values()];
    const complete = segments.every((segment) => segment.done) && result.failed === 0;
    if (complete) removeState(config.stateFile);
    const sum = (pick: (segment: SegmentState) => number): number =>
      segments.reduce((total, segment) => total + pick(segment), 0);
    const { scanned, written, present, undone, refreshed, failed, rechecked, seconds } = result;
    const counts: BackfillCounts = { scanned, written, present, undone, refreshed, failed, rechecked };
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
    streams?.destroy();
  }
}

/** Why a `watched` backfill cannot start on a master without a stream, and what to do instead. */
function noStreamMessage(master: string): string {
  return (
    `the master ${master} has no stream enabled. The default write mode follows the master's stream to stay safe next to the ` +
    'replicator, and the replicator needs that stream anyway: enable the stream and start the replicator first (README: ' +
    '"Start a new replica"), then run the backfill. For a slave nothing else writes to, --write-mode batch copies without a stream.'
  );
}
