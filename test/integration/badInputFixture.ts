/**
 * What the bad-input tests share (badInput*.test.ts): invoking the BUILT zip in a fresh local Lambda container (the
 * official runtime client, harness/localLambda) with an event and reading the outcome as Lambda shows it — the
 * payload, or the function error's errorType and errorMessage as they crossed the Runtime API; the reason the
 * container logged per failed record; the slave's items — and the good records around the bad ones.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { imageOf, insertRecord, keyOf, seq, streamEvent } from '../../harness/records';
import { failedSequenceNumbers, localReplicator, MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import { createTable, type Item, scanAll, uniqueTableName } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import type { StreamImage } from '../../src/shared/item';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

export const endpoint = localEndpoint();
export const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** What one invocation did. */
export interface Outcome {
  /** Sequence numbers in `batchItemFailures`, when the handler returned. */
  readonly failed?: string[];
  /** The function error, when the handler threw: Lambda's errorType and errorMessage. */
  readonly thrown?: { readonly name: string; readonly message: string };
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

/** Invokes the zip in a new container with `event` (anything: it is what is under test) and reads the outcome. */
export async function invoke(event: unknown, options: InvokeOptions = {}): Promise<Outcome & { slaveTable: string }> {
  const slaveTable = options.slaveTable ?? (await newSlave());
  const lambda = localReplicator({
    endpoint: options.via ?? endpoint,
    slaveTable,
    slaveRegion: options.slaveRegion,
    logLevel: 'WARN',
  });
  try {
    const invocation = await lambda.invoke(event as LambdaStreamEvent);
    const reasons = Object.fromEntries(
      lambda
        .entries(invocation.requestId)
        .filter((entry) => entry.message === 'record not replicated')
        .map((entry) => [String(entry.sequenceNumber), entry.reason]),
    );
    const items = await slaveState(slaveTable);
    return invocation.status === 'ok'
      ? { failed: failedSequenceNumbers(invocation.payload), reasons, slave: items, slaveTable }
      : { thrown: { name: invocation.errorType, message: invocation.errorMessage }, reasons, slave: items, slaveTable };
  } finally {
    await lambda.close();
  }
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
