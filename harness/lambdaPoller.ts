/**
 * A small stand-in for Lambda's event source mapping on a DynamoDB stream, for tests, the demo and the benchmark.
 *
 * It reads the stream the way Lambda does (shards parent before child, batches of up to `batchSize` records from
 * one shard, JSON events) and honours the handler's answer the way Lambda does with `ReportBatchItemFailures`:
 * a non-empty `batchItemFailures` makes it re-deliver from the LOWEST failed sequence number, a thrown error or an
 * unusable item identifier re-delivers the whole batch, and after `maxRetries` failed attempts the batch is
 * discarded (counted, as Lambda would send it to the on-failure destination). Unlike Lambda it stops: {@link
 * StreamPoller.drain} returns once every shard is read to its current end, within a time and call budget.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
  type _Record as StreamsRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { fakeContext, type LambdaContext } from './context';
import { LOCAL_CREDENTIALS } from './dynamodbLocal';
import { type EventSource, type LambdaStreamEvent, toLambdaEvent } from './lambdaEvent';

/** A Lambda handler for DynamoDB stream events (what `dist/index.js` exports, or a stub). */
export type StreamHandler = (event: LambdaStreamEvent, context: LambdaContext) => Promise<unknown> | unknown;

/** Options for {@link StreamPoller}. */
export interface PollerOptions {
  /** DynamoDB Local endpoint (serves DynamoDB Streams too). */
  endpoint: string;
  /** Region of the master table: the Streams client's region and the events' `awsRegion`. */
  region: string;
  streamArn: string;
  handler: StreamHandler;
  /** Most records per invocation (Lambda's `BatchSize`; default 100, Lambda's default for DynamoDB). */
  batchSize?: number;
  /** Failed attempts of one batch that are retried before it is discarded (default 5). */
  maxRetries?: number;
  /** Budget of one {@link StreamPoller.drain} call in milliseconds (default 120 000); exceeding it throws. */
  timeoutMs?: number;
  /** Budget of GetRecords calls in one drain (default 20 000); exceeding it throws. */
  maxGetRecordsCalls?: number;
  /** Function timeout given to the fake context (default 60 000). */
  functionTimeoutMs?: number;
  /** Called after every invocation, e.g. to print progress. */
  onInvocation?: (report: InvocationReport) => void;
}

/** Counters of delivered and failed work. */
export interface PollerStats {
  invocations: number;
  /** Records handed to the handler, re-deliveries included. */
  recordsDelivered: number;
  /** Records handed to the handler that it had been given before. */
  recordsRedelivered: number;
  /** Entries the handler returned in `batchItemFailures`. */
  failuresReported: number;
  /** Invocations that threw (Lambda retries the whole batch). */
  invocationErrors: number;
  /** Batches given up after `maxRetries`, and the records in them from the first failed one. */
  batchesDiscarded: number;
  recordsDiscarded: number;
}

/** What one invocation did, for progress output. */
export interface InvocationReport {
  shardId: string;
  records: number;
  /** 0 for the first delivery of a batch, then 1, 2, … for retries. */
  attempt: number;
  failures: number;
  error?: unknown;
  totals: Readonly<PollerStats>;
}

interface ShardState {
  /** Last sequence number whose record (and all before it) the handler processed or that was discarded. */
  checkpoint?: string;
  /** Closed shard read to its end: nothing more will ever come from it. */
  ended: boolean;
}

/** How a delivery ended: `retryFrom` is the sequence number to re-deliver from, absent when the batch is done. */
interface Outcome {
  retryFrom?: string;
  failures: number;
  error?: unknown;
}

/** Empty GetRecords answers in a row that mean an open shard is caught up (DynamoDB Local answers at once). */
const EMPTY_READS_WHEN_CAUGHT_UP = 2;

/** Zeroed counters. */
function emptyStats(): PollerStats {
  return {
    invocations: 0,
    recordsDelivered: 0,
    recordsRedelivered: 0,
    failuresReported: 0,
    invocationErrors: 0,
    batchesDiscarded: 0,
    recordsDiscarded: 0,
  };
}

