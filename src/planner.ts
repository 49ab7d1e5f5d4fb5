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

/** Plans a batch: one change per item carrying its records, the records that fail without any I/O, and the skipped. */
export function planBatch(records: readonly StreamRecord[], options: PlanOptions = { replicateTtlDeletes: true }): Plan {
  const rejected = new Map<StreamRecord, Error>();
  const skipped: StreamRecord[] = [];
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

  const writes: PlannedWrite[] = [];
  for (const entries of byItem.values()) {
    entries.sort(bySequenceNumber);
    const done: StreamRecord[] = [];
    let last: Change | undefined;
    let failedAt: string | undefined;
    let failed = false;
    for (const { record } of entries) {
      if (failed) {
        rejected.set(record, new BlockedByEarlierFailureError(failedAt));
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
        rejected.set(record, error instanceof Error ? error : new InvalidRecordError(String(error)));
      }
    }
    if (last !== undefined) writes.push({ change: last, records: done });
  }
  return { writes, rejected, skipped };
}
