/**
 * A batch of stream records → one write per item (pure: no I/O).
 *
 * Only the last change to an item in a batch has to reach the slave: a put of its last new image, or a delete. So a
 * batch becomes at most one write per item, which can all be sent at once without two changes to one item ever
 * racing. Within an item, changes are taken in sequence-number order (the only order DynamoDB guarantees). When one
 * of them cannot be written, the item's earlier changes are still written (they are reported as done, so they must
 * be), and its later changes are held back and reported failed: Lambda re-delivers from the lowest failed sequence
 * number, and they must not overtake the failed one.
 *
 * The path is one-directional: each record's identity (sequence number, `Keys`) is read once and the records are
 * grouped by item; then each item is planned by decoding its records' changes (their images), once, as the caller
 * takes the item — so the first writes leave while later images are still to be decoded.
 */
import { checkChange, decodeChange, type IdentifiedRecord, identifyRecord, isTtlDelete } from './change';
import { BlockedByEarlierFailureError, InvalidRecordError } from './errors';
import type { Change, PlannedWrite, StreamRecord } from './types';

/**
 * Orders two records by sequence number (strings of digits, see `sequenceNumberOf`); a record without one keeps its
 * place. Digit strings of one length compare as text, and without leading zeros the longer is the larger: only a
 * leading zero needs them read as numbers.
 */
function bySequenceNumber(a: IdentifiedRecord, b: IdentifiedRecord): number {
  const left = a.sequenceNumber;
  const right = b.sequenceNumber;
  if (left === undefined || right === undefined) return 0;
  if (left.length === right.length) return left < right ? -1 : left > right ? 1 : 0;
  if (left[0] !== '0' && right[0] !== '0') return left.length < right.length ? -1 : 1;
  const [x, y] = [BigInt(left), BigInt(right)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Whether `records` are already in sequence-number order, as a shard delivers them. */
function inOrder(records: readonly IdentifiedRecord[]): boolean {
  for (let index = 1; index < records.length; index += 1) {
    if (bySequenceNumber(records[index - 1] as IdentifiedRecord, records[index] as IdentifiedRecord) > 0) return false;
  }
  return true;
}

/** Choices that change what a batch asks of the slave. */
export interface PlanOptions {
  /**
   * Whether deletes made by DynamoDB's TTL process reach the slave. When false they are skipped: the slave keeps the
   * item's last state and expires it by its own TTL, without paying for the delete twice.
   */
  readonly replicateTtlDeletes: boolean;
}

/** Records grouped by item, each item's in sequence-number order, and the records with no usable key. */
interface Grouping {
  readonly items: readonly (readonly IdentifiedRecord[])[];
  readonly rejected: Map<StreamRecord, Error>;
}

/** Groups identified records by the item they change; items keep their first appearance order. */
function groupByItem(records: readonly IdentifiedRecord[]): Grouping {
  const rejected = new Map<StreamRecord, Error>();
  const byItem = new Map<string, IdentifiedRecord[]>();
  for (const identified of records) {
    if (identified.itemKey === undefined) {
      // Without a key the record belongs to no item: it can only fail, and it can hold back nothing.
      rejected.set(identified.record, identified.error ?? new InvalidRecordError('record has no usable dynamodb.Keys'));
      continue;
    }
    const entries = byItem.get(identified.itemKey);
    if (entries) entries.push(identified);
    else byItem.set(identified.itemKey, [identified]);
  }
  const items = [...byItem.values()];
  // A shard delivers in order: sorting (stable, so records without a sequence number keep their place) is the exception.
  for (const entries of items) if (!inOrder(entries)) entries.sort(bySequenceNumber);
  return { items, rejected };
}

/** What one item's records in a batch come to. */
export interface ItemPlan {
  /** The item's final change and the records it carries; absent when no record of the item can be written. */
  readonly write?: PlannedWrite;
  readonly rejected: readonly (readonly [StreamRecord, Error])[];
  readonly skipped: readonly StreamRecord[];
}

/** The index of the last of an item's records that carries a change (TTL deletes are skipped when so configured). */
function lastChangeIndex(records: readonly IdentifiedRecord[], options: PlanOptions): number {
  let index = records.length - 1;
  if (options.replicateTtlDeletes) return index;
  while (index >= 0 && isTtlDelete((records[index] as IdentifiedRecord).record)) index -= 1;
  return index;
}

/**
 * Plans one item from its records in sequence-number order (as {@link groupByItem} gives them). Every record is
 * checked, so a malformed one fails even when a later change supersedes it; only the change that is written has its
 * image decoded into an item.
 */
function planItem(records: readonly IdentifiedRecord[], options: PlanOptions): ItemPlan {
  const rejected: [StreamRecord, Error][] = [];
  const skipped: StreamRecord[] = [];
  const done: StreamRecord[] = [];
  const final = lastChangeIndex(records, options);
  let last: { change: Change; source: StreamRecord } | undefined;
  /** The last record that passed its checks without being decoded, while no later one has been decoded. */
  let lastChecked: IdentifiedRecord | undefined;
  let failedAt: string | undefined;
  let failed = false;
  for (const [index, identified] of records.entries()) {
    const { record, sequenceNumber } = identified;
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
    // A change a later one supersedes is only checked; the last is decoded.
    const decoded = index < final ? undefined : decodeChange(identified);
    const error = decoded === undefined ? checkChange(identified) : decoded.error;
    if (error !== undefined) {
      failed = true;
      failedAt = sequenceNumber;
      rejected.push([record, error]);
      continue;
    }
    if (decoded !== undefined && decoded.error === undefined) last = { change: decoded.change, source: record };
    else lastChecked = identified;
    done.push(record);
  }
  if (last === undefined && lastChecked) last = { change: decodeChecked(lastChecked), source: lastChecked.record };
  return {
    write: last === undefined ? undefined : { change: last.change, records: done, source: last.source },
    rejected,
    skipped,
  };
}

/** Decodes a record that passed {@link checkChange}: the same checks, so it cannot fail. */
function decodeChecked(identified: IdentifiedRecord): Change {
  const decoded = decodeChange(identified);
  if (decoded.error) throw decoded.error;
  return decoded.change;
}

/** A batch as the planner hands it out: the records that fail alone, and each item's plan, made on demand. */
export interface BatchPlan {
  /** Records without a usable key: they belong to no item, so they fail alone and hold back nothing. */
  readonly rejected: ReadonlyMap<StreamRecord, Error>;
  /**
   * One plan per item, in the order items first appear in the batch. Each is made as it is taken, so the caller can
   * send an item's write before the next item is planned. Can be iterated once.
   */
  readonly items: Iterable<ItemPlan>;
}

function* planItems(items: readonly (readonly IdentifiedRecord[])[], options: PlanOptions): Generator<ItemPlan> {
  for (const item of items) yield planItem(item, options);
}

/**
 * Plans a batch: reads every record's identity once, groups the records by item, and plans each item (decoding its
 * records' changes) one at a time as the caller takes them.
 */
export function planBatch(
  records: readonly StreamRecord[],
  options: PlanOptions = { replicateTtlDeletes: true },
): BatchPlan {
  const { items, rejected } = groupByItem(records.map(identifyRecord));
  return { rejected, items: planItems(items, options) };
}