/** Reads a DynamoDB stream and invokes a handler like Lambda's event source mapping; keeps its place between drains. */
export class StreamPoller {
  /** Counters over every drain so far. */
  readonly totals: PollerStats = emptyStats();
  private readonly client: DynamoDBStreamsClient;
  private readonly source: EventSource;
  private readonly shards = new Map<string, ShardState>();
  private readonly delivered = new Set<string>();
  private readonly batchSize: number;
  private readonly maxRetries: number;

  constructor(private readonly options: PollerOptions) {
    this.client = new DynamoDBStreamsClient({
      endpoint: options.endpoint,
      region: options.region,
      credentials: LOCAL_CREDENTIALS,
    });
    // DynamoDB Local puts the placeholder region `ddblocal` in its ARNs; Lambda reports the table's real region.
    this.source = {
      awsRegion: options.region,
      eventSourceARN: options.streamArn.replace(/^(arn:[^:]+:dynamodb:)ddblocal:/, `$1${options.region}:`),
    };
    this.batchSize = options.batchSize ?? 100;
    this.maxRetries = options.maxRetries ?? 5;
  }

  /** Delivers every record written so far that was not yet processed; resolves with this drain's counters. */
  async drain(): Promise<PollerStats> {
    const stats = emptyStats();
    const budget = {
      deadline: Date.now() + (this.options.timeoutMs ?? 120_000),
      calls: this.options.maxGetRecordsCalls ?? 20_000,
    };
    // Shards can split while we read: describe again until a pass finds no shard left to read in this drain.
    const read = new Set<string>();
    for (;;) {
      const pending = (await this.describeShards()).filter(
        (shard) => !this.state(shard).ended && !read.has(shard.ShardId ?? ''),
      );
      if (pending.length === 0) return stats;
      for (const shard of parentsFirst(pending)) {
        await this.readShard(shard, stats, budget);
        read.add(shard.ShardId ?? '');
      }
    }
  }

  /** Releases the Streams client. */
  close(): void {
    this.client.destroy();
  }

  /** Adds to a drain's counters and to the totals. */
  private count(stats: PollerStats, key: keyof PollerStats, by = 1): void {
    stats[key] += by;
    this.totals[key] += by;
  }

  private state(shard: Shard): ShardState {
    const id = shard.ShardId ?? '';
    let state = this.shards.get(id);
    if (!state) {
      state = { ended: false };
      this.shards.set(id, state);
    }
    return state;
  }

