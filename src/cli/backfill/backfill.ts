/**
 * backfill: copies every item of the master into the slave, safely next to a live replicator.
 *
 * This module is the run: each selected scan segment is read page by page (the next page prefetched) and its items
 * handed to the write mode's page writer, through one pool of `concurrency` calls shared by all segments. The mode is
 * chosen once per run; each has its own module under modes/, whose header documents its protocol:
 *
 * - `watched` (default, safe while the replicator runs, as fast as `batch`): follows the master's stream and writes
 *   copies of items seen changing only where the slave lacks them, re-checking those that changed after their copy.
 * - `conditional` (safe while the replicator runs, one request per item): PutItem only where the slave lacks the item.
 * - `checked` (safe while the replicator runs, about 4× faster than `conditional`): writes what a consistent read
 *   found missing, then puts right what the master changed meanwhile.
 * - `batch` (fast initial load, NOT safe while the replicator writes to the slave): unconditional BatchWriteItem.
 *
 * Progress is committed per page: a segment's last key is recorded only after every item of the page is written or
 * present, and saved to the state file at most once a second, so a resumed run starts at most a page or two back.
 * A run that stops before it committed a page or wrote an item leaves no state file: there is nothing to resume.
 * After an item fails for good, its segment stops advancing its resume key (the rest is still copied), so a rerun
 * retries it and the exit code says the copy is incomplete.
 *
 * With `--from-export` the items come from an export of the master in S3 (exportSource.ts) instead of a scan: each
 * data file takes a segment's place (its unit of progress is the whole file), and the `watched` mode follows the
 * stream from its oldest record, so every change since the export's time counts as a change made during the run.
 */
