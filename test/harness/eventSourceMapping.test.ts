/**
 * The stand-in event source mapping (harness/lambdaPoller.ts) against DynamoDB Local with a real stream, checked
 * against Lambda's documented behaviour: per-item order with ParallelizationFactor 10 while slots run at once, an
 * answered batch delivered again, BisectBatchOnFunctionError isolating a poison record, the on-failure document after
 * retries run out and after records grow too old, ReportBatchItemFailures off, StartingPosition LATEST, and a killed
 * invocation retried (settings: eventSourceMappingSettings.test.ts). The functions are small fakes of the
 * LambdaFunction interface, so each test states exactly how the function fails.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent, LambdaStreamRecord } from '../../harness/lambdaEvent';
import type { Invocation, InvokeOptions, LambdaFunction } from '../../harness/lambdaFunction';
import { type OnFailureRecord, type PollerOptions, StreamPoller } from '../../harness/lambdaPoller';
import { MASTER_REGION } from '../../harness/replicator';
import { createMasterTable, uniqueTableName } from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const clients = useRegionClients(MASTER_REGION, 'eu-west-1');

/** A master table with a stream (pk string, sk number). */
async function streamTable(): Promise<{ name: string; streamArn: string }> {
  return createMasterTable(clients.master, { name: uniqueTableName('esm'), sortKeyType: 'N' });
}

/** Puts items one after the other (so their stream order is the order given). */
async function put(table: string, items: Array<{ pk: string; sk?: number; v?: number }>): Promise<void> {
  for (const { pk, sk = 0, v = 0 } of items) {
    await clients.master.send(
      new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, sk: { N: String(sk) }, v: { N: String(v) } } }),
    );
  }
}

/** A scalar attribute's text (`S` or `N`) of a record's keys or new image. */
function scalar(image: Record<string, unknown> | undefined, name: string): string {
  const value = image?.[name] as { S?: string; N?: string } | undefined;
  return value?.S ?? value?.N ?? '';
}
const pkOf = (record: LambdaStreamRecord): string => scalar(record.dynamodb.Keys, 'pk');
const labelOf = (record: LambdaStreamRecord): string =>
  `${pkOf(record)}/${scalar(record.dynamodb.Keys, 'sk')}/${scalar(record.dynamodb.NewImage, 'v')}`;

/** A fake function: answers with `answer(event, options)`, and keeps every event it was given. */
function fakeFunction(
  answer: (event: LambdaStreamEvent, options: InvokeOptions) => Invocation | Promise<Invocation>,
): LambdaFunction & { events: LambdaStreamEvent[] } {
  const events: LambdaStreamEvent[] = [];
  return {
    events,
    async invoke(event, options = {}) {
      events.push(event);
      return answer(event, options);
    },
  };
}

const ok = (payload: unknown = undefined): Invocation => ({ status: 'ok', payload });
const thrown = (message: string): Invocation => ({ status: 'error', errorType: 'Error', errorMessage: message });

/** Drains once with a new poller on `streamArn`, closing it after. */
async function drainOnce(streamArn: string, options: Partial<PollerOptions>) {
  const poller = new StreamPoller({ endpoint: localEndpoint(), region: MASTER_REGION, streamArn, ...options });
  try {
    const stats = await poller.drain();
    return { stats, failureRecords: poller.failureRecords };
  } finally {
    poller.close();
  }
}