  private async describeShards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.options.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  private async iterator(
    shardId: string,
    type: ShardIteratorType,
    sequenceNumber?: string,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.options.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        SequenceNumber: sequenceNumber,
      }),
    );
    return ShardIterator;
  }

  private async readShard(
    shard: Shard,
    stats: PollerStats,
    budget: { deadline: number; calls: number },
  ): Promise<void> {
    const shardId = shard.ShardId ?? '';
    const state = this.state(shard);
    let iterator = state.checkpoint
      ? await this.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', state.checkpoint)
      : await this.iterator(shardId, 'TRIM_HORIZON');
    let attempt = 0;
    let emptyReads = 0;
    while (iterator) {
      if (Date.now() > budget.deadline || budget.calls-- <= 0) {
        throw new Error(`stream poller budget exhausted in ${shardId}: ${JSON.stringify(stats)}`);
      }
      const { Records: records = [], NextShardIterator: next } = await this.client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }),
      );
      if (records.length === 0) {
        if (next && ++emptyReads < EMPTY_READS_WHEN_CAUGHT_UP) {
          iterator = next;
          continue;
        }
        state.ended = !next;
        return;
      }
      emptyReads = 0;
      const { retryFrom } = await this.invoke(shardId, records, attempt, stats);
      if (retryFrom === undefined) {
        state.checkpoint = sequenceNumber(records[records.length - 1]);
        attempt = 0;
        iterator = next;
        continue;
      }
      // Records before the lowest failure are done; a retry that starts later than the last one made progress.
      const done = records.filter((record) => BigInt(sequenceNumber(record)) < BigInt(retryFrom));
      if (done.length > 0) {
        state.checkpoint = sequenceNumber(done[done.length - 1]);
        attempt = 0;
      }
      attempt += 1;
      if (attempt > this.maxRetries) {
        this.count(stats, 'batchesDiscarded');
        this.count(stats, 'recordsDiscarded', records.length - done.length);
        state.checkpoint = sequenceNumber(records[records.length - 1]);
        attempt = 0;
        iterator = next;
        continue;
      }
      iterator = await this.iterator(shardId, 'AT_SEQUENCE_NUMBER', retryFrom);
    }
    state.ended = true;
  }

  /** Invokes the handler once with a batch and works out, as Lambda does, where to resume. */
  private async invoke(
    shardId: string,
    records: StreamsRecord[],
    attempt: number,
    stats: PollerStats,
  ): Promise<Outcome> {
    const event = toLambdaEvent(records, this.source);
    this.count(stats, 'invocations');
    this.count(stats, 'recordsDelivered', records.length);
    for (const record of event.Records) {
      const id = `${shardId}/${record.dynamodb.SequenceNumber}`;
      if (this.delivered.has(id)) this.count(stats, 'recordsRedelivered');
      this.delivered.add(id);
    }
    let outcome: Outcome;
    try {
      const context = fakeContext({ region: this.options.region, timeoutMs: this.options.functionTimeoutMs });
      const response = await this.options.handler(event, context);
      outcome = resumePoint(response, event);
      this.count(stats, 'failuresReported', outcome.failures);
    } catch (error) {
      this.count(stats, 'invocationErrors');
      outcome = { retryFrom: sequenceNumber(records[0]), failures: 0, error };
    }
    this.options.onInvocation?.({
      shardId,
      records: records.length,
      attempt,
      failures: outcome.failures,
      error: outcome.error,
      totals: this.totals,
    });
    return outcome;
  }
}

/** Reads a stream to its current end once with a new poller; for one-shot use. */
export async function drainStream(options: PollerOptions): Promise<PollerStats> {
  const poller = new StreamPoller(options);
  try {
    return await poller.drain();
  } finally {
    poller.close();
  }
}

/**
 * Lambda's reading of a `ReportBatchItemFailures` response: no failures means done; otherwise resume at the lowest
 * failed sequence number (compared as numbers: they are decimal strings of varying length). An item identifier that
 * is missing, empty or not in the batch fails the whole batch.
 */
function resumePoint(response: unknown, event: LambdaStreamEvent): Outcome {
  const failures = (response as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  if (!Array.isArray(failures) || failures.length === 0) return { failures: 0 };
  const inBatch = new Set(event.Records.map((record) => record.dynamodb.SequenceNumber));
  const whole = event.Records[0].dynamodb.SequenceNumber;
  let lowest: string | undefined;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !inBatch.has(id)) return { retryFrom: whole, failures: failures.length };
    if (lowest === undefined || BigInt(id) < BigInt(lowest)) lowest = id;
  }
  return { retryFrom: lowest, failures: failures.length };
}

function sequenceNumber(record: StreamsRecord): string {
  const value = record.dynamodb?.SequenceNumber;
  if (!value) throw new Error('stream record without a sequence number');
  return value;
}

/** Orders shards so that each comes after its parent when the parent is among them (Lambda's ordering rule). */
function parentsFirst(shards: Shard[]): Shard[] {
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const ordered: Shard[] = [];
  const placed = new Set<string | undefined>();
  const place = (shard: Shard): void => {
    if (placed.has(shard.ShardId)) return;
    placed.add(shard.ShardId);
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) place(parent);
    ordered.push(shard);
  };
  shards.forEach(place);
  return ordered;
}
