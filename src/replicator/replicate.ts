/**
 * One batch → every slave: plan once, read from the master what the stream did not carry, write the plan to all
 * slaves at once, and decide each record's outcome.
 *
 * A record succeeds only when every slave holds its effect. When any slave failed an item, all of the item's records
 * in the batch are failed: Lambda re-delivers from the lowest failed sequence number, and the slaves that had
 * succeeded apply the same writes again, which is harmless because puts and deletes of a final state are idempotent.
 */
import { BATCH_WRITE_LIMIT } from '../shared/batchLimits';
import type { Budget } from '../shared/budget';
import { sourceTableOf } from '../shared/tableRef';
import { InvalidRecordError, ReplicatorError, type SlaveWriteError } from './errors';
import type { FetchRequest, MasterReader } from './master';
import { planBatch } from './planner';
import type { Shaping } from './shaping';
import type { BatchWriteDenial, Slave } from './slave';
import type { PlannedWrite, StreamRecord, WriteChange } from './types';

/** What a batch is replicated with: long-lived parts and settings, made once per container. */
export interface Replication {
  readonly slaves: readonly Slave[];
  readonly master: MasterReader;
  readonly replicateTtlDeletes: boolean;
  /** What the hooks and excluded attributes make of each item's final write; absent when none are set. */
  readonly shaping?: Shaping;
}

/** What happened on one slave. */
export interface SlaveSummary {
  readonly slave: string;
  readonly itemsWritten: number;
  readonly itemsFailed: number;
  readonly requests: number;
  readonly retries: number;
  /** PutItem/DeleteItem calls among `requests`: items written one by one. */
  readonly singleItemWrites: number;
  /** Stream records whose effect this slave now holds. */
  readonly recordsReplicated: number;
  /** Present once per container: this batch found BatchWriteItem denied on the slave (its items went one by one). */
  readonly batchWriteDenial?: BatchWriteDenial;
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
  /** Records not replicated on purpose (TTL deletes, when so configured) and not failed with the write that carried them. */
  readonly skipped: number;
  readonly slaves: readonly SlaveSummary[];
}

interface ResolvedWrite {
  readonly change: WriteChange;
  readonly records: readonly StreamRecord[];
  readonly source: StreamRecord;
}

function combine(errors: readonly Error[]): Error {
  if (errors.length === 1) return errors[0] as Error;
  return new ReplicatorError(errors.map((error) => error.message).join(' | '), { cause: errors });
}

function failRecords(failures: Map<StreamRecord, Error>, records: readonly StreamRecord[], error: Error): void {
  for (const record of records) failures.set(record, error);
}

/** Whether a planned write is ready for the slaves (not waiting for a read from the master). */
function isResolved(write: PlannedWrite): write is ResolvedWrite {
  return write.change.kind !== 'fetch';
}

/**
 * `write` as the shaping makes it (a put's item transformed, or turned into a delete by the filter), or `undefined`
 * when shaping fails: then every record the write carries fails with the reason — the item's later records in the
 * batch are among them, so none can overtake the failure.
 */
function shapeWrite(
  write: ResolvedWrite,
  shaping: Shaping,
  failures: Map<StreamRecord, Error>,
): ResolvedWrite | undefined {
  try {
    return { ...write, change: shaping.shape(write.change, write.source) };
  } catch (error) {
    failRecords(failures, write.records, error instanceof Error ? error : new ReplicatorError(String(error)));
    return undefined;
  }
}

/** Lets the event loop run, so that requests started since the last turn are written to their sockets. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Turns `fetch` changes into writes by reading the master; the records of items that cannot be read fail. */
async function resolveFetches(
  fetches: readonly PlannedWrite[],
  master: MasterReader,
  budget: Budget,
  failures: Map<StreamRecord, Error>,
): Promise<ResolvedWrite[]> {
  const requests: FetchRequest[] = [];
  const readable: PlannedWrite[] = [];
  for (const write of fetches) {
    const arn = write.records[write.records.length - 1]?.eventSourceARN;
    const table = typeof arn === 'string' ? sourceTableOf(arn) : undefined;
    if (table) {
      requests.push({ itemKey: write.change.itemKey, key: write.change.key, table });
      readable.push(write);
    } else {
      const error = new InvalidRecordError(
        'record has no new image and no eventSourceARN naming its table, so the item cannot be read from the master',
      );
      failRecords(failures, write.records, error);
    }
  }
  if (requests.length === 0) return [];
  const fetched = await master.read(requests, budget);
  const writes: ResolvedWrite[] = [];
  for (const { change, records, source } of readable) {
    const write = fetched.writes.get(change.itemKey);
    if (write) writes.push({ change: write, records, source });
    else
      failRecords(failures, records, fetched.failures.get(change.itemKey) ?? new InvalidRecordError('item not read'));
  }
  return writes;
}

/**
 * Replicates one batch of stream records to every slave within `budget`.
 *
 * Every record's item is read once, up front; then items are planned (their images decoded) one after another and
 * handed to every slave as they are planned (shaped by the hooks first, when any are set), and each slave sends a
 * BatchWriteItem as soon as 25 writes wait. So the first requests are on the wire while later items are still being planned, and planning costs the batch almost no time on top of its round
 * trips.
 */
export async function replicateBatch(
  records: readonly StreamRecord[],
  replication: Replication,
  budget: Budget,
): Promise<BatchOutcome> {
  const plan = planBatch(records, { replicateTtlDeletes: replication.replicateTtlDeletes });
  const failures = new Map<StreamRecord, Error>(plan.rejected);
  const skippedRecords: StreamRecord[] = [];
  const sessions = replication.slaves.map((slave) => slave.startWriting(budget));
  const writes: ResolvedWrite[] = [];
  const fetches: PlannedWrite[] = [];
  const { shaping } = replication;
  const send = (planned: ResolvedWrite): void => {
    const write = shaping ? shapeWrite(planned, shaping, failures) : planned;
    if (!write) return;
    writes.push(write);
    for (const session of sessions) session.add(write.change);
  };
  let planned = 0;
  for (const item of plan.items) {
    for (const [record, error] of item.rejected) failures.set(record, error);
    skippedRecords.push(...item.skipped);
    if (item.write && isResolved(item.write)) send(item.write);
    else if (item.write) fetches.push(item.write);
    planned += 1;
    if (planned % BATCH_WRITE_LIMIT === 0) await yieldToEventLoop();
  }
  for (const write of await resolveFetches(fetches, replication.master, budget, failures)) send(write);
  const results = await Promise.all(sessions.map((session) => session.finish()));
  const changes = writes.map((write) => write.change);

  const skipped = new Set(skippedRecords);
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
    fetched: fetches.length,
    // A skipped record carried by a failed write fails with it (Lambda re-delivers it): it counts as failed.
    skipped: skippedRecords.filter((record) => !failures.has(record)).length,
    slaves: replication.slaves.map((slave, index) => {
      const result = results[index];
      const itemsFailed = result?.failures.size ?? 0;
      return {
        slave: slave.name,
        itemsWritten: changes.length - itemsFailed,
        itemsFailed,
        requests: result?.requests ?? 0,
        retries: result?.retries ?? 0,
        singleItemWrites: result?.singleWrites ?? 0,
        recordsReplicated: replicated[index] ?? 0,
        ...(result?.batchWriteDenial ? { batchWriteDenial: result.batchWriteDenial } : {}),
      };
    }),
  };
}