test("parallelization factor 10: each item is delivered in write order while batches of different slots, and one partition key's items, run at once", async () => {
  // Prepare: 10 partition keys × 2 sort keys × 3 versions, written version by version (interleaving the keys).
  const table = await streamTable();
  const written: string[] = [];
  for (let v = 0; v < 3; v += 1) {
    for (let p = 0; p < 10; p += 1) {
      for (let sk = 0; sk < 2; sk += 1) written.push(`p${p}/${sk}/${v}`);
    }
  }
  await put(
    table.name,
    written.map((label) => {
      const [pk, sk, v] = label.split('/');
      return { pk, sk: Number(sk), v: Number(v) };
    }),
  );
  // Partition keys of which two different items were in invocations in flight at the same time.
  const inFlight = new Set<LambdaStreamEvent>();
  const sharedAtOnce = new Set<string>();
  const fn = fakeFunction(async (event) => {
    const others = [...inFlight].flatMap((other) => other.Records.map(labelOf));
    for (const [pk, sk] of event.Records.map((record) => labelOf(record).split('/'))) {
      if (others.some((label) => label.startsWith(`${pk}/`) && !label.startsWith(`${pk}/${sk}/`))) sharedAtOnce.add(pk);
    }
    inFlight.add(event);
    // Stay in flight a little so that other slots' invocations can start meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 20));
    inFlight.delete(event);
    return ok();
  });

  // Act
  const { stats } = await drainOnce(table.streamArn, { function: fn, batchSize: 4, parallelizationFactor: 10 });

  // Assess: per item, the delivered order is the written order; slots overlapped; the items of one partition key
  // went to different slots (Lambda keeps order per item, not per partition key).
  const delivered = fn.events.flatMap((event) => event.Records.map(labelOf));
  for (let p = 0; p < 10; p += 1) {
    for (let sk = 0; sk < 2; sk += 1) {
      const mine = (labels: string[]) => labels.filter((label) => label.startsWith(`p${p}/${sk}/`));
      expect(mine(delivered)).toEqual(mine(written));
    }
  }
  expect(sharedAtOnce.size).toBeGreaterThan(0);
  expect(delivered).toHaveLength(written.length);
  expect(stats.maxConcurrentInvocations).toBeGreaterThan(1);
  for (const event of fn.events) expect(event.Records.length).toBeLessThanOrEqual(4);
});

test('bisect on function error: only the poison record reaches the destination, its neighbours are delivered, bisecting spends no retries', async () => {
  // Prepare: 10 records, the fifth a poison the function always throws on.
  const table = await streamTable();
  const keys = Array.from({ length: 10 }, (_, index) => (index === 4 ? 'poison' : `k${index}`));
  await put(
    table.name,
    keys.map((pk) => ({ pk })),
  );
  const done = new Set<string>();
  const fn = fakeFunction((event) => {
    if (event.Records.some((record) => pkOf(record) === 'poison')) return thrown('cannot replicate poison');
    for (const record of event.Records) done.add(pkOf(record));
    return ok();
  });

  // Act
  const { stats, failureRecords } = await drainOnce(table.streamArn, {
    function: fn,
    batchSize: 10,
    bisectBatchOnFunctionError: true,
    maximumRetryAttempts: 1,
    onFailure: {},
  });

  // Assess: 10 → 5+5, 5 → 3+2, 2 → 1+1 (three bisections), then the poison alone: first try and one retry.
  expect([...done].sort()).toEqual(keys.filter((key) => key !== 'poison').sort());
  expect(stats.batchesBisected).toBe(3);
  expect(failureRecords).toHaveLength(1);
  const poison = fn.events.flatMap((event) => event.Records).find((record) => pkOf(record) === 'poison');
  expect(failureRecords[0].DDBStreamBatchInfo).toMatchObject({
    startSequenceNumber: poison?.dynamodb.SequenceNumber,
    endSequenceNumber: poison?.dynamodb.SequenceNumber,
    batchSize: 1,
  });
  expect(failureRecords[0].requestContext).toMatchObject({
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 5,
  });
  expect(failureRecords[0].responseContext).toEqual({
    statusCode: 200,
    executedVersion: '$LATEST',
    functionError: 'Unhandled',
  });
  expect(stats.recordsSentToDestination).toBe(1);
});