import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { describe } from '../../shared/awsErrors';
import type { Item } from '../../shared/item';
import { pickKey } from '../../shared/key';
import { forEachLimited, Limiter } from '../../shared/limiter';
import { formatTableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import type { ExportLocation } from '../export/s3Url';
import { Progress } from '../progress';
import type { RunConfig } from '../runConfig';
import { itemToJson, type JsonItem } from '../table/attributeJson';
import { type OpenTables, openTables } from '../table/openTables';
import { openMasterStreamsClient, sideIdentity } from '../table/sideClients';
import { InterruptedError } from '../table/tableAccess';
import { keyNames } from '../table/tableInfo';
import { type ExportSource, openExportSource } from './exportSource';
import { EXPORT_FILES_IN_FLIGHT, exportItems, type ItemSource, runState, scanItems } from './itemSource';
import { BatchWriter } from './modes/batch';
import { CheckedWriter } from './modes/checked';
import { ConditionalWriter } from './modes/conditional';
import { type PageWriter, PRESENT_SHARE_TO_KEEP_CHECKING, type PresenceCheck } from './modes/pageWriter';
import { type MasterStream, WatchedWriter, type WatchTuning } from './modes/watched';
import type { WriteContext } from './modes/writes';
import { type BackfillState, hasProgress, removeState, type SegmentState, saveState } from './stateFile';
import { type BackfillCounts, Tally } from './tally';

export type { WatchTuning } from './modes/watched';
export type { BackfillCounts } from './tally';

/** How backfill writes. */
export type WriteMode = 'watched' | 'checked' | 'conditional' | 'batch';

/** Settings of a backfill run. */
export interface BackfillConfig extends RunConfig {
  readonly writeMode: WriteMode;
  /** Where progress is kept for resuming. */
  readonly stateFile: string;
  /** Ignore (and replace) an existing state file. */
  readonly restart: boolean;
  readonly watch?: WatchTuning;
  /** Load this export of the master (`--from-export`) instead of scanning the master. */
  readonly fromExport?: ExportLocation;
}

/** What a backfill did. */
export interface BackfillSummary {
  readonly command: 'backfill';
  readonly master: string;
  readonly slave: string;
  readonly writeMode: WriteMode;
  /** The export loaded (`--from-export`): its segments are its data files, in the manifest's order. */
  readonly fromExport?: { readonly exportArn: string; readonly exportTime: string; readonly dataFiles: number };
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
  /** The state file, when it was kept (incomplete run with progress); removed after a complete run. */
  readonly stateFile?: string;
}

const SAVE_INTERVAL_MS = 1000;

/** The write mode of a run, with the master's stream the `watched` mode follows. */
type ModeSetup =
  | { readonly mode: 'watched'; readonly stream: MasterStream }
  | { readonly mode: Exclude<WriteMode, 'watched'> };

/** A backfill in progress. */
class BackfillRun {
  private readonly tally: Tally;
  private readonly limiter: Limiter;
  private lastSave = 0;
  private fatal: unknown;

  public constructor(
    private readonly config: BackfillConfig,
    private readonly tables: OpenTables,
    private readonly state: BackfillState,
    private readonly signal: AbortSignal,
    private readonly stop: () => void,
    private readonly setup: ModeSetup,
    private readonly source: ItemSource,
  ) {
    this.limiter = new Limiter(config.concurrency);
    this.tally = new Tally(new Progress('backfill', config.progress));
  }

  public async run(): Promise<BackfillCounts & { seconds: number; fatal: unknown }> {
    const started = performance.now();
    const { progress, counts } = this.tally;
    progress.counts.expected = this.source.expected;
    progress.counts.done = [...this.state.segments.values()].reduce((sum, segment) => sum + segment.scanned, 0);
    progress.start();
    try {
      const writer = await this.pageWriter();
      const open = [...this.state.segments.entries()].filter(([, segment]) => !segment.done);
      await forEachLimited(open, this.source.inFlight, ([index, segment]) => this.runSegment(index, segment, writer));
      if (writer.finish) {
        const complete = [...this.state.segments.values()].every((segment) => segment.done);
        await writer.finish(complete && !this.signal.aborted && this.fatal === undefined);
      }
    } finally {
      progress.stop([...this.state.segments.values()].every((segment) => segment.done) && counts.failed === 0);
      this.save(true);
    }
    return { ...counts, seconds: (performance.now() - started) / 1000, fatal: this.fatal };
  }

  /** The one place the write mode is chosen: the page writer every segment of this run writes through. */
  private pageWriter(): PageWriter | Promise<PageWriter> {
    const context: WriteContext = {
      tables: this.tables,
      limiter: this.limiter,
      signal: this.signal,
      tally: this.tally,
    };
    switch (this.setup.mode) {
      case 'watched':
        return WatchedWriter.start(context, {
          stream: this.setup.stream,
          tuning: this.config.watch ?? {},
          concurrency: this.config.concurrency,
          master: this.config.master,
          endpoint: this.config.endpoint,
          halt: this.halt,
          keepFatal: (error) => {
            this.fatal ??= error;
          },
        });
      case 'checked':
        return new CheckedWriter(context);
      case 'conditional':
        return new ConditionalWriter(context);
      case 'batch':
        return new BatchWriter(context);
    }
  }

  /** Stops the whole run for `error` (the first one wins); the state file keeps where each segment was. */
  private readonly halt = (error: unknown): void => {
    this.fatal ??= error;
    this.stop();
  };

  private async runSegment(index: number, segment: SegmentState, writer: PageWriter): Promise<void> {
    // A segment starts with a probe: a rerun or resume finds much present, a new slave (almost) nothing.
    let presence: PresenceCheck = 'probe';
    let blocked = false;
    try {
      for await (const page of this.source.pages(index, segment)) {
        if (this.signal.aborted) break;
        this.tally.counts.scanned += page.items.length;
        const shaped = this.shape(page.items);
        const outcome = await writer.writePage(shaped.put, presence);
        // A page the filter emptied says nothing about what the slave holds: the next page checks as this one did.
        if (shaped.put.length > 0) presence = outcome.presentShare >= PRESENT_SHARE_TO_KEEP_CHECKING ? 'all' : 'none';
        const failed = outcome.failed + shaped.failed;
        segment.scanned += page.items.length;
        segment.written += outcome.written;
        segment.present += outcome.present;
        segment.failed += failed;
        if (failed > 0) blocked = true;
        if (!blocked) {
          segment.lastKey = page.lastKey;
          segment.done = page.end;
        }
        this.save(false);
      }
    } catch (error) {
      if (error instanceof InterruptedError) return;
      this.halt(error);
    }
  }

  /**
   * The one place the replica hooks apply to what backfill copies, before any write mode sees the page: the items
   * to write as the hooks shape them; filtered-out items counted as skipped; an item a hook fails on counted as
   * failed with the hook's message (its segment then stops advancing, so a rerun with fixed hooks retries it).
   */
  private shape(items: readonly Item[]): { put: Item[]; failed: number } {
    const { tables, tally } = this;
    const shaped = tables.replica.shapePage(items);
    tally.skip(shaped.skipped);
    for (const { item, error } of shaped.failed) {
      tally.add({ failed: error }, 1);
      tally.sampleFailure(() => itemToJson(pickKey(item, keyNames(tables.master.keySchema))), describe(error));
    }
    return { put: shaped.put, failed: shaped.failed.length };
  }

  /** Saves the state, at most once a second unless `force`; a state without progress is not kept (hasProgress). */
  private save(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastSave < SAVE_INTERVAL_MS) return;
    this.lastSave = now;
    if (hasProgress(this.state)) saveState(this.config.stateFile, this.state);
    else removeState(this.config.stateFile);
  }

  public failureSample(): Array<{ key: JsonItem; error: string }> {
    return this.tally.failures;
  }
}

/**
 * Runs a backfill. Resolves with a summary (also when items failed or the run was interrupted through `signal`);
 * rejects with a ToolError when the run cannot start or must stop (missing table, permission, key schemas).
 */
