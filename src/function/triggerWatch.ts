/**
 * A check that the trigger honours the partial batch responses the function sends.
 *
 * With `REPORT_BATCH_ITEM_FAILURES=true` the function answers a batch with some failed records with
 * `{ batchItemFailures }` and no error. That is right only when the trigger has ReportBatchItemFailures on: Lambda
 * then delivers the shard again from the lowest failed sequence number. A trigger without it takes the answer as
 * success and moves on, and the failed changes never reach the slave. The function cannot read its trigger's
 * settings, but it can see the consequence. The records of a batch all come from one shard, and an item's changes
 * stay in one shard (or its children, after the parent is done). Lambda delivers a shard again right after a partial
 * response, so when the container's very next batch brings a later change of an item whose change was just reported
 * failed, without that failed change, the failed change was skipped: the trigger ignores partial responses, or its
 * retry or record-age limits gave up on the batch. Either way the trigger moved past a change the slave does not
 * hold, which the handler logs as an ERROR and counts in the `FailuresNotRetried` metric.
 *
 * Only the next batch is compared: after it, a later change of the item may come after a retry that another
 * container ran. What it cannot see: a skipped change of an item that does not change in the next batch, or a next
 * batch that another container runs. One object per handler, so per container.
 */
import { identifyRecord } from '../replicator/change';
import type { StreamRecord } from '../replicator/types';

/** A change the function reported failed that the trigger did not deliver again. */
export interface SkippedFailure {
  /** The sequence number reported failed. */
  readonly sequenceNumber: string;
  /** The later record of the same item that arrived without it. */
  readonly seenInstead: string;
  /** The stream's ARN. */
  readonly stream: string;
}

/** The failures of the container's last batch, by stream and item, to compare the next batch with. */
export class TriggerWatch {
  /** `stream item` → the lowest sequence number of the item the last batch reported failed. */
  private failed = new Map<string, string>();

  /**
   * Compares a batch with the failures the previous one reported, then forgets them: a later change of a failed item
   * arriving without the failed change is returned (the trigger skipped it).
   */
  public check(records: readonly StreamRecord[]): SkippedFailure[] {
    const failed = this.failed;
    this.failed = new Map();
    if (failed.size === 0) return [];
    const arrived = new Map<string, { lowest: string; sequenceNumbers: Set<string> }>();
    for (const record of records) {
      const watched = watchedKeyOf(record, failed);
      if (!watched) continue;
      const { id, sequenceNumber } = watched;
      const seen = arrived.get(id) ?? { lowest: sequenceNumber, sequenceNumbers: new Set<string>() };
      seen.sequenceNumbers.add(sequenceNumber);
      if (BigInt(sequenceNumber) < BigInt(seen.lowest)) seen.lowest = sequenceNumber;
      arrived.set(id, seen);
    }
    const skipped: SkippedFailure[] = [];
    for (const [id, seen] of arrived) {
      const sequenceNumber = failed.get(id) as string;
      if (seen.sequenceNumbers.has(sequenceNumber) || BigInt(seen.lowest) < BigInt(sequenceNumber)) continue;
      skipped.push({ sequenceNumber, seenInstead: seen.lowest, stream: id.slice(0, id.indexOf(' ')) });
    }
    return skipped;
  }

  /** Remembers the records reported failed, the lowest sequence number per item. */
  public remember(failures: Iterable<StreamRecord>): void {
    for (const record of failures) {
      const { itemKey, sequenceNumber } = identifyRecord(record);
      const stream = record?.eventSourceARN;
      if (itemKey === undefined || sequenceNumber === undefined || typeof stream !== 'string') continue;
      const id = `${stream} ${itemKey}`;
      const known = this.failed.get(id);
      if (known !== undefined && BigInt(known) <= BigInt(sequenceNumber)) continue;
      this.failed.set(id, sequenceNumber);
    }
  }
}

/** The watched item a record is about, with its sequence number; undefined when its item is not in `failed`. */
function watchedKeyOf(
  record: StreamRecord,
  failed: ReadonlyMap<string, string>,
): { id: string; sequenceNumber: string } | undefined {
  const stream = record?.eventSourceARN;
  if (typeof stream !== 'string') return undefined;
  const { itemKey, sequenceNumber } = identifyRecord(record);
  if (itemKey === undefined || sequenceNumber === undefined) return undefined;
  const id = `${stream} ${itemKey}`;
  return failed.has(id) ? { id, sequenceNumber } : undefined;
}
