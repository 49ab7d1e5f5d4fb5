/**
 * What the bad-input tests share (badInput*.test.ts): invoking the BUILT bundle with an event and reading the outcome
 * as Lambda shows it — the payload, or the function error's errorType and errorMessage; the reason logged per failed
 * record; the slave's items — and the good records around the bad ones. Each case runs the bundle in this process
 * (a fresh copy, its log lines captured: unit speed, as the cases are about the bundle's own decisions); the cases
 * marked `{ in: 'container' }` run the zip in a fresh local Lambda container under the official runtime client
 * (harness/localLambda), to prove the same outcomes cross the Runtime API and the container's log.
 */
import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { fakeContext } from '../../harness/context';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { imageOf, insertRecord, keyOf, seq, streamEvent } from '../../harness/records';
import {
  failedSequenceNumbers,
  loadReplicator,
  localReplicator,
  MASTER_REGION,
  type ReplicatorOptions,
  SLAVE_REGION,
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
  /** Where the bundle runs: in this process (the default) or in a local Lambda container. */
  readonly in?: 'process' | 'container';
}

/** What one invocation answered, and the JSON lines it logged. */
interface Ran {
  readonly outcome:
    | { readonly status: 'ok'; readonly payload: unknown }
    | { readonly status: 'error'; readonly errorType: string; readonly errorMessage: string };
  readonly entries: ReadonlyArray<Record<string, unknown>>;
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

/** Invokes the bundle with `event` (anything: it is what is under test), as `options.in` says, and reads the outcome. */
export async function invoke(event: unknown, options: InvokeOptions = {}): Promise<Outcome & { slaveTable: string }> {
  const slaveTable = options.slaveTable ?? (await newSlave());
  const configuration = {
    endpoint: options.via ?? endpoint,
    slaveTable,
    slaveRegion: options.slaveRegion,
    logLevel: 'WARN',
  };
  const { outcome, entries } =
    options.in === 'container' ? await inContainer(configuration, event) : await inProcess(configuration, event);
  const reasons = Object.fromEntries(
    entries
      .filter((entry) => entry.message === 'record not replicated')
      .map((entry) => [String(entry.sequenceNumber), entry.reason]),
  );
  const items = await slaveState(slaveTable);
  return outcome.status === 'ok'
    ? { failed: failedSequenceNumbers(outcome.payload), reasons, slave: items, slaveTable }
    : { thrown: { name: outcome.errorType, message: outcome.errorMessage }, reasons, slave: items, slaveTable };
}

/** A fresh copy of the bundle called in this process, its output captured: a thrown error is the function error. */
async function inProcess(configuration: ReplicatorOptions, event: unknown): Promise<Ran> {
  const handler = loadReplicator(configuration);
  const { result, error, output } = await captureSettled(() =>
    handler(event as LambdaStreamEvent, fakeContext({ region: MASTER_REGION })),
  );
  if (error === undefined) return { outcome: { status: 'ok', payload: result }, entries: output.entries };
  const { name, message } = error instanceof Error ? error : { name: typeof error, message: String(error) };
  return { outcome: { status: 'error', errorType: name, errorMessage: message }, entries: output.entries };
}

/** The zip in a new local Lambda container: the answer as it crossed the Runtime API, the invocation's log lines. */
async function inContainer(configuration: ReplicatorOptions, event: unknown): Promise<Ran> {
  const lambda = localReplicator(configuration);
  try {
    const invocation = await lambda.invoke(event as LambdaStreamEvent);
    return { outcome: invocation, entries: lambda.entries(invocation.requestId) };
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
