/**
 * One batch → every slave: plan once, read from the master what the stream did not carry, write the plan to all
 * slaves at once, and decide each record's outcome.
 *
 * A record succeeds only when every slave holds its effect. When any slave failed an item, all of the item's records
 * in the batch are failed: Lambda re-delivers from the lowest failed sequence number, and the slaves that had
 * succeeded apply the same writes again, which is harmless because puts and deletes of a final state are idempotent.
 */
import type { Budget } from './budget';
import { sourceTableOf } from './config';
import { InvalidRecordError, ReplicatorError, type SlaveWriteError } from './errors';
import type { FetchRequest, FetchResult, MasterReader } from './master';
import { planBatch } from './planner';
import type { Slave } from './slave';
import type { PlannedWrite, StreamRecord, WriteChange } from './types';

/** What a batch is replicated with: long-lived parts and settings, made once per container. */
export interface Replication {
  readonly slaves: readonly Slave[];
  readonly master: MasterReader;
  readonly replicateTtlDeletes: boolean;
}

/** What happened on one slave. */
export interface SlaveSummary {
  readonly slave: string;
  readonly itemsWritten: number;
  readonly itemsFailed: number;
  readonly requests: number;
  readonly retries: number;
  /** Stream records whose effect this slave now holds. */
  readonly recordsReplicated: number;
}

/** The outcome of a batch: which records failed and why, and counts for the summary log and metrics. */
export interface BatchOutcome {
  /** Failed records and their errors; every record not here is replicated to every slave (or skipped). */
  readonly failures: ReadonlyMap<StreamRecord, Error>;
  /** Items written as puts and as deletes (one per item, after coalescing and master reads). */
  readonly puts: number;
  readonly deletes: number;
  /** Items read from the master because their records had no new image. */
  readonly fetched: number;
  /** Records not replicated on purpose (TTL deletes, when so configured). */
  readonly skipped: number;
  readonly slaves: readonly SlaveSummary[];
}

interface ResolvedWrite {
  readonly change: WriteChange;
  readonly records: readonly StreamRecord[];
}

function combine(errors: readonly Error[]): Error {
  if (errors.length === 1) return errors[0] as Error;
  return new ReplicatorError(errors.map((error) => error.message).join(' | '), { cause: errors });
}

function failRecords(failures: Map<StreamRecord, Error>, records: readonly StreamRecord[], error: Error): void {
  for (const record of records) failures.set(record, error);
}

/** Turns `fetch` changes into writes by reading the master; the records of items that cannot be read fail. */
async function resolveFetches(
  planned: readonly PlannedWrite[],
  master: MasterReader,
  budget: Budget,
  failures: Map<StreamRecord, Error>,
): Promise<{ writes: ResolvedWrite[]; fetched: number }> {
  const requests: FetchRequest[] = [];
  for (const { change, records } of planned) {
    if (change.kind !== 'fetch') continue;
    const arn = records[records.length - 1]?.eventSourceARN;
    const table = typeof arn === 'string' ? sourceTableOf(arn) : undefined;
    if (table) requests.push({ itemKey: change.itemKey, key: change.key, table });
    else {
      const error = new InvalidRecordError(
        'record has no new image and no eventSourceARN naming its table, so the item cannot be read from the master',
      );
      failRecords(failures, records, error);
    }
  }
  const fetched: FetchResult | undefined = requests.length > 0 ? await master.read(requests, budget) : undefined;
  const writes: ResolvedWrite[] = [];
  for (const { change, records } of planned) {
    if (change.kind !== 'fetch') {
      writes.push({ change, records });
      continue;
    }
    const write = fetched?.writes.get(change.itemKey);
    const error = fetched?.failures.get(change.itemKey);
    if (write) writes.push({ change: write, records });
    else if (error) failRecords(failures, records, error);
  }
  return { writes, fetched: requests.length };
}

/** Replicates one batch of stream records to every slave within `budget`. */
export async function replicateBatch(
  records: readonly StreamRecord[],
  replication: Replication,
  budget: Budget,
): Promise<BatchOutcome> {
  const plan = planBatch(records, { replicateTtlDeletes: replication.replicateTtlDeletes });
  const failures = new Map<StreamRecord, Error>(plan.rejected);
  const { writes, fetched } = await resolveFetches(plan.writes, replication.master, budget, failures);
  const changes = writes.map((write) => write.change);
  const results = await Promise.all(replication.slaves.map((slave) => slave.write(changes, budget)));

  const skipped = new Set(plan.skipped);
  const replicated = results.map(() => 0);
  for (const write of writes) {
    const errors: SlaveWriteError[] = [];
    const carried = write.records.filter((record) => !skipped.has(record)).length;
    results.forEach((result, index) => {
      const error = result.failures.get(write.change.itemKey);
      if (error) errors.push(error);
      else replicated[index] = (replicated[index] ?? 0) + carried;
    });
    if (errors.length > 0) failRecords(failures, write.records, combine(errors));
  }

  const puts = changes.filter((change) => change.kind === 'put').length;
  return {
    failures,
    puts,
    deletes: changes.length - puts,
    fetched,
    skipped: plan.skipped.length,
    slaves: replication.slaves.map((slave, index) => {
      const result = results[index];
      const itemsFailed = result?.failures.size ?? 0;
      return {
        slave: slave.name,
        itemsWritten: changes.length - itemsFailed,
        itemsFailed,
        requests: result?.requests ?? 0,
        retries: result?.retries ?? 0,
        recordsReplicated: replicated[index] ?? 0,
      };
    }),
  };
}
