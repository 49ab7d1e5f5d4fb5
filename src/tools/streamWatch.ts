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
 * The watcher reads every shard of the stream in passes, about once per `pollIntervalMs`, and keeps the key of each
 * record. A first run starts each open shard at LATEST (taken before the first scan); shards that appear later, and
 * every shard of a resumed run (which cannot know what changed while it was not running), start at TRIM_HORIZON.
 * It is one more reader of the stream next to the replicator's Lambda function(s) — see the README on the limit of
 * two readers per shard.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { itemKeyOf } from '../key';
import type { Item } from './attributeJson';
import { fatalAwsError, ToolError } from './errors';
import { sleep } from './rateLimiter';
import { InterruptedError } from './tableAccess';
import type { TableRef } from './tableRef';

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
  readonly signal: AbortSignal;
}

/** Counters of the watcher. */
export interface StreamWatchStats {
  /** Stream records read. */
  records: number;
  /** Distinct items they changed. */
  changedItems: number;
  /** Complete passes over all shards. */
  passes: number;
}

interface ShardReader {
  readonly shardId: string;
  iterator?: string;
}

/** Most GetRecords calls per shard in one pass; a shard with more records continues in the next pass. */
const CALLS_PER_SHARD_PER_PASS = 10;
/** How often the list of shards is refreshed, to find the children of shards that closed. */
const DESCRIBE_INTERVAL_MS = 10_000;
/** Backoff after a failed pass (throttling, a network error). */
const RETRY_DELAY_MS = 1000;

/** Reads the master's stream in the background and remembers which items changed. */
export class StreamWatcher {
  public readonly stats: StreamWatchStats = { records: 0, changedItems: 0, passes: 0 };
  private readonly changed = new Set<string>();
  private readonly readers = new Map<string, ShardReader>();
  /** Every shard id ever listed, so a shard that ends is not started again. */
  private readonly known = new Set<string>();
  private readonly waiters: Array<{ after: number; resolve: () => void; reject: (error: unknown) => void }> = [];
  private loop: Promise<void> | undefined;
  private stopped = false;
  private fatal: unknown;
  private lastDescribe = 0;
  /** Ends the pause between passes early (a caller waits for a pass). */
  private wake: AbortController | undefined;

