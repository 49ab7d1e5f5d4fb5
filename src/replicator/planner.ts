/**
 * A batch of stream records → one write per item (pure: no I/O).
 *
 * Only the last change to an item in a batch has to reach the slave: a put of its last new image, or a delete. So a
 * batch becomes at most one write per item, which can all be sent at once without two changes to one item ever
 * racing. Within an item, changes are taken in sequence-number order (the only order DynamoDB guarantees). When one
 * of them cannot be written, the item's earlier changes are still written (they are reported as done, so they must
 * be), and its later changes are held back and reported failed: Lambda re-delivers from the lowest failed sequence
 * number, and they must not overtake the failed one.
 */
import { isTtlDelete, keyOf, sequenceNumberOf, toChange } from './change';
import { BlockedByEarlierFailureError, InvalidRecordError } from './errors';
import type { Change, Plan, PlannedWrite, StreamRecord } from './types';

interface Entry {
  readonly record: StreamRecord;
  readonly sequenceNumber: bigint | undefined;
}

function bySequenceNumber(a: Entry, b: Entry): number {
  if (a.sequenceNumber === undefined || b.sequenceNumber === undefined) return 0;
  return a.sequenceNumber < b.sequenceNumber ? -1 : a.sequenceNumber > b.sequenceNumber ? 1 : 0;
}

function errorOf(record: StreamRecord): Error {
  try {
    toChange(record);
  } catch (error) {
    return error instanceof Error ? error : new InvalidRecordError(String(error));
  }
  return new InvalidRecordError('record has no usable dynamodb.Keys');
}

/** Choices that change what a batch asks of the slave. */
export interface PlanOptions {
  /**
   * Whether deletes made by DynamoDB's TTL process reach the slave. When false they are skipped: the slave keeps the
   * item's last state and expires it by its own TTL, without paying for the delete twice.
   */
  readonly replicateTtlDeletes: boolean;
}

/** A batch's records grouped by item, each item's in sequence-number order, and the records with no usable key. */
export interface Grouping {
  readonly items: readonly (readonly StreamRecord[])[];
  readonly rejected: ReadonlyMap<StreamRecord, Error>;
}

/** Groups records by the item they change (cheap: only keys are read); items keep their first appearance order. */
export function groupByItem(records: readonly StreamRecord[]): Grouping {
  const rejected = new Map<StreamRecord, Error>();
  const byItem = new Map<string, Entry[]>();
  for (const record of records) {
    const identity = keyOf(record);
    if (identity === undefined) {
      // Without a key the record belongs to no item: it can only fail, and it can hold back nothing.
      rejected.set(record, errorOf(record));
      continue;
    }
    const sequenceNumber = sequenceNumberOf(record);
    const entry = { record, sequenceNumber: sequenceNumber === undefined ? undefined : BigInt(sequenceNumber) };
    const entries = byItem.get(identity.itemKey);
    if (entries) entries.push(entry);
    else byItem.set(identity.itemKey, [entry]);
  }
  const items = [...byItem.values()].map((entries) => entries.sort(bySequenceNumber).map((entry) => entry.record));
  return { items, rejected };
}

/** What one item's records in a batch come to. */
export interface ItemPlan {
  /** The item's final change and the records it carries; absent when no record of the item can be written. */
  readonly write?: PlannedWrite;
  readonly rejected: readonly (readonly [StreamRecord, Error])[];
  readonly skipped: readonly StreamRecord[];
}

/** Plans one item from its records in sequence-number order (as {@link groupByItem} gives them). */
export function planItem(records: readonly StreamRecord[], options: PlanOptions): ItemPlan {
  const rejected: [StreamRecord, Error][] = [];
  const skipped: StreamRecord[] = [];
  const done: StreamRecord[] = [];
  let last: Change | undefined;
  let failedAt: string | undefined;
  let failed = false;
  for (const record of records) {
    if (failed) {
      rejected.push([record, new BlockedByEarlierFailureError(failedAt)]);
      continue;
    }
    if (!options.replicateTtlDeletes && isTtlDelete(record)) {
      // Skipped, but still carried by the item's write: if that fails, this later record must fail too.
      skipped.push(record);
      done.push(record);
      continue;
    }
    try {
      last = toChange(record);
      done.push(record);
    } catch (error) {
      failed = true;
      failedAt = sequenceNumberOf(record);
      rejected.push([record, error instanceof Error ? error : new InvalidRecordError(String(error))]);
    }
  }
  return { write: last === undefined ? undefined : { change: last, records: done }, rejected, skipped };
}

/** Plans a whole batch at once: one change per item, the records that fail without any I/O, and the skipped. */
export function planBatch(
  records: readonly StreamRecord[],
  options: PlanOptions = { replicateTtlDeletes: true },
): Plan {
  const grouping = groupByItem(records);
  const rejected = new Map(grouping.rejected);
  const skipped: StreamRecord[] = [];
  const writes: PlannedWrite[] = [];
  for (const item of grouping.items) {
    const plan = planItem(item, options);
    for (const [record, error] of plan.rejected) rejected.set(record, error);
    skipped.push(...plan.skipped);
    if (plan.write) writes.push(plan.write);
  }
  return { writes, rejected, skipped };
}
