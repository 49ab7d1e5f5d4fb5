/**
 * What the planner makes of stream records, as replicateBatch takes it: shared by the unit tests of the planner and
 * of a record's change, which are split by concern.
 */
import { streamEvent } from '../../harness/records';
import { decodeChange, identifyRecord } from '../../src/replicator/change';
import { type PlanOptions, planBatch } from '../../src/replicator/planner';
import type { Change, PlannedWrite, StreamRecord } from '../../src/replicator/types';
import { itemKeyOf } from '../../src/shared/key';

/** A whole batch's plan, taken item by item from {@link planBatch} as replicateBatch takes it. */
export interface Plan {
  readonly writes: readonly PlannedWrite[];
  readonly rejected: ReadonlyMap<StreamRecord, Error>;
  readonly skipped: readonly StreamRecord[];
}

export function planOf(records: readonly StreamRecord[], options?: PlanOptions): Plan {
  const batch = planBatch(records, options);
  const plan = { writes: [] as PlannedWrite[], rejected: new Map(batch.rejected), skipped: [] as StreamRecord[] };
  for (const item of batch.items) {
    for (const [record, error] of item.rejected) plan.rejected.set(record, error);
    plan.skipped.push(...item.skipped);
    if (item.write) plan.writes.push(item.write);
  }
  return plan;
}

/** The planned write for item `id` (key `{ pk: { S: id } }`), or undefined when none is planned. */
export function writeFor(plan: Plan, id: string): PlannedWrite | undefined {
  const itemKey = itemKeyOf({ pk: { S: id } });
  return plan.writes.find((write) => write.change.itemKey === itemKey);
}

export function sequenceNumbers(records: readonly StreamRecord[]): (string | undefined)[] {
  return records.map((record) => record.dynamodb?.SequenceNumber);
}

/** Records as Lambda delivers them: parsed from JSON, so every object is fresh. */
export function delivered(records: StreamRecord[]): StreamRecord[] {
  return streamEvent(records).Records;
}

/** What the planner makes of `record` ({@link identifyRecord}, then {@link decodeChange}): its change, or its error thrown. */
export function toChange(record: unknown): Change {
  const decoded = decodeChange(identifyRecord(record as StreamRecord));
  if (decoded.error) throw decoded.error;
  return decoded.change;
}