  public constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly options: StreamWatchOptions,
  ) {}

  /**
   * Positions a reader on every shard and starts reading in the background. Resolves once every position is
   * taken: changes made after that are seen.
   */
  public async start(): Promise<void> {
    const shards = await this.call('DescribeStream', () => this.describe());
    await Promise.all(
      shards.map((shard) => {
        const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
        // A shard closed before the start holds only older changes; a first run needs none of them.
        if (!this.options.fromTrimHorizon && !open) return Promise.resolve();
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
   * Resolves after a complete pass that began after this call: every change made before the call (that the
   * stream carries by then) has been seen. Rejects when the watcher failed.
   */
  public caughtUp(): Promise<void> {
    if (this.fatal !== undefined) return Promise.reject(this.fatal);
    return new Promise((resolve, reject) => {
      this.waiters.push({ after: performance.now(), resolve, reject });
      this.wake?.abort();
    });
  }

  /** Stops reading; rejects with the error that stopped the watcher early, if one did. */
  public async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.abort();
    await this.loop;
    if (this.fatal !== undefined) throw this.fatal;
  }

  private async run(): Promise<void> {
    while (!this.stopped && !this.options.signal.aborted) {
      const started = performance.now();
      let pass: { records: number; complete: boolean };
      try {
        if (started - this.lastDescribe >= DESCRIBE_INTERVAL_MS) await this.refreshShards();
        pass = await this.pass();
      } catch (error) {
        if (error instanceof InterruptedError) break;
        if (error instanceof ToolError) {
          this.fail(error);
          return;
        }
        await sleep(RETRY_DELAY_MS, this.options.signal);
        continue;
      }
      this.stats.passes += 1;
      if (pass.complete) {
        const due = this.waiters.filter((waiter) => waiter.after <= started);
        this.waiters.splice(0, this.waiters.length, ...this.waiters.filter((waiter) => waiter.after > started));
        due.forEach((waiter) => waiter.resolve());
      }
      if (pass.complete && pass.records === 0 && this.waiters.length === 0) await this.pause();
    }
    this.fail(new InterruptedError());
  }

  /** Waits `pollIntervalMs`, or less when the run ends or a caller waits for a pass. */
  private async pause(): Promise<void> {
    this.wake = new AbortController();
    const onAbort = (): void => this.wake?.abort();
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await sleep(this.options.pollIntervalMs, this.wake.signal);
    } finally {
      this.options.signal.removeEventListener('abort', onAbort);
      this.wake = undefined;
    }
  }

  /**
   * Reads every shard until it answers with no records (or is closed). `complete` is false when a shard still had
   * records after its share of calls.
   */
  private async pass(): Promise<{ records: number; complete: boolean }> {
    let total = 0;
    let complete = true;
    for (const reader of [...this.readers.values()]) {
      let calls = 0;
      for (;;) {
        if (this.options.signal.aborted) throw new InterruptedError();
        if (calls >= CALLS_PER_SHARD_PER_PASS) {
          complete = false;
          break;
        }
        calls += 1;
        const read = await this.read(reader);
        total += read;
        if (read === 0 || reader.iterator === undefined) break;
      }
      if (reader.iterator === undefined) {
        // The shard is closed and read to its end; its children come with the next listing.
        this.readers.delete(reader.shardId);
        this.lastDescribe = 0;
      }
    }
    return { records: total, complete };
  }

  /** One GetRecords call on one shard. */
  private async read(reader: ShardReader): Promise<number> {
    if (reader.iterator === undefined) return 0;
    const iterator = reader.iterator;
    let output;
    try {
      output = await this.call('GetRecords', () => this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 })));
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'ExpiredIteratorException' || name === 'TrimmedDataAccessException') {
        // The position is gone (a long pause, or records trimmed under it): read what the shard still holds.
        reader.iterator = await this.iterator(reader.shardId, 'TRIM_HORIZON');
        return 0;
      }
      throw error;
    }
    reader.iterator = output.NextShardIterator;
    const records = output.Records ?? [];
    this.stats.records += records.length;
    const fresh: Item[] = [];
    for (const record of records) {
      const keys = record.dynamodb?.Keys as Item | undefined;
      if (!keys) continue;
      const id = itemKeyOf(keys);
      if (this.changed.has(id)) continue;
      this.changed.add(id);
      fresh.push(keys);
    }
    this.stats.changedItems = this.changed.size;
    if (fresh.length > 0) await this.options.onKeys(fresh);
    return records.length;
  }

  /** Lists the shards again and starts the new ones (children of closed shards) at TRIM_HORIZON. */
  private async refreshShards(): Promise<void> {
    const shards = await this.call('DescribeStream', () => this.describe());
    this.lastDescribe = performance.now();
    await Promise.all(shards.filter((shard) => !this.known.has(shard.ShardId ?? '')).map((shard) => this.addReader(shard, 'TRIM_HORIZON')));
  }

  private async addReader(shard: Shard, type: ShardIteratorType): Promise<void> {
    const shardId = shard.ShardId;
    if (!shardId || this.known.has(shardId)) return;
    this.known.add(shardId);
    const reader: ShardReader = { shardId, iterator: await this.iterator(shardId, type) };
    this.readers.set(shardId, reader);
  }

  private async iterator(shardId: string, type: ShardIteratorType): Promise<string | undefined> {
    const output = await this.call('GetShardIterator', () =>
      this.client.send(new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type })),
    );
    return output.ShardIterator;
  }

  /** Every shard of the stream (DescribeStream, paged); marks the shards known at the start as known. */
  private async describe(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const output = await this.client.send(new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }));
      const description = output.StreamDescription;
      if (description?.StreamStatus === 'DISABLED' || description?.StreamStatus === 'DISABLING') {
        throw new ToolError(
          `the stream of ${this.options.table.region}/${this.options.table.table} was disabled during the backfill; ` +
            'without it changes are neither replicated nor seen by the backfill — enable it, start the replicator, and run the backfill again',
        );
      }
      shards.push(...(description?.Shards ?? []));
      start = description?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** Runs one Streams call; an error no retry can fix is thrown as a ToolError that says what to change. */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ToolError) throw error;
      const { table } = this.options;
      const name = (error as { name?: string }).name ?? '';
      if (name === 'ResourceNotFoundException') {
        throw new ToolError(
          `the stream of ${table.region}/${table.table} (${this.streamArn}) was not found; ` +
            'the replicator cannot run without it — enable the stream, start the replicator, and run the backfill again',
          { cause: error },
        );
      }
      const where = this.options.endpoint ?? process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ?? `the DynamoDB Streams endpoint of ${table.region} (set AWS_ENDPOINT_URL_DYNAMODB_STREAMS to change it)`;
      const fatal = fatalAwsError(error, action, table, where);
      if (fatal && /AccessDenied|Unauthorized/.test(name)) {
        throw new ToolError(
          `${fatal.message.replace(` on table ${table.table}`, ` on the stream of table ${table.table}`)}; following the master's stream needs ` +
            'dynamodb:DescribeStream, dynamodb:GetShardIterator and dynamodb:GetRecords on it (or use --write-mode checked, which reads no stream)',
          { cause: error },
        );
      }
      if (fatal) throw fatal;
      throw error;
    }
  }

  private fail(error: unknown): void {
    if (!(error instanceof InterruptedError) && this.fatal === undefined) {
      this.fatal = error;
      this.options.onFatal?.(error);
    }
    const reason = this.fatal ?? error;
    this.waiters.splice(0).forEach((waiter) => waiter.reject(reason));
  }
}
