/**
 * Following the master's stream during a backfill, to learn which items change while it runs.
 *
 * A backfill copy of an item is the version its scan read. It can be older than what the slave holds only if the
 * item changed on the master after that scan — and every such change is a record in the master's stream. So a
 * backfill that reads the stream from before its first scan knows every item whose copy could replace a newer
 * version the replicator wrote, or bring back an item the master deleted. Those few items are written only where
 * the slave lacks them (when the change is seen before the copy) and re-checked against the master with consistent
 * reads (when it is seen after): all others can be copied with plain BatchWriteItem, at full speed, with no read.
 *
 * The watcher reads every shard of the stream in passes — one GetRecords call per shard, a pass about every
 * `pollIntervalMs` (every 250 ms while a shard is behind) — and keeps the key of each record. A first run starts each open shard at LATEST (taken before the first scan); shards that appear later, and
 * every shard of a resumed run (which cannot know what changed while it was not running), start at TRIM_HORIZON.
 * It is one more reader of the stream next to the replicator's Lambda function(s) — see docs/guarantees.md on the limit of
 * two readers per shard. Its Streams calls, and what their errors tell the operator, are in streamCalls.ts.
 */
import type {
  DynamoDBStreamsClient,
  GetRecordsCommandOutput,
  Shard,
  ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import type { Item } from '../../shared/item';
import { itemKeyOf } from '../../shared/key';
import { forEachLimited } from '../../shared/limiter';
import { sleep } from '../../shared/sleep';
import type { TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import { InterruptedError } from '../table/tableAccess';
import { StreamCalls } from './streamCalls';

/** How a {@link StreamWatcher} reads. */
export interface StreamWatchOptions {
  /** Pause between two passes over the shards that found nothing new. */
  readonly pollIntervalMs: number;
  /** Start every shard at TRIM_HORIZON (a resumed run): the keys changed in the last 24 hours all count as changed. */
  readonly fromTrimHorizon: boolean;
  /** Called with the keys of records not seen before (awaited: a slow consumer slows the reading). */
  readonly onKeys: (keys: Item[]) => Promise<void>;
  /**
   * Called once when an error stops the watcher for good (the stream is gone, access was denied): a backfill must
   * not go on copying without it.
   */
  readonly onFatal?: (error: unknown) => void;
  /** The master table, for error messages. */
  readonly table: TableRef;
  readonly endpoint?: string;
  /** The master side and its credentials when it has its own, for access-denied messages. */
  readonly identity?: string;
  readonly signal: AbortSignal;
}

/** Counters of the watcher. */
export interface StreamWatchStats {
  /** Stream records read. */
  records: number;
  /** Distinct items they changed. */
  changedItems: number;
  /** Passes over the shards (one GetRecords call on each). */
  passes: number;
}

interface ShardReader {
  readonly shardId: string;
  iterator?: string;
  /** Our clock when the last call that found the shard empty was sent (0: none since the reader was positioned). */
  quietSince: number;
  /** Highest sequence number read from the shard (0 for none): every record up to it has been read. */
  lastSequence: bigint;
  /** The last answer was a full page: more are waiting, and the next pass comes sooner. */
  behind: boolean;
}

/** Shards read at the same time in a pass. */
const SHARDS_READ_AT_ONCE = 8;
/** Records asked for per GetRecords call (the API's maximum). */
const RECORDS_PER_CALL = 1000;
/**
 * Pause between passes while a shard is behind (a full page came back): catching up faster than once per
 * `pollIntervalMs`, but not so fast that the shard's read limit (5 calls/s, shared with the Lambda poller) is used up.
 */
const CATCH_UP_INTERVAL_MS = 250;
/** How often the list of shards is refreshed, to find the children of shards that closed. */
const DESCRIBE_INTERVAL_MS = 10_000;
/**
 * Where a shard stood when a caller started waiting: a LATEST position taken after that moment, and the sequence
 * number of the first record written there (once one has been). A reader that has read that record has read
 * everything before it — a test of position, with no clocks involved.
 */
interface Marker {
  iterator?: string;
  firstSequence?: bigint;
}

/** A caller of {@link StreamWatcher.caughtUp}. */
interface Waiter {
  readonly after: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
  /** Per shard open at the call; set by the loop before its next pass. */
  markers?: Map<string, Marker>;
}

/** Reads the master's stream in the background and remembers which items changed. */
export class StreamWatcher {
  public readonly stats: StreamWatchStats = { records: 0, changedItems: 0, passes: 0 };
  private readonly changed = new Set<string>();
  private readonly readers = new Map<string, ShardReader>();
  /** Every shard id ever listed (read, or skipped as older than the start), so none is started twice. */
  private readonly known = new Set<string>();
  private readonly waiters: Waiter[] = [];
  private loop: Promise<void> | undefined;
  private stopped = false;
  private ended = false;
  private fatal: unknown;
  private lastDescribe = 0;
  /** A shard closed: its children must be listed (and read) before any waiter can be satisfied. */
  private refreshDue = false;
  /** Ends the pause between passes early: on stop() always, for a new waiter when `wakeable`. */
  private pausing: { readonly wake: AbortController; readonly wakeable: boolean } | undefined;

  private readonly calls: StreamCalls;

  public constructor(
    client: DynamoDBStreamsClient,
    streamArn: string,
    private readonly options: StreamWatchOptions,
  ) {
    this.calls = new StreamCalls(client, streamArn, options.table, options.endpoint, options.identity);
  }

  /**
   * Positions a reader on every shard and starts reading in the background. Resolves once every position is
   * taken: changes made after that are seen.
   */
  public async start(): Promise<void> {
    const shards = await this.calls.shards();
    await Promise.all(
      shards.map((shard) => {
        const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
        if (!this.options.fromTrimHorizon && !open) {
          // A shard closed before the start holds only older changes; a first run needs none of them.
          if (shard.ShardId) this.known.add(shard.ShardId);
          return Promise.resolve();
        }
        return this.addReader(shard, this.options.fromTrimHorizon ? 'TRIM_HORIZON' : 'LATEST');
      }),
    );
    this.lastDescribe = performance.now();
    this.loop = this.run();
  }

  /** True when the stream has carried a change of the item with this key id (`itemKeyOf`) since the start. */
  public hasChanged(id: string): boolean {
    return this.changed.has(id);
  }

  /**
   * Resolves once every shard has been read past this moment: each answered a call sent after it with no records,
   * or has been read up to the first record written after it (found through a LATEST position taken after the
   * call) — so every change made before the call (that the stream carries by then) has been seen, also while
   * changes keep coming. Rejects when the watcher failed or was stopped.
   */
  public caughtUp(): Promise<void> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    if (this.ended || this.stopped) return Promise.reject(new InterruptedError());
    return new Promise((resolve, reject) => {
      this.waiters.push({ after: performance.now(), resolve, reject });
      if (this.pausing?.wakeable) this.pausing.wake.abort();
    });
  }

  /** Stops reading; rejects with the error that stopped the watcher early, if one did. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.pausing?.wake.abort();
    await this.loop;
    if (this.fatal !== undefined) throw this.fatal;
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.options.signal.aborted) {
      try {
        if (this.refreshDue || performance.now() - this.lastDescribe >= DESCRIBE_INTERVAL_MS)
          await this.refreshShards();
        await this.placeMarkers();
        await this.pass();
        await this.readMarkers();
      } catch (error) {
        if (error instanceof InterruptedError) break;
        if (error instanceof ToolError) {
          this.fail(error);
          return;
        }
        // Throttling or a network error: the SDK has retried already; try again after a pause.
        await this.pause(this.options.pollIntervalMs, false);
        continue;
      }
      this.stats.passes += 1;
      this.resolveWaiters();
      const behind = [...this.readers.values()].some((reader) => reader.behind) || this.refreshDue;
      await this.pause(
        behind ? Math.min(CATCH_UP_INTERVAL_MS, this.options.pollIntervalMs) : this.options.pollIntervalMs,
        !behind,
      );
    }
    this.ended = true;
    this.fail(new InterruptedError());
  }

  /** Takes a LATEST position on every shard for each new waiter (see {@link Marker}). */
  private async placeMarkers(): Promise<void> {
    for (const waiter of this.waiters) {
      if (waiter.markers) continue;
      const markers = new Map<string, Marker>();
      await forEachLimited([...this.readers.keys()], SHARDS_READ_AT_ONCE, async (shardId) => {
        markers.set(shardId, { iterator: await this.calls.iterator(shardId, 'LATEST').catch(() => undefined) });
      });
      waiter.markers = markers;
    }
  }

  /** Looks for the first record behind each waiter's markers that has none yet (one record per call). */
  private async readMarkers(): Promise<void> {
    const open = this.waiters
      .flatMap((waiter) => [...(waiter.markers?.values() ?? [])])
      .filter((marker) => marker.firstSequence === undefined && marker.iterator);
    await forEachLimited(open, SHARDS_READ_AT_ONCE, async (marker) => {
      const output = await this.calls.peek(marker.iterator);
      if (!output) return; // an expired or failed marker only means waiting for an empty answer instead
      const first = output.Records?.[0]?.dynamodb?.SequenceNumber;
      if (first !== undefined) marker.firstSequence = BigInt(first);
      else marker.iterator = output.NextShardIterator;
    });
  }

  /** Resolves the waiters every shard has been read past (see {@link caughtUp}). */
  private resolveWaiters(): void {
    if (this.refreshDue || this.waiters.length === 0) return;
    const pastAll = (waiter: Waiter): boolean =>
      waiter.markers !== undefined &&
      [...waiter.markers].every(([shardId, marker]) => {
        const reader = this.readers.get(shardId);
        // A shard gone from the readers was closed and read to its end; a shard listed after the call holds only
        // later changes (its parent closed after the call), so it has no marker and does not count.
        if (!reader) return true;
        return (
          reader.quietSince >= waiter.after ||
          (marker.firstSequence !== undefined && reader.lastSequence >= marker.firstSequence)
        );
      });
    const due = this.waiters.filter(pastAll);
    if (due.length === 0) return;
    this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((waiter) => !due.includes(waiter)));
    due.forEach((waiter) => {
      waiter.resolve();
    });
  }

  /**
   * Waits `ms`, or less when the watcher is stopped or the run ends — and, with `wakeable`, when a caller starts
   * waiting for a pass (not while catching up, which paces the calls for the shards' read limit).
   */
  private async pause(ms: number, wakeable: boolean): Promise<void> {
    if (this.stopped || (wakeable && this.waiters.length > 0)) return;
    const wake = new AbortController();
    this.pausing = { wake, wakeable };
    const onAbort = (): void => wake.abort();
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sleep(ms, wake.signal);
    } finally {
      this.options.signal.removeEventListener('abort', onAbort);
      this.pausing = undefined;
    }
  }

  /**
   * One GetRecords call on every shard, a few shards at a time (a big table's stream has hundreds); a shard read to
   * its end (closed) is dropped and its children listed next.
   */
  private async pass(): Promise<void> {
    let failure: unknown;
    await forEachLimited([...this.readers.values()], SHARDS_READ_AT_ONCE, async (reader) => {
      if (failure !== undefined || this.options.signal.aborted) return;
      try {
        await this.read(reader);
      } catch (error) {
        failure ??= error;
        return;
      }
      if (reader.iterator === undefined) {
        this.readers.delete(reader.shardId);
        this.refreshDue = true;
      }
    });
    if (this.options.signal.aborted) throw new InterruptedError();
    if (failure !== undefined) throw failure;
  }

  /** One GetRecords call on one shard. */
  private async read(reader: ShardReader): Promise<void> {
    if (reader.iterator === undefined) return;
    const iterator = reader.iterator;
    const sent = performance.now();
    let output: GetRecordsCommandOutput;
    try {
      output = await this.calls.records(iterator, RECORDS_PER_CALL);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
        // The position is gone (a long pause, or records trimmed under it): read what the shard still holds, and
        // count the shard as unread until it has been read past again.
        Object.assign(reader, {
          iterator: await this.calls.iterator(reader.shardId, 'TRIM_HORIZON'),
          quietSince: 0,
          behind: true,
        });
        return;
      }
      throw error;
    }
    reader.iterator = output.NextShardIterator;
    const records = output.Records ?? [];
    // A full page: more are waiting, read again soon. A short page can also leave records behind (the 1 MB limit),
    // but then a read per second takes 1 MB/s, as much as one shard's partition can write: it keeps up. Under steady
    // traffic the pace stays once a second, so the watcher and a Lambda poller (4 calls/s) share the shard's 5.
    reader.behind = records.length >= RECORDS_PER_CALL;
    if (records.length === 0) reader.quietSince = sent;
    this.stats.records += records.length;
    const fresh: Item[] = [];
    for (const record of records) {
      const sequence = record.dynamodb?.SequenceNumber;
      if (sequence !== undefined && /^\d+$/.test(sequence) && BigInt(sequence) > reader.lastSequence)
        reader.lastSequence = BigInt(sequence);
      const keys = record.dynamodb?.Keys as Item | undefined;
      if (!keys) continue;
      const id = itemKeyOf(keys);
      if (this.changed.has(id)) continue;
      this.changed.add(id);
      fresh.push(keys);
    }
    this.stats.changedItems = this.changed.size;
    if (fresh.length > 0) await this.options.onKeys(fresh);
  }

  /** Lists the shards again and starts the new ones (children of closed shards) at TRIM_HORIZON. */
  private async refreshShards(): Promise<void> {
    const shards = await this.calls.shards();
    this.lastDescribe = performance.now();
    await Promise.all(
      shards
        .filter((shard) => !this.known.has(shard.ShardId ?? ''))
        .map((shard) => this.addReader(shard, 'TRIM_HORIZON')),
    );
    this.refreshDue = false;
  }

  private async addReader(shard: Shard, type: ShardIteratorType): Promise<void> {
    const shardId = shard.ShardId;
    if (!shardId || this.known.has(shardId)) return;
    this.known.add(shardId);
    const reader: ShardReader = {
      shardId,
      iterator: await this.calls.iterator(shardId, type),
      quietSince: 0,
      lastSequence: 0n,
      behind: false,
    };
    this.readers.set(shardId, reader);
  }

  private fail(error: unknown): void {
    if (!(error instanceof InterruptedError) && this.fatal === undefined) {
      this.fatal = error;
      this.options.onFatal?.(error);
    }
    const reason = this.fatal ?? error;
    this.waiters.splice(0).forEach((waiter) => {
      waiter.reject(reason);
    });
  }
}
