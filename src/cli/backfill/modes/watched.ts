/**
 * The `watched` write mode (the default: safe while the replicator runs, as fast as `batch`). Before the first scan
 * the backfill starts following the master's stream (streamWatch.ts), so it learns every item that changes while it
 * runs — the only items whose copy can be older than what the slave holds. Copies of items not seen changing are
 * written with BatchWriteItem, 25 per call, with no read at all. Copies of items already seen changing are written
 * only where the slave lacks them (PutItem `attribute_not_exists`), so they never replace what the replicator wrote.
 * An item seen changing after (or while) its copy was written is re-checked a moment later with consistent reads of
 * both tables and, where they differ, put right by compare-and-set (differences.ts, repair.ts): the master's current
 * item where our copy replaced a newer version, a delete where our copy brought back an item the master deleted.
 * Before the run counts as complete it waits until every shard has been read past its last write
 * (StreamWatcher.caughtUp), and for every re-check.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Item } from '../../../shared/item';
import { itemKeyOf, pickKey } from '../../../shared/key';
import type { TableRef } from '../../../shared/tableRef';
import { itemToJson } from '../../table/attributeJson';
import { InterruptedError } from '../../table/tableAccess';
import { keyNames } from '../../table/tableInfo';
import { DifferenceChecker } from '../../verify/differences';
import { StreamWatcher } from '../streamWatch';
import { FAILURE_SAMPLE, type Outcome } from '../tally';
import type { PageOutcome, PageWriter, PresenceCheck } from './pageWriter';
import { PageWrites, type WriteContext } from './writes';

/** Tuning of the `watched` mode (tests shorten it). */
export interface WatchTuning {
  /** Pause between two reads of the stream that found nothing new (default 1000 ms). */
  readonly pollIntervalMs?: number;
  /** How long after a change was seen its item is re-checked, giving the replicator time to deliver it (default 2000 ms). */
  readonly recheckDelayMs?: number;
}

/** The master's stream, and where to start reading it. */
export interface MasterStream {
  readonly client: DynamoDBStreamsClient;
  readonly arn: string;
  /** Start at the stream's oldest record: a resumed run, or an export's load (every change since the export counts). */
  readonly fromTrimHorizon: boolean;
  /** The master side and its credentials when it has its own (`--from-*`), named in access-denied messages. */
  readonly identity?: string;
}

/** What the `watched` mode needs of the run beyond the writes. */
export interface WatchSetup {
  readonly stream: MasterStream;
  readonly tuning: WatchTuning;
  /** The run's `--concurrency`; re-checks use a quarter of it. */
  readonly concurrency: number;
  /** The master table, for the watcher's error messages. */
  readonly master: TableRef;
  readonly endpoint?: string;
  /** Stops the whole run for `error` (the first one wins). */
  readonly halt: (error: unknown) => void;
  /** Makes `error` the run's failure without stopping it (the first one wins). */
  readonly keepFatal: (error: unknown) => void;
}

/** Writes pages in the `watched` mode, with the master's stream reader and the re-checker of what it shows changing. */
export class WatchedWriter implements PageWriter {
  private readonly writes: PageWrites;

  private constructor(
    private readonly context: WriteContext,
    private readonly setup: WatchSetup,
    private readonly watcher: StreamWatcher,
    private readonly checker: DifferenceChecker,
  ) {
    this.writes = new PageWrites(context);
  }

