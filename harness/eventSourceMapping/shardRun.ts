/**
 * One drain of one shard by the stand-in event source mapping: the shard's records, as the reader fetches them, go to
 * `parallelizationFactor` concurrent batches ("slots") by a hash of their item's key (partition and sort key), so each
 * item's records stay in one slot and in order while different slots, and so one partition key's items, are invoked
 * at the same time (Lambda: "ParallelizationFactor … the number of batches to process concurrently from each shard";
 * "Lambda still ensures in-order processing at the item (partition and sort key) level",
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html). Each slot has its own queue and
 * retry state, and follows the error handling of https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html:
 * - a batch holds up to BatchSize queued records and at most 6 MB of event ("Lambda … invokes the function when …
 *   the payload size reaches 6 MB"); with MaximumBatchingWindowInSeconds the slot gathers records for up to that long
 *   after its previous invocation ended (or after its first record came), unless the batch is full before;
 * - records older than MaximumRecordAgeInSeconds are not delivered but given up (`RecordAgeExceeded`);
 * - a complete success moves past the batch; a partial batch response past the records before the lowest failure;
 * - on a function error with BisectBatchOnFunctionError the batch is split in two halves, retried one after the other;
 *   "splitting a batch does not count towards the retry quota";
 * - other failures count as retries; after MaximumRetryAttempts (unless -1) the batch is given up
 *   (`RetryAttemptsExhausted`) and the slot moves on.
 */
import { createHash } from 'node:crypto';
import type { LambdaStreamRecord } from '../lambdaEvent';
import type { FailureCondition, LastInvocation } from './destination';
import type { MappingSettings } from './options';
import type { Verdict } from './verdict';

/** What a slot needs from the poller. */
export interface SlotHost {
  readonly settings: MappingSettings;
  /** Invokes the function with a batch and reads the answer. */
  invoke(
    shardId: string,
    slot: number,
    records: LambdaStreamRecord[],
    attempt: number,
  ): Promise<{ verdict: Verdict; last: LastInvocation }>;
  /** Gives records up (counts them; sends them to the destination when there is one). */
  giveUp(
    shardId: string,
    records: LambdaStreamRecord[],
    condition: FailureCondition,
    invokeCount: number,
    last?: LastInvocation,
  ): void;
  countBisected(): void;
  /** Whether a batch that succeeded is delivered again (counted when it is). */
  duplicate(shardId: string, slot: number, records: number, attempt: number): boolean;
  /** Throws when the drain's budget is spent. */
  checkBudget(where: string): void;
}

/** The batch at the head of a slot's queue: its size is fixed once delivered, until done, split or given up. */
interface Segment {
  size: number;
  /** Failed attempts that count towards MaximumRetryAttempts. */
  attempts: number;
  /** Invocations made with (some of) these records, for `approximateInvokeCount`. */
  invokes: number;
  last?: LastInvocation;
}

interface Slot {
  readonly index: number;
  /** Each record with when it was queued and its size in the event's JSON. */
  readonly queue: Array<{ record: LambdaStreamRecord; queuedAt: number; bytes: number }>;
  /** When the slot last became free to gather a batch: its start, or its previous invocation's end. */
  freeSince: number;
  /** Upcoming batches from the head of the queue: one, or the halves of a bisected batch. */
  readonly segments: Segment[];
}

/** Lambda's invocation payload limit, which also ends a stream batch. */
export const PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
/** The event's JSON around its records: `{"Records":[` and `]}`. */
const EVENT_ENVELOPE_BYTES = '{"Records":[]}'.length;

/** The slot of an item's key: a stable hash, so one item always lands in the same slot. */
export function slotOf(itemKey: unknown, slots: number): number {
  if (slots === 1) return 0;
  return createHash('sha256').update(JSON.stringify(itemKey)).digest().readUInt32BE(0) % slots;
}

/** Resolves every waiter at once; what they wait for is re-checked by them. */
class Signal {
  private waiters: Array<() => void> = [];
  wait(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      if (timeoutMs !== undefined) setTimeout(() => this.notify(), timeoutMs).unref();
    });
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The slots of one shard during one drain; the reader {@link push}es records, {@link finish}es, and awaits {@link run}. */
export class ShardRun {
  private readonly slots: Slot[];
  private readonly changed = new Signal();
  private readerDone = false;
  private failed = false;

  constructor(
    private readonly host: SlotHost,
    readonly shardId: string,
    private readonly itemOf: (record: LambdaStreamRecord) => unknown,
  ) {
    this.slots = Array.from({ length: host.settings.parallelizationFactor }, (_, index) => ({
      index,
      queue: [],
      segments: [],
      freeSince: Date.now(),
    }));
  }

  /** Records queued and not yet done, over all slots (the reader waits while there are many). */
  get queued(): number {
    return this.slots.reduce((sum, slot) => sum + slot.queue.length, 0);
  }

  /** Queues records read from the shard, each in its key's slot. */
  push(records: readonly LambdaStreamRecord[]): void {
    const now = Date.now();
    for (const record of records) {
      const slot = this.slots[slotOf(this.itemOf(record), this.slots.length)];
      slot.queue.push({ record, queuedAt: now, bytes: Buffer.byteLength(JSON.stringify(record)) + 1 });
    }
    this.changed.notify();
  }

