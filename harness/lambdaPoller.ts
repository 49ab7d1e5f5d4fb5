/**
 * A stand-in for Lambda's event source mapping on a DynamoDB stream, for tests, the demo, the benchmark and the soak.
 * It follows Lambda's documented semantics, cited where they are implemented:
 * - "Using AWS Lambda with Amazon DynamoDB" (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html): shards
 *   parent before child, batches of up to BatchSize records, MaximumBatchingWindowInSeconds, StartingPosition
 *   TRIM_HORIZON or LATEST, ParallelizationFactor concurrent batches per shard with per-item order
 *   (eventSourceMapping/shardRun.ts);
 * - "Configuring partial batch response with DynamoDB and Lambda"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html): ReportBatchItemFailures
 *   and how it combines with BisectBatchOnFunctionError (eventSourceMapping/verdict.ts, shardRun.ts);
 * - "Retaining discarded batch records for a DynamoDB event source in Lambda"
 *   (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html): MaximumRetryAttempts,
 *   MaximumRecordAgeInSeconds, bisecting outside the retry quota, and the on-failure destination's document
 *   (eventSourceMapping/destination.ts);
 * - CreateEventSourceMapping (https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html): the
 *   parameters' ranges and defaults (eventSourceMapping/options.ts, where the stand-in's defaults differ).
 * Unlike Lambda it stops: {@link StreamPoller.drain} returns once every shard is read to its current end and every
 * record read is done or given up, within a time and call budget. What it does not copy: docs/guarantees.md.
 */

import { randomUUID } from 'node:crypto';
import type { Shard } from '@aws-sdk/client-dynamodb-streams';
import {
  type GivenUpBatch,
  type LastInvocation,
  type OnFailureRecord,
  onFailureRecord,
  send,
} from './eventSourceMapping/destination';
import {
  type CounterName,
  emptyStats,
  type MappingSettings,
  type PollerOptions,
  type PollerStats,
  settingsOf,
} from './eventSourceMapping/options';
import { ShardRun } from './eventSourceMapping/shardRun';
import { parentsFirst, StreamReader, type StreamSource } from './eventSourceMapping/streamReader';
import { type Verdict, verdictOf } from './eventSourceMapping/verdict';
import { type EventSource, type LambdaStreamRecord, toLambdaRecord } from './lambdaEvent';
import { inProcessFunction, type LambdaFunction } from './lambdaFunction';

export type { OnFailureRecord } from './eventSourceMapping/destination';
export type {
  BatchToDeliver,
  InvocationReport,
  OnFailureDestination,
  PollerOptions,
  PollerStats,
  StartingPosition,
} from './eventSourceMapping/options';

interface ShardState {
  /** Last sequence number whose record (and all before it) was done or given up. */
  checkpoint?: string;
  /** Where to read from before any checkpoint (StartingPosition LATEST, taken at the first drain). */
  iterator?: string;
  /** Closed shard read to its end: nothing more will ever come from it. */
  ended: boolean;
}

interface Budget {
  readonly deadline: number;
  calls: number;
}

/** Empty GetRecords answers in a row that mean an open shard is caught up (DynamoDB Local answers at once). */
const EMPTY_READS_WHEN_CAUGHT_UP = 2;

/** Reads a DynamoDB stream and invokes a function like Lambda's event source mapping; keeps its place between drains. */
export class StreamPoller {
  /** Counters over every drain so far. */
  readonly totals: PollerStats;
  /** The on-failure documents sent so far (the destination's list when it gave one). */
  readonly failureRecords: OnFailureRecord[];
  private readonly settings: MappingSettings;
  private readonly reader: StreamSource;
  private readonly fn: LambdaFunction;
  private readonly source: EventSource;
  private readonly functionArn: string;
  private readonly shards = new Map<string, ShardState>();
  private readonly delivered = new Set<string>();
  private started = false;
  private inFlight = 0;

  constructor(private readonly options: PollerOptions) {
    this.settings = settingsOf(options);
    this.totals = emptyStats(this.settings.parallelizationFactor);
    this.reader = options.source ?? new StreamReader(options.endpoint, options.region, options.streamArn);
    this.fn =
      options.function ??
      inProcessFunction(options.handler as NonNullable<PollerOptions['handler']>, {
        region: options.region,
        timeoutMs: options.functionTimeoutMs,
      });
    // DynamoDB Local puts the placeholder region `ddblocal` in its ARNs; Lambda reports the table's real region.
    this.source = {
      awsRegion: options.region,
      eventSourceARN: options.streamArn.replace(/^(arn:[^:]+:dynamodb:)ddblocal:/, `$1${options.region}:`),
    };
    this.functionArn =
      options.functionArn ?? `arn:aws:lambda:${options.region}:123456789012:function:dynamo-replicator`;
    this.failureRecords = options.onFailure?.records ?? [];
  }