test("retries exhausted after partial failures: the destination gets Lambda's document for the records from the lowest failure on, also as a JSON line", async () => {
  // Prepare: 6 records; the function always reports the third failed.
  const table = await streamTable();
  await put(
    table.name,
    ['a', 'b', 'bad', 'c', 'd', 'e'].map((pk) => ({ pk })),
  );
  const fn = fakeFunction((event) =>
    ok({
      batchItemFailures: event.Records.filter((record) => pkOf(record) === 'bad').map((record) => ({
        itemIdentifier: record.dynamodb.SequenceNumber,
      })),
    }),
  );
  const file = join(tmpdir(), `${uniqueTableName('esm-destination')}.jsonl`);
  const records: OnFailureRecord[] = [];

  // Act
  const { stats } = await drainOnce(table.streamArn, {
    function: fn,
    batchSize: 10,
    reportBatchItemFailures: true,
    maximumRetryAttempts: 2,
    onFailure: { records, file },
  });
  const written = readFileSync(file, 'utf8');
  rmSync(file);

  // Assess: first delivery (a, b done), then two retries of bad…e, then given up.
  const all = fn.events[0].Records;
  expect(fn.events.map((event) => event.Records.length)).toEqual([6, 4, 4]);
  expect(records).toHaveLength(1);
  const [document] = records;
  expect(Object.keys(document).sort()).toEqual(
    ['DDBStreamBatchInfo', 'requestContext', 'responseContext', 'timestamp', 'version'].sort(),
  );
  expect(document.version).toBe('1.0');
  expect(new Date(document.timestamp).toISOString()).toBe(document.timestamp);
  expect(document.requestContext).toMatchObject({
    condition: 'RetryAttemptsExhausted',
    approximateInvokeCount: 3,
    functionArn: `arn:aws:lambda:${MASTER_REGION}:123456789012:function:dynamo-replicator`,
  });
  expect(document.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(document.responseContext).toEqual({ statusCode: 200, executedVersion: '$LATEST' });
  expect(document.DDBStreamBatchInfo).toEqual({
    shardId: expect.stringMatching(/^shardId-/),
    startSequenceNumber: all[2].dynamodb.SequenceNumber,
    endSequenceNumber: all[5].dynamodb.SequenceNumber,
    approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    batchSize: 4,
    streamArn: table.streamArn.replace(':ddblocal:', `:${MASTER_REGION}:`),
  });
  expect(
    written
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line)),
  ).toEqual(records);
  expect(stats).toMatchObject({ batchesDiscarded: 1, recordsDiscarded: 4, recordsSentToDestination: 4 });
});

test('records older than maximumRecordAgeInSeconds are not delivered: the destination gets RecordAgeExceeded', async () => {
  // Prepare: 3 records, then let them age past one second (their creation time has whole seconds).
  const table = await streamTable();
  await put(
    table.name,
    ['x', 'y', 'z'].map((pk) => ({ pk })),
  );
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const fn = fakeFunction(() => ok());

  // Act
  const { stats, failureRecords } = await drainOnce(table.streamArn, {
    function: fn,
    maximumRecordAgeInSeconds: 1,
    onFailure: {},
  });

  // Assess
  expect(fn.events).toHaveLength(0);
  expect(failureRecords).toHaveLength(1);
  expect(failureRecords[0].requestContext).toMatchObject({ condition: 'RecordAgeExceeded', approximateInvokeCount: 0 });
  expect(failureRecords[0].responseContext).toBeUndefined();
  expect(failureRecords[0].DDBStreamBatchInfo.batchSize).toBe(3);
  expect(stats).toMatchObject({ recordsExpired: 3, recordsDiscarded: 3, invocations: 0 });
});

describe('reportBatchItemFailures off', () => {
  test('a function error retries the whole batch, records before the failing one included', async () => {
    // Prepare: the function throws the first time only.
    const table = await streamTable();
    await put(
      table.name,
      ['a', 'b', 'c', 'd'].map((pk) => ({ pk })),
    );
    let calls = 0;
    const fn = fakeFunction(() => (++calls === 1 ? thrown('first call fails') : ok()));

    // Act
    const { stats } = await drainOnce(table.streamArn, { function: fn, reportBatchItemFailures: false });

    // Assess
    expect(fn.events.map((event) => event.Records.map(pkOf))).toEqual([
      ['a', 'b', 'c', 'd'],
      ['a', 'b', 'c', 'd'],
    ]);
    expect(stats.recordsRedelivered).toBe(4);
  });

  test('a partial batch response is not read: Lambda moves past the reported records (why the trigger must turn it on)', async () => {
    // Prepare: the function reports the third record failed, every time.
    const table = await streamTable();
    await put(
      table.name,
      ['a', 'b', 'c', 'd'].map((pk) => ({ pk })),
    );
    const fn = fakeFunction((event) =>
      ok({ batchItemFailures: [{ itemIdentifier: event.Records[2].dynamodb.SequenceNumber }] }),
    );

    // Act
    const off = await drainOnce(table.streamArn, { function: fn, reportBatchItemFailures: false });

    // Assess: one invocation, nothing re-delivered, the failure counted as ignored.
    expect(fn.events).toHaveLength(1);
    expect(off.stats).toMatchObject({ recordsRedelivered: 0, failuresIgnored: 1, recordsDiscarded: 0 });
  });
});

