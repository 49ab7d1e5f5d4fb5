/**
 * One batch → every slave: plan once, write the plan to all slaves at once, and decide each record's outcome.
 *
 * A record succeeds only when every slave holds its effect. When any slave failed an item, all of the item's records
 * in the batch are failed: Lambda re-delivers from the lowest failed sequence number, and the slaves that had
 * succeeded apply the same writes again, which is harmless because puts and deletes of a final state are idempotent.
 */
import type { Budget } from './budget';
import { ReplicatorError, type SlaveWriteError } from './errors';
import { planBatch } from './planner';
import type { Slave } from './slave';
import type { StreamRecord } from './types';

/** What happened on one slave. */
export interface SlaveSummary {
  readonly slave: string;
  readonly itemsWritten: number;
  readonly itemsFailed: number;
  readonly requests: number;
  readonly retries: number;
}

/** The outcome of a batch: which records failed and why, and counts for the summary log. */
export interface BatchOutcome {
  /** Failed records and their errors; every record not here is replicated to every slave. */
  readonly failures: ReadonlyMap<StreamRecord, Error>;
  /** Items planned as puts and as deletes (one per item, after coalescing). */
  readonly puts: number;
  readonly deletes: number;
  readonly slaves: readonly SlaveSummary[];
}

function combine(errors: readonly SlaveWriteError[]): Error {
  if (errors.length === 1) return errors[0] as SlaveWriteError;
  return new ReplicatorError(errors.map((error) => error.message).join(' | '), { cause: errors });
}

/** Replicates one batch of stream records to every slave within `budget`. */
export async function replicateBatch(
  records: readonly StreamRecord[],
  slaves: readonly Slave[],
  budget: Budget,
): Promise<BatchOutcome> {
  const plan = planBatch(records);
  const changes = plan.writes.map((write) => write.change);
  const results = await Promise.all(slaves.map((slave) => slave.write(changes, budget)));

  const failures = new Map<StreamRecord, Error>(plan.rejected);
  for (const write of plan.writes) {
    const errors = results
      .map((result) => result.failures.get(write.change.itemKey))
      .filter((error): error is SlaveWriteError => error !== undefined);
    if (errors.length === 0) continue;
    const error = combine(errors);
    for (const record of write.records) failures.set(record, error);
  }

  const puts = changes.filter((change) => change.kind === 'put').length;
  return {
    failures,
    puts,
    deletes: changes.length - puts,
    slaves: slaves.map((slave, index) => {
      const result = results[index];
      const itemsFailed = result?.failures.size ?? 0;
      return {
        slave: slave.name,
        itemsWritten: changes.length - itemsFailed,
        itemsFailed,
        requests: result?.requests ?? 0,
        retries: result?.retries ?? 0,
      };
    }),
  };
}