  /** The reader has read the shard to its current end: slots deliver what they hold, then stop. */
  finish(): void {
    this.readerDone = true;
    this.changed.notify();
  }

  /** A slot failed (its error rejects {@link run}): reading on is pointless. */
  get stopped(): boolean {
    return this.failed;
  }

  /** Resolves when the queue has room, so the reader does not run far ahead of the slots. */
  async room(limit: number): Promise<void> {
    while (this.queued >= limit && !this.failed) await this.changed.wait();
  }

  /** Runs every slot until the reader is done and all queues are empty; rejects with the first slot's error. */
  async run(): Promise<void> {
    const results = await Promise.allSettled(this.slots.map((slot) => this.runSlot(slot)));
    const rejected = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (rejected) throw rejected.reason;
  }

  private async runSlot(slot: Slot): Promise<void> {
    try {
      for (;;) {
        this.host.checkBudget(`${this.shardId} slot ${slot.index}`);
        if (this.failed) return;
        if (slot.queue.length === 0) {
          if (this.readerDone) return;
          await this.changed.wait();
          continue;
        }
        const { batchingWindowMs } = this.host.settings;
        const waited = Date.now() - Math.max(slot.queue[0].queuedAt, slot.freeSince);
        const length = this.batchLength(slot);
        const full = length === this.host.settings.batchSize || length < slot.queue.length;
        if (slot.segments.length === 0 && !full && waited < batchingWindowMs) {
          await this.changed.wait(batchingWindowMs - waited);
          continue;
        }
        await this.deliverHead(slot);
        slot.freeSince = Date.now();
        this.changed.notify();
      }
    } catch (error) {
      this.failed = true;
      this.changed.notify();
      throw error;
    }
  }

  /** Delivers (or gives up) the batch at the head of a slot's queue once, and applies the outcome. */
  private async deliverHead(slot: Slot): Promise<void> {
    const { settings } = this.host;
    if (slot.segments.length === 0) slot.segments.push({ size: this.batchLength(slot), attempts: 0, invokes: 0 });
    const segment = slot.segments[0];
    const records = slot.queue.slice(0, segment.size).map((queued) => queued.record);
    const expired = this.expiredPrefix(records);
    if (expired > 0) {
      this.host.giveUp(this.shardId, records.slice(0, expired), 'RecordAgeExceeded', segment.invokes, segment.last);
      this.consume(slot, expired);
      return;
    }
    const { verdict, last } = await this.host.invoke(this.shardId, slot.index, records, segment.attempts);
    segment.invokes += 1;
    segment.last = last;
    if (verdict.kind === 'success') {
      if (!this.host.duplicate(this.shardId, slot.index, records.length, segment.attempts)) {
        this.consume(slot, segment.size);
      }
      return;
    }
    if (verdict.kind === 'partial' && verdict.done > 0) {
      // Progress: the records before the lowest failure are done, the rest have failed once.
      this.consume(slot, verdict.done);
      segment.attempts = 0;
    }
    if (verdict.kind === 'failed' && verdict.functionError && settings.bisect && segment.size > 1) {
      const half = Math.ceil(segment.size / 2);
      slot.segments.splice(0, 1, { ...segment, size: half }, { ...segment, size: segment.size - half });
      this.host.countBisected();
      return;
    }
    segment.attempts += 1;
    if (settings.maximumRetryAttempts !== -1 && segment.attempts > settings.maximumRetryAttempts) {
      const rest = slot.queue.slice(0, segment.size).map((queued) => queued.record);
      this.host.giveUp(this.shardId, rest, 'RetryAttemptsExhausted', segment.invokes, segment.last);
      this.consume(slot, segment.size);
    }
  }

  /**
   * How many queued records the next batch takes: up to BatchSize, and no more than fit in 6 MB of event (at least
   * one). BatchSize records, or fewer than the queue holds, make a full batch.
   */
  private batchLength(slot: Slot): number {
    let bytes = EVENT_ENVELOPE_BYTES;
    let count = 0;
    for (const queued of slot.queue) {
      if (count === this.host.settings.batchSize || (count > 0 && bytes + queued.bytes > PAYLOAD_LIMIT_BYTES)) break;
      bytes += queued.bytes;
      count += 1;
    }
    return count;
  }

  /** How many records at the start of a batch are older than MaximumRecordAgeInSeconds. */
  private expiredPrefix(records: readonly LambdaStreamRecord[]): number {
    const limit = this.host.settings.maximumRecordAgeMs;
    if (limit === undefined) return 0;
    const now = Date.now();
    const index = records.findIndex(
      (record) => now - 1000 * (record.dynamodb.ApproximateCreationDateTime ?? Number.POSITIVE_INFINITY) <= limit,
    );
    return index === -1 ? records.length : index;
  }

  /** Removes `count` done or given-up records from the head of the queue and of its segments. */
  private consume(slot: Slot, count: number): void {
    slot.queue.splice(0, count);
    let left = count;
    while (left > 0 && slot.segments.length > 0) {
      const segment = slot.segments[0];
      const taken = Math.min(left, segment.size);
      segment.size -= taken;
      left -= taken;
      if (segment.size === 0) slot.segments.shift();
    }
  }
}