  /**
   * Starts following the master's stream (resolves once every shard has its starting position, before any scan) and
   * the re-checker of the items it shows changing.
   */
  public static async start(context: WriteContext, setup: WatchSetup): Promise<WatchedWriter> {
    const { tables, limiter, signal, tally } = context;
    const checker = new DifferenceChecker(tables, {
      recheckDelayMs: setup.tuning.recheckDelayMs ?? 2000,
      repair: true,
      sampleSize: FAILURE_SAMPLE,
      limiter,
      writePacer: tables.pacers.writes,
      concurrency: Math.max(1, Math.ceil(setup.concurrency / 4)),
      signal,
      onFatal: setup.halt,
      onChange: () => tally.updateDetail(),
      onRepaired: (kind) => {
        if (kind === 'extra') tally.counts.undone += 1;
        else tally.counts.refreshed += 1;
      },
      // The changed item's copy cannot be put right: the item failed, and the run is incomplete.
      onHookFailed: (key, error) => {
        tally.counts.failed += 1;
        tally.sampleFailure(() => itemToJson(key), `re-check after a change on the master: ${error}`);
      },
    });
    const watcher = new StreamWatcher(setup.stream.client, setup.stream.arn, {
      pollIntervalMs: setup.tuning.pollIntervalMs ?? 1000,
      // A resumed run cannot know what changed while no run was watching: everything the stream still holds counts.
      fromTrimHorizon: setup.stream.fromTrimHorizon,
      onKeys: async (keys) => {
        tally.counts.rechecked += keys.length;
        for (const key of keys) await checker.add(key);
      },
      // Without the watcher, further copies would not be safe: stop the run (the state file keeps its place).
      onFatal: setup.halt,
      table: setup.master,
      endpoint: setup.endpoint,
      identity: setup.stream.identity,
      signal,
    });
    try {
      await watcher.start();
    } catch (error) {
      await checker.finish().catch(() => undefined);
      throw error;
    }
    return new WatchedWriter(context, setup, watcher, checker);
  }

  public async writePage(items: readonly Item[], presence: PresenceCheck): Promise<PageOutcome> {
    const lookup = await this.writes.lookUp(items, presence, false);
    return this.writes.settle(lookup, await this.put(lookup.toWrite));
  }

  /**
   * Waits until every shard has been read past the last write (so any change the replicator could have written
   * before one of our copies has been seen) and for the re-checks of every item seen changing.
   */
  public async finish(complete: boolean): Promise<void> {
    const { watcher, checker } = this;
    try {
      if (complete) await watcher.caughtUp();
    } catch (error) {
      if (!(error instanceof InterruptedError)) throw error;
    } finally {
      const keep = (error: unknown): void => {
        if (!(error instanceof InterruptedError)) this.setup.keepFatal(error);
      };
      await watcher.stop().catch(keep);
      await checker.finish().catch(keep);
    }
    const repair = checker.report.repair;
    if (repair && repair.failed > 0) {
      const { tally } = this.context;
      tally.counts.failed += repair.failed;
      for (const failure of repair.failures)
        tally.sampleFailure(() => failure.key, `re-check after a change on the master: ${failure.error}`);
    }
  }

  /**
   * Items the stream has shown changing only where the slave lacks them, the rest with BatchWriteItem; then every
   * copy that landed of an item the stream has shown changing by now — possibly after the copy replaced the
   * replicator's newer version — is handed to the re-checker.
   */
  private async put(items: readonly Item[]): Promise<Outcome[]> {
    const { watcher, checker } = this;
    const schema = this.context.tables.slave.keySchema;
    // Most runs see few changes; while the stream has shown none, no item's key needs looking up.
    let ids: string[] | undefined;
    const idsOf = (): string[] => (ids ??= items.map((item) => itemKeyOf(pickKey(item, keyNames(schema)))));
    const changedBefore =
      watcher.stats.changedItems === 0 ? items.map(() => false) : idsOf().map((id) => watcher.hasChanged(id));
    const changed = items.filter((_, position) => changedBefore[position]);
    const unchanged = changed.length === 0 ? items : items.filter((_, position) => !changedBefore[position]);
    const [changedOutcomes, unchangedOutcomes] = await Promise.all([
      this.writes.putEach(changed),
      this.writes.putBatches(unchanged),
    ]);
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
          await checker.add(pickKey(items[position] as Item, keyNames(schema)), true);
      }
    }
    return outcomes;
  }
}