  /**
   * Takes the starting position in the shards open now (as creating the mapping does); the first drain does it when
   * not called. With LATEST, records written before are never delivered; with TRIM_HORIZON it changes nothing.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    if (this.settings.startingPosition !== 'LATEST') return;
    for (const shard of await this.reader.shards()) {
      const state = this.state(shard);
      if (shard.SequenceNumberRange?.EndingSequenceNumber) state.ended = true;
      else state.iterator = await this.reader.iterator(shard.ShardId ?? '', 'LATEST');
    }
  }

  /** Delivers every record written so far that was not yet done; resolves with this drain's counters. */
  async drain(): Promise<PollerStats> {
    await this.start();
    const stats = emptyStats(this.settings.parallelizationFactor);
    const budget: Budget = {
      deadline: Date.now() + (this.options.timeoutMs ?? 120_000),
      calls: this.options.maxGetRecordsCalls ?? 20_000,
    };
    const run = { stats, budget };
    // Shards can split while we read: describe again until a pass finds no shard left to read in this drain.
    const read = new Set<string>();
    for (;;) {
      const shards = await this.reader.shards();
      const pending = shards.filter((shard) => !this.state(shard).ended && !read.has(shard.ShardId ?? ''));
      if (pending.length === 0) return stats;
      // Shards run concurrently, each child after its parent (Lambda processes a parent shard before its children):
      // a child whose parent is still listed is read only once the parent is closed and read to its end, so a parent
      // still open never delivers its last records after its child's.
      const listed = new Set(shards.map((shard) => shard.ShardId));
      const done = new Map<string, Promise<void>>();
      for (const shard of parentsFirst(pending)) {
        const parentId = shard.ParentShardId;
        const parent = parentId ? done.get(parentId) : undefined;
        done.set(
          shard.ShardId ?? '',
          (parent ?? Promise.resolve()).then(() =>
            parentId && listed.has(parentId) && !this.shards.get(parentId)?.ended
              ? undefined
              : this.readShard(shard, run),
          ),
        );
      }
      const results = await Promise.allSettled(done.values());
      const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (rejected) throw rejected.reason;
      for (const shard of pending) read.add(shard.ShardId ?? '');
    }
  }

  /** Releases the Streams and DynamoDB clients. */
  close(): void {
    this.reader.close();
  }

