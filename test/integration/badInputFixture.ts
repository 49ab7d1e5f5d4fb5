/**
 * What the bad-input tests share (badInput*.test.ts): invoking a fresh copy of the BUILT bundle with an event and
 * reading the outcome — what the handler returned or threw, the reason logged per failed record, the slave's items —
 * and the good records around the bad ones.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { fakeContext } from '../../harness/context';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { imageOf, insertRecord, keyOf, seq, streamEvent } from '../../harness/records';
import {
  failedSequenceNumbers,
  loadReplicator,
  MASTER_REGION,
  SLAVE_REGION,
  type ThrownReport,
  thrownReport,
} from '../../harness/replicator';
import { createTable, type Item, scanAll, uniqueTableName } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import type { StreamImage } from '../../src/shared/item';
import { captureSettled } from '../helpers/captureOutput';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

export const endpoint = localEndpoint();
export const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** What one invocation did. */
export interface Outcome {
  /** Sequence numbers in `batchItemFailures`, when the handler returned. */
  readonly failed?: string[];
  /** The error, when the handler threw. */
  readonly thrown?: ThrownReport;
  /** Reason logged for each failed record, by sequence number. */
  readonly reasons: Record<string, unknown>;
  /** The slave's items, by partition key; `'no such table'` when the slave table does not exist. */
  readonly slave: Item[] | 'no such table';
}

/** Options of {@link invoke}. */
interface InvokeOptions {
  /** Slave table name (default: a new table with a string `pk`). */
  readonly slaveTable?: string;
  readonly slaveRegion?: string;
  /** Where the bundle sends its requests (default DynamoDB Local). */
  readonly via?: string;
}

export async function newSlave(): Promise<string> {
  return (await createTable(slave, { name: uniqueTableName('bad-input-slave') })).name;
}

export async function slaveItems(table: string, client = slave): Promise<Item[]> {
  const items = await scanAll(client, table);
  return items.sort((a, b) => String(a.pk?.S ?? a.pk?.N).localeCompare(String(b.pk?.S ?? b.pk?.N)));
}

/**
 * The slave's items after an invocation. Only a missing table is an answer (`'no such table'`); any other failure of
 * the scan fails the test, so that it never passes for "nothing written".
 */
async function slaveState(table: string): Promise<Item[] | 'no such table'> {
  try {
    return await slaveItems(table);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return 'no such table';
    throw error;
  }
}

/** Invokes a fresh bundle with `event` (anything: it is what is under test) and reads the outcome. */
export async function invoke(event: unknown, options: InvokeOptions = {}): Promise<Outcome & { slaveTable: string }> {
  const slaveTable = options.slaveTable ?? (await newSlave());
  const handler = loadReplicator({
    endpoint: options.via ?? endpoint,
    slaveTable,
    slaveRegion: options.slaveRegion,
    logLevel: 'WARN',
  });
  const { result, error, output } = await captureSettled(() => handler(event as LambdaStreamEvent, fakeContext()));
  const reasons = Object.fromEntries(
    output.entries
      .filter((entry) => entry.message === 'record not replicated')
      .map((entry) => [String(entry.sequenceNumber), entry.reason]),
  );
  const items = await slaveState(slaveTable);
  return error === undefined
    ? { failed: failedSequenceNumbers(result), reasons, slave: items, slaveTable }
    : { thrown: thrownReport(error), reasons, slave: items, slaveTable };
}

/** A good INSERT of item `id` at position `n`; on the slave it becomes {@link goodItem}(`id`, `n`). */
export function good(n: number, id: string): StreamRecord {
  return insertRecord(seq(n), keyOf(id), imageOf(id, { v: { N: String(n) } }));
}

export function goodItem(id: string, n: number): Item {
  return { pk: { S: id }, v: { N: String(n) } };
}

/** `bad` at position 2 between good records 1 (item a) and 3 (item b). */
export function between(bad: unknown): LambdaStreamEvent {
  return streamEvent([good(1, 'a'), bad as StreamRecord, good(3, 'b')]) as unknown as LambdaStreamEvent;
}

/** An INSERT of item `c` at position 2 whose new image has `v` = `value` (a malformed attribute value). */
export function insertWithValue(value: unknown): StreamRecord {
  return insertRecord(seq(2), keyOf('c'), { ...keyOf('c'), v: value } as StreamImage);
}

export const BOTH_MATES = [goodItem('a', 1), goodItem('b', 3)];
export const MISSING_SEQUENCE_NUMBER =
  '1 failed record(s) have no dynamodb.SequenceNumber, so they cannot be reported individually; failing the whole batch so that Lambda retries it';
export const NO_RECORDS =
  'event has no Records array: this function must be triggered by a DynamoDB stream (event source mapping)';