test('an answered batch delivered again (as after an internal retry) reaches the function twice, and the mapping moves on', async () => {
  // Prepare: 3 records; the mapping delivers the first answered batch again.
  const table = await streamTable();
  await put(table.name, [{ pk: 'a' }, { pk: 'b' }, { pk: 'c' }]);
  const fn = fakeFunction(() => ok());
  let asked = 0;

  // Act
  const { stats } = await drainOnce(table.streamArn, { function: fn, batchSize: 10, duplicate: () => ++asked === 1 });

  // Assess: the same batch twice, its records counted as re-delivered, then nothing more (the second answer counts).
  expect(fn.events.map((event) => event.Records.map(pkOf).join())).toEqual(['a,b,c', 'a,b,c']);
  expect(stats).toMatchObject({ invocations: 2, batchesDuplicated: 1, recordsRedelivered: 3 });
});

test('startingPosition LATEST: records written before the mapping started are never delivered', async () => {
  // Prepare: old records, a started mapping, then new records.
  const table = await streamTable();
  await put(
    table.name,
    ['old1', 'old2', 'old3'].map((pk) => ({ pk })),
  );
  const fn = fakeFunction(() => ok());
  const poller = new StreamPoller({
    endpoint: localEndpoint(),
    region: MASTER_REGION,
    streamArn: table.streamArn,
    function: fn,
    startingPosition: 'LATEST',
  });
  try {
    await poller.start();
    await put(
      table.name,
      ['new1', 'new2'].map((pk) => ({ pk })),
    );

    // Act
    await poller.drain();
    await put(table.name, [{ pk: 'new3' }]);
    await poller.drain();
  } finally {
    poller.close();
  }

  // Assess
  expect(fn.events.flatMap((event) => event.Records.map(pkOf))).toEqual(['new1', 'new2', 'new3']);
});

test('a container killed mid-invocation is a function error: the batch is delivered again and then succeeds', async () => {
  // Prepare: a function that, like one in a process of its own, dies when asked to; the first delivery is killed.
  const table = await streamTable();
  await put(
    table.name,
    ['a', 'b', 'c'].map((pk) => ({ pk })),
  );
  const fn = fakeFunction((_event, options) =>
    options.killAfterMs === undefined
      ? ok()
      : { status: 'error', errorType: 'Runtime.ExitError', errorMessage: 'killed', killed: true },
  );

  // Act
  const { stats } = await drainOnce(table.streamArn, {
    function: fn,
    kill: (batch) => (batch.attempt === 0 ? 5 : undefined),
  });

  // Assess
  expect(fn.events.map((event) => event.Records.map(pkOf))).toEqual([
    ['a', 'b', 'c'],
    ['a', 'b', 'c'],
  ]);
  expect(stats).toMatchObject({
    invocationsKilled: 1,
    invocationErrors: 1,
    recordsDiscarded: 0,
    recordsRedelivered: 3,
  });
});

test('an itemIdentifier that is not a sequence number of the batch fails the whole batch, without bisecting it', async () => {
  // Prepare: the function first answers with an unknown identifier, then succeeds.
  const table = await streamTable();
  await put(
    table.name,
    ['a', 'b', 'c'].map((pk) => ({ pk })),
  );
  let calls = 0;
  const fn = fakeFunction(() => (++calls === 1 ? ok({ batchItemFailures: [{ itemIdentifier: 'no-such' }] }) : ok()));

  // Act
  const options = { function: fn, reportBatchItemFailures: true, bisectBatchOnFunctionError: true };
  const { stats } = await drainOnce(table.streamArn, options);

  // Assess
  expect(fn.events.map((event) => event.Records.map(pkOf))).toEqual([
    ['a', 'b', 'c'],
    ['a', 'b', 'c'],
  ]);
  expect(stats).toMatchObject({ batchesBisected: 0, invocationErrors: 0, recordsRedelivered: 3 });
});