  /** Adds to a drain's counters and to the totals. */
  private count(stats: PollerStats, key: CounterName, by = 1): void {
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

  /**
   * The value slots are chosen by: the record's item, its whole key (partition and sort key), sorted by attribute
   * name, so that an item's records keep their order while one partition key's items run in different slots.
   */
  private itemOf(record: LambdaStreamRecord): string {
    return JSON.stringify(Object.entries(record.dynamodb.Keys ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  /** Reads one shard to its current end into its slots while they deliver; moves the checkpoint when all is done. */
  private async readShard(shard: Shard, run: { stats: PollerStats; budget: Budget }): Promise<void> {
    const shardId = shard.ShardId ?? '';
    const state = this.state(shard);
    const shardRun = new ShardRun(this.slotHost(run), shardId, (record) => this.itemOf(record));
    const slots = shardRun.run();
    let iterator: string | undefined;
    let lastRead: string | undefined;
    let closed = false;
    try {
      iterator = state.iterator ?? (await this.positionAfter(shardId, state.checkpoint));
      let emptyReads = 0;
      let trimmedReads = 0;
      while (iterator) {
        this.checkBudget(run, shardId, true);
        await shardRun.room(this.settings.batchSize * this.settings.parallelizationFactor * 2);
        if (shardRun.stopped) break;
        let page: Awaited<ReturnType<StreamSource['records']>>;
        try {
          page = await this.reader.records(iterator, this.settings.batchSize);
        } catch (error) {
          if ((error as { name?: string }).name !== 'TrimmedDataAccessException' || ++trimmedReads > 3) throw error;
          iterator = await this.positionAfter(shardId, lastRead ?? state.checkpoint);
          continue;
        }
        const { Records: records = [], NextShardIterator: next } = page;
        if (records.length === 0 && next && ++emptyReads < EMPTY_READS_WHEN_CAUGHT_UP) {
          iterator = next;
          continue;
        }
        if (records.length > 0) {
          emptyReads = 0;
          shardRun.push(records.map((record) => toLambdaRecord(record, this.source)));
          lastRead = records[records.length - 1].dynamodb?.SequenceNumber;
        }
        if (!next) closed = true;
        // Caught up: keep the iterator for the next drain when nothing was read from the LATEST position yet.
        if (records.length === 0) {
          if (state.iterator && !lastRead) state.iterator = next;
          break;
        }
        iterator = next;
      }
    } catch (error) {
      shardRun.finish();
      await slots.catch(() => undefined);
      throw error;
    }
    shardRun.finish();
    await slots;
    if (lastRead) {
      state.checkpoint = lastRead;
      state.iterator = undefined;
    }
    state.ended = closed || !iterator;
  }

  /**
   * A fresh iterator after `sequenceNumber` (the shard's start without one). DynamoDB Local answers
   * TrimmedDataAccessException for an iterator taken while its shard was empty once the first record arrives (a known
   * bug of it: nothing is trimmed from its stream), so such a read is tried again from the same position.
   */
  private positionAfter(shardId: string, sequenceNumber: string | undefined): Promise<string | undefined> {
    return sequenceNumber
      ? this.reader.iterator(shardId, 'AFTER_SEQUENCE_NUMBER', sequenceNumber)
      : this.reader.iterator(shardId, 'TRIM_HORIZON');
  }

  private checkBudget(run: { stats: PollerStats; budget: Budget }, where: string, call = false): void {
    if (Date.now() > run.budget.deadline || (call && run.budget.calls-- <= 0)) {
      throw new Error(`stream poller budget exhausted in ${where}: ${JSON.stringify(run.stats)}`);
    }
  }

  /** What the slots of a shard call back into. */
  private slotHost(run: { stats: PollerStats; budget: Budget }): ConstructorParameters<typeof ShardRun>[0] {
    return {
      settings: this.settings,
      invoke: (shardId, slot, records, attempt) => this.invoke(run.stats, shardId, slot, records, attempt),
      giveUp: (shardId, records, condition, invokeCount, last) =>
        this.giveUp(run.stats, { shardId, records, condition, invokeCount, last }),
      countBisected: () => this.count(run.stats, 'batchesBisected'),
      duplicate: (shardId, slot, records, attempt) => {
        const again = this.options.duplicate?.({ shardId, slot, records, attempt }) ?? false;
        if (again) this.count(run.stats, 'batchesDuplicated');
        return again;
      },
      checkBudget: (where) => this.checkBudget(run, where),
    };
  }

  /** Invokes the function once with a batch and reads its answer as Lambda does. */
  private async invoke(
    stats: PollerStats,
    shardId: string,
    slot: number,
    records: LambdaStreamRecord[],
    attempt: number,
  ): Promise<{ verdict: Verdict; last: LastInvocation }> {
    this.count(stats, 'invocations');
    this.count(stats, 'recordsDelivered', records.length);
    stats.invocationsPerSlot[slot] += 1;
    this.totals.invocationsPerSlot[slot] += 1;
    for (const record of records) {
      const id = `${shardId}/${record.dynamodb.SequenceNumber}`;
      if (this.delivered.has(id)) this.count(stats, 'recordsRedelivered');
      this.delivered.add(id);
    }
    const killAfterMs = this.options.kill?.({ shardId, slot, records: records.length, attempt });
    // Each invocation gets its own copy of the event, as each Lambda invocation parses its own payload.
    const event = { Records: JSON.parse(JSON.stringify(records)) as LambdaStreamRecord[] };
    this.inFlight += 1;
    stats.maxConcurrentInvocations = Math.max(stats.maxConcurrentInvocations, this.inFlight);
    this.totals.maxConcurrentInvocations = Math.max(this.totals.maxConcurrentInvocations, this.inFlight);
    let invocation: Awaited<ReturnType<LambdaFunction['invoke']>>;
    try {
      invocation = await this.fn.invoke(event, killAfterMs === undefined ? {} : { killAfterMs });
    } finally {
      this.inFlight -= 1;
    }
    const verdict = verdictOf(invocation, records, this.settings.reportBatchItemFailures);
    if (invocation.status === 'error') {
      this.count(stats, 'invocationErrors');
      if (invocation.killed) this.count(stats, 'invocationsKilled');
      if (invocation.timedOut) this.count(stats, 'invocationsTimedOut');
    }
    const failures = verdict.kind === 'success' ? verdict.ignored : verdict.failures;
    this.count(stats, 'failuresReported', failures);
    if (verdict.kind === 'success') this.count(stats, 'failuresIgnored', verdict.ignored);
    this.options.onInvocation?.({
      shardId,
      slot,
      records: records.length,
      attempt,
      failures,
      error: verdict.kind === 'failed' ? verdict.error : undefined,
      totals: this.totals,
    });
    return { verdict, last: { requestId: randomUUID(), functionError: invocation.status === 'error' } };
  }

  /** Counts given-up records and, with a destination, sends their document. */
  private giveUp(stats: PollerStats, part: GivenUpPart): void {
    this.count(stats, 'batchesDiscarded');
    this.count(stats, 'recordsDiscarded', part.records.length);
    if (part.condition === 'RecordAgeExceeded') this.count(stats, 'recordsExpired', part.records.length);
    const destination = this.options.onFailure;
    if (!destination) return;
    this.count(stats, 'recordsSentToDestination', part.records.length);
    const batch: GivenUpBatch = { ...part, streamArn: this.source.eventSourceARN, functionArn: this.functionArn };
    send(destination, this.failureRecords, onFailureRecord(batch));
  }
}

type GivenUpPart = Omit<GivenUpBatch, 'streamArn' | 'functionArn'>;

/** Reads a stream to its current end once with a new poller; for one-shot use. */
export async function drainStream(options: PollerOptions): Promise<PollerStats> {
  const poller = new StreamPoller(options);
  try {
    return await poller.drain();
  } finally {
    poller.close();
  }
}