export async function runBackfill(config: BackfillConfig, signal?: AbortSignal): Promise<BackfillSummary> {
  if (config.fromExport && (config.writeMode === 'checked' || config.writeMode === 'conditional')) {
    throw new ToolError(
      `--write-mode ${config.writeMode} cannot load an export: it takes each item as the master holds it now, and an ` +
        "export's items are older. Use the default mode (watched), or batch for a slave nothing else writes to",
    );
  }
  const controller = new AbortController();
  const forward = (): void => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) controller.abort();
  const master = formatTableRef(config.master);
  const slave = formatTableRef(config.slave);
  // A scan run's state file is checked before any call; an export's names its data files, known from its manifest.
  const scanState = config.fromExport
    ? undefined
    : runState(config, { master, slave, totalSegments: config.totalSegments });
  const tables = await openTables(config, controller.signal);
  let streams: DynamoDBStreamsClient | undefined;
  let exportSource: ExportSource | undefined;
  try {
    // The watched mode's stream is checked first: without it there is nothing to load an export next to.
    const arn = config.writeMode === 'watched' ? masterStream(tables, master) : undefined;
    if (config.fromExport) {
      const side = {
        region: config.master.region,
        access: config.masterAccess,
        identity: sideIdentity('master', config.masterAccess),
      };
      const checks = {
        master: config.master,
        keySchema: tables.slaveInfo.keySchema,
        streamArn: arn,
        pageSize: config.pageSize,
      };
      exportSource = await openExportSource(config.fromExport, side, checks, EXPORT_FILES_IN_FLIGHT);
    }
    const files = exportSource?.manifest.files.length;
    const { state, saved, segmentList } =
      scanState ??
      runState(config, { master, slave, totalSegments: files ?? 0, source: exportSource?.manifest.exportArn });
    const source = exportSource ? exportItems(exportSource) : scanItems(config, tables);
    let setup: ModeSetup;
    if (config.writeMode === 'watched') {
      streams = openMasterStreamsClient(config);
      const masterIdentity = sideIdentity('master', config.masterAccess);
      // A resumed run, or an export's load: every change the stream still holds may postdate the items written.
      const fromTrimHorizon = saved !== undefined || exportSource !== undefined;
      const stream = { client: streams, arn: masterStream(tables, master), fromTrimHorizon, identity: masterIdentity };
      setup = { mode: 'watched', stream };
    } else setup = { mode: config.writeMode };
    const run = new BackfillRun(config, tables, state, controller.signal, () => controller.abort(), setup, source);
    const result = await run.run();
    if (result.fatal !== undefined) throw result.fatal;
    const segments = [...state.segments.values()];
    const complete = segments.every((segment) => segment.done) && result.failed === 0;
    if (complete) removeState(config.stateFile);
    const sum = (pick: (segment: SegmentState) => number): number =>
      segments.reduce((total, segment) => total + pick(segment), 0);
    const { scanned, written, present, skipped, undone, refreshed, failed, rechecked, seconds } = result;
    const counts: BackfillCounts = { scanned, written, present, skipped, undone, refreshed, failed, rechecked };
    return {
      command: 'backfill',
      master,
      slave,
      writeMode: config.writeMode,
      ...(exportSource
        ? {
            fromExport: {
              exportArn: exportSource.manifest.exportArn,
              exportTime: exportSource.manifest.exportTime.toISOString(),
              dataFiles: exportSource.manifest.files.length,
            },
          }
        : {}),
      totalSegments: state.totalSegments,
      segments: segmentList,
      complete,
      interrupted: signal?.aborted === true,
      resumed: saved !== undefined,
      thisRun: { ...counts, seconds, itemsPerSecond: seconds > 0 ? counts.scanned / seconds : 0 },
      total: { scanned: sum((s) => s.scanned), written: sum((s) => s.written), present: sum((s) => s.present) },
      failures: run.failureSample(),
      ...(complete || !hasProgress(state) ? {} : { stateFile: config.stateFile }),
    };
  } finally {
    signal?.removeEventListener('abort', forward);
    tables.close();
    streams?.destroy();
    exportSource?.close();
  }
}

/** The master's stream, which a `watched` backfill follows; a ToolError saying what to do when it has none. */
function masterStream(tables: OpenTables, master: string): string {
  const arn = tables.masterInfo.streamArn;
  if (!arn) throw new ToolError(noStreamMessage(master));
  return arn;
}

/** Why a `watched` backfill cannot start on a master without a stream, and what to do instead. */
function noStreamMessage(master: string): string {
  return (
    `the master ${master} has no stream enabled. The default write mode follows the master's stream to stay safe next to the ` +
    'replicator, and the replicator needs that stream anyway: enable the stream and start the replicator first (README: ' +
    '"Start a new replica"), then run the backfill. For a slave nothing else writes to, --write-mode batch copies without a stream.'
  );
}
