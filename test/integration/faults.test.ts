/**
 * The built zip, run under Lambda's own runtime client (harness/localLambda), writing to DynamoDB Local through the
 * fault-injecting proxy: throttling, 500s,
 * partial `UnprocessedItems`, dropped connections and answers slower than the client's timeout still end with the
 * slave equal to the master; one poison item fails alone, with DynamoDB's message; a slave that never stops
 * throttling makes the handler report the records failed before its deadline instead of hanging; a container that
 * stops answering is ended by Lambda's timeout and the mapping's retry lands the batch exactly once.
 */
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import { type FaultKind, type FaultProxy, scriptedFaults, startFaultProxy } from '../../harness/faultProxy';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { drainStream } from '../../harness/lambdaPoller';
import { applyRandomChanges } from '../../harness/randomChanges';
import { insertRecord, keyOf, modifyRecord, seq, streamEvent } from '../../harness/records';
import { failedSequenceNumbers, MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  localClient,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import type { StreamAttributeValue, StreamImage } from '../../src/shared/item';
import { freezeFirstContainer } from '../helpers/frozenContainer';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';
const localReplicator = useLocalReplicators();
let master: DynamoDBClient;
let slave: DynamoDBClient;
let proxy: FaultProxy | undefined;

beforeAll(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
  master = localClient(endpoint, MASTER_REGION);
  slave = localClient(endpoint, SLAVE_REGION);
});

afterEach(async () => {
  await proxy?.stop();
  proxy = undefined;
});

afterAll(() => {
  master?.destroy();
  slave?.destroy();
});

async function startProxy(plan = scriptedFaults('BatchWriteItem', [])): Promise<FaultProxy> {
  proxy = await startFaultProxy({ upstream: endpoint, plan, seed: 7 });
  return proxy;
}

/** A master with a stream, an empty slave, `changes` random changes on the master, and the distinct items changed. */
async function changedTablePair(seed: number, items: number, changes: number) {
  const masterTable = await createMasterTable(master, { name: uniqueTableName('faults-master'), sortKeyType: 'B' });
  const slaveTable = await createTable(slave, { name: uniqueTableName('faults-slave'), sortKeyType: 'B' });
  await applyRandomChanges(master, masterTable.name, { seed, items, changes, sortKeyType: 'B' });
  return { masterTable, slaveTable };
}

/** Wraps a function to remember the distinct item keys of every event it is given. */
function countingItems(fn: LambdaFunction): { function: LambdaFunction; distinctItems: Set<string> } {
  const distinctItems = new Set<string>();
  return {
    distinctItems,
    function: {
      invoke: (event, options) => {
        for (const record of event.Records)
          distinctItems.add(JSON.stringify(Object.entries(record.dynamodb.Keys ?? {}).sort()));
        return fn.invoke(event, options);
      },
    },
  };
}

function compare(masterTable: string, slaveTable: string) {
  return compareTables({ client: master, table: masterTable }, { client: slave, table: slaveTable });
}

describe('the fault proxy in front of DynamoDB Local', () => {
  let client: DynamoDBClient;
  afterEach(() => client?.destroy());

  /** A client through the proxy that does not retry, so each fault reaches the caller as it was answered. */
  const directClient = (running: FaultProxy): DynamoDBClient =>
    new DynamoDBClient({
      endpoint: running.endpoint,
      region: SLAVE_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });

  it('answers an unprocessedItems fault with part of the writes as UnprocessedItems, and only the other part is written', async () => {
    // Prepare
    const table = await createTable(slave, { name: uniqueTableName('proxy-slave') });
    const running = await startProxy(scriptedFaults('BatchWriteItem', ['unprocessedItems']));
    client = directClient(running);
    const ids = Array.from({ length: 20 }, (_, i) => `item-${i}`);

    // Act
    const output = await client.send(
      new BatchWriteItemCommand({
        RequestItems: { [table.name]: ids.map((id) => ({ PutRequest: { Item: { pk: { S: id } } } })) },
      }),
    );

    // Assess
    const unprocessed = (output.UnprocessedItems?.[table.name] ?? []).map((write) => write.PutRequest?.Item?.pk?.S);
    const written = (await scanAll(slave, table.name)).map((item) => item.pk?.S);
    expect(unprocessed.length).toBe(running.stats().writesHeldBack);
    expect(unprocessed.length).toBeGreaterThan(0);
    expect([...written, ...unprocessed].sort()).toEqual([...ids].sort());
    expect(written.filter((id) => unprocessed.includes(id))).toEqual([]);
    expect(running.stats().faults.unprocessedItems).toBe(1);
  });

  test.each<[FaultKind, string, boolean]>([
    ['provisionedThroughputExceeded', 'ProvisionedThroughputExceededException', false],
    ['throttling', 'ThrottlingException', false],
    ['internalServerError', 'InternalServerError', false],
    ['accessDenied', 'AccessDeniedException', false],
    ['connectionReset', 'Error', true],
  ])('%s: the client gets %s; the write takes effect: %s', async (kind, errorName, takesEffect) => {
    // Prepare
    const table = await createTable(slave, { name: uniqueTableName('proxy-slave') });
    const running = await startProxy(scriptedFaults('PutItem', [kind]));
    client = directClient(running);

    // Act
    const error = await client.send(new PutItemCommand({ TableName: table.name, Item: { pk: { S: 'one' } } })).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assess
    expect((error as Error | undefined)?.name).toBe(errorName);
    expect(await scanAll(slave, table.name)).toHaveLength(takesEffect ? 1 : 0);
    expect(running.stats().faults[kind]).toBe(1);
  });
});

/**
 * Drains the master's stream into `fn` in batches of up to 1,000 records (one invocation for these tests); the
 * mapping invokes the local Lambda itself, so it sees timeouts and dead containers as Lambda does.
 */
function drainInOneBatch(streamArn: string, fn: LambdaFunction) {
  return drainStream({ endpoint, region: MASTER_REGION, streamArn, function: fn, batchSize: 1000 });
}

describe('replication through faults', () => {
  test('throttled UnprocessedItems are retried: the slave ends equal to the master, with more requests than ceil(items / 25)', async () => {
    // Prepare: about 60 distinct items in one batch; the first four BatchWriteItem calls get partial answers.
    const { masterTable, slaveTable } = await changedTablePair(11, 70, 150);
    const running = await startProxy(
      scriptedFaults('BatchWriteItem', [
        'unprocessedItems',
        'unprocessedItems',
        'unprocessedItems',
        'unprocessedItems',
      ]),
    );
    const counted = countingItems(localReplicator({ endpoint: running.endpoint, slaveTable: slaveTable.name }));

    // Act
    const stats = await drainInOneBatch(masterTable.streamArn, counted.function);

    // Assess
    expect(differencesOf(await compare(masterTable.name, slaveTable.name))).toEqual(NO_DIFFERENCES);
    expect(stats).toMatchObject({ invocations: 1, failuresReported: 0, invocationErrors: 0 });
    const { faults, writesHeldBack, byOperation } = running.stats();
    expect(faults.unprocessedItems).toBe(4);
    expect(writesHeldBack).toBeGreaterThan(0);
    expect(byOperation.BatchWriteItem).toBeGreaterThan(Math.ceil(counted.distinctItems.size / 25));
  });

  test.each<FaultKind>([
    'provisionedThroughputExceeded',
    'throttling',
    'internalServerError',
    'connectionReset',
    'slowResponse',
  ])(
    '%s on the first BatchWriteItem: retried within the invocation, nothing reported failed, the slave equal to the master',
    async (kind) => {
      // Prepare
      const { masterTable, slaveTable } = await changedTablePair(12, 40, 80);
      const running = await startProxy(scriptedFaults('BatchWriteItem', [kind]));
      const counted = countingItems(localReplicator({ endpoint: running.endpoint, slaveTable: slaveTable.name }));

      // Act
      const stats = await drainInOneBatch(masterTable.streamArn, counted.function);

      // Assess: one more call than the plan needs, the retry of the faulted one.
      expect((await compare(masterTable.name, slaveTable.name)).equal).toBe(true);
      expect(stats).toMatchObject({ invocations: 1, failuresReported: 0, invocationErrors: 0 });
      expect(running.stats().faults[kind]).toBe(1);
      expect(running.stats().byOperation.BatchWriteItem).toBe(Math.ceil(counted.distinctItems.size / 25) + 1);
    },
  );

  test('an answer slower than the remaining time is aborted at the budget, its records are reported failed, and the retry lands them', async () => {
    // Prepare: at most 20 items (one BatchWriteItem call), an 8 s function timeout (so the 800 ms kept back to
    // report is enough on a loaded machine too; 4 s kept 400 ms, which a loaded machine overran once), the call
    // answered after 11 s.
    const { masterTable, slaveTable } = await changedTablePair(13, 20, 60);
    const running = await startProxy(scriptedFaults('BatchWriteItem', ['slowResponse']));
    const replicator = localReplicator(
      { endpoint: running.endpoint, slaveTable: slaveTable.name },
      { timeoutMs: 8000 },
    );

    // Act
    const stats = await drainStream({
      endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      function: replicator,
      batchSize: 1000,
    });

    // Assess: the first invocation failed everything (one call, all items) before its deadline, the second
    // delivered it all, in the same container.
    expect(stats.invocations).toBe(2);
    expect(replicator.stats).toMatchObject({ invocations: 2, coldStarts: 1, timeouts: 0 });
    expect(stats).toMatchObject({ invocationErrors: 1, invocationsTimedOut: 0 });
    expect(stats.recordsRedelivered).toBe(stats.recordsDelivered / 2);
    expect((await compare(masterTable.name, slaveTable.name)).equal).toBe(true);
  });

  test('a container that stops answering times out; the mapping retries the batch in a new container, which lands it exactly once', async () => {
    // Prepare: the first container is frozen (SIGSTOP) as its first invocation starts, before the event reaches
    // it; the fault then clears, as a new container is not frozen. A 2 s function timeout.
    const { masterTable, slaveTable } = await changedTablePair(14, 30, 60);
    const running = await startProxy();
    const freeze = freezeFirstContainer();
    const replicator = localReplicator(
      { endpoint: running.endpoint, slaveTable: slaveTable.name },
      { timeoutMs: 2000, onLog: freeze.onLog },
    );
    const counted = countingItems(replicator);

    // Act
    const stats = await drainInOneBatch(masterTable.streamArn, counted.function);

    // Assess: Lambda's timeout ended the first invocation (the mapping saw Sandbox.Timedout), the whole batch was
    // delivered again to a cold container, and the frozen one wrote nothing: exactly one invocation's writes.
    expect(freeze.frozen).toHaveLength(1);
    expect(stats).toMatchObject({ invocations: 2, invocationErrors: 1, invocationsTimedOut: 1, recordsDiscarded: 0 });
    expect(stats.recordsRedelivered * 2).toBe(stats.recordsDelivered);
    expect(replicator.stats).toMatchObject({ invocations: 2, coldStarts: 2, timeouts: 1 });
    expect(replicator.logText()).toContain('Task timed out after 2.00 seconds');
    expect(running.stats().byOperation.BatchWriteItem).toBe(Math.ceil(counted.distinctItems.size / 25));
    expect((await compare(masterTable.name, slaveTable.name)).equal).toBe(true);
  });
});

describe('one poison item in a batch of good ones', () => {
  const POISON_CASES: Array<[string, StreamImage, string]> = [
    [
      'an item over 400 KB',
      { pk: { S: 'poison' }, blob: { S: 'x'.repeat(401 * 1024) } },
      'Item size has exceeded the maximum allowed size',
    ],
    ['a key of the wrong type for the slave', { pk: { N: '7' }, v: { S: 'number key' } }, 'Type mismatch for key'],
  ];

  test.each(POISON_CASES)(
    "%s: only its records fail, with DynamoDB's message, and every other item lands",
    async (_, poisonImage, message) => {
      // Prepare: 60 good items and a poison item changed twice, its last state being the poison.
      const slaveTable = await createTable(slave, { name: uniqueTableName('poison-slave') });
      const running = await startProxy();
      const poisonKeys: StreamImage = { pk: poisonImage.pk as StreamAttributeValue };
      const records = [
        ...Array.from({ length: 30 }, (_, i) =>
          insertRecord(seq(i * 2), keyOf(`good-${i}`), { ...keyOf(`good-${i}`), v: { N: String(i) } }),
        ),
        insertRecord(seq(61), poisonKeys, { ...poisonKeys, v: { S: 'small' } }),
        ...Array.from({ length: 30 }, (_, i) =>
          insertRecord(seq(100 + i), keyOf(`good-${30 + i}`), { ...keyOf(`good-${30 + i}`), n: { N: String(i) } }),
        ),
        modifyRecord(seq(200), poisonKeys, poisonImage),
      ];
      const replicator = localReplicator({
        endpoint: running.endpoint,
        slaveTable: slaveTable.name,
        logLevel: 'ERROR',
      });

      // Act
      const invocation = await replicator.invoke(streamEvent(records) as unknown as LambdaStreamEvent);

      // Assess: the answer and the container's log lines of this invocation.
      expect(invocation.status).toBe('ok');
      const payload = invocation.status === 'ok' ? invocation.payload : undefined;
      expect(failedSequenceNumbers(payload)).toEqual([seq(61), seq(200)]);
      const failureLines = replicator
        .entries(invocation.requestId)
        .filter((entry) => entry.message === 'record not replicated');
      expect(failureLines.map((line) => [line.sequenceNumber, line.reason])).toEqual([
        [seq(61), expect.stringContaining(message)],
        [seq(200), expect.stringContaining(message)],
      ]);
      const landed = (await scanAll(slave, slaveTable.name)).map((item) => item.pk?.S).sort();
      expect(landed).toEqual(Array.from({ length: 60 }, (_, i) => `good-${i}`).sort());
      // The split: ceil(61 / 25) batch calls, then single writes for the rejected call's items only.
      const { byOperation } = running.stats();
      expect(byOperation.BatchWriteItem).toBe(3);
      expect(byOperation.PutItem).toBeGreaterThan(1);
      expect(byOperation.PutItem).toBeLessThanOrEqual(25);
    },
  );
});

describe('a slave that always throttles', () => {
  test("the handler stops retrying within the invocation's time and reports every record failed with the reason", async () => {
    // Prepare
    const slaveTable = await createTable(slave, { name: uniqueTableName('throttled-slave') });
    const running = await startProxy(() => 'provisionedThroughputExceeded');
    const records = Array.from({ length: 40 }, (_, i) =>
      insertRecord(seq(i), keyOf(`item-${i}`), { ...keyOf(`item-${i}`), v: { N: String(i) } }),
    );
    // A 6 s timeout: room for retries after the first calls however slow a loaded machine makes them (with 3 s, an
    // invocation made only its first two calls before its budget ran out, on a loaded machine).
    const replicator = localReplicator(
      { endpoint: running.endpoint, slaveTable: slaveTable.name, logLevel: 'ERROR' },
      { timeoutMs: 6000 },
    );

    // Act
    const invocation = await replicator.invoke(streamEvent(records) as unknown as LambdaStreamEvent);

    // Assess: all 40 failed, so the function failed (Lambda retries the batch) before its timeout, as a function
    // error; what crossed the Runtime API is the error's type and message, and each record's reason is in the log.
    expect(invocation).toMatchObject({
      status: 'error',
      errorType: 'FullBatchFailureError',
      errorMessage: 'All records failed processing. See individual errors below.',
    });
    expect(replicator.stats).toMatchObject({ timeouts: 0, containersKilled: 0 });
    const reasons = replicator
      .entries(invocation.requestId)
      .filter((entry) => entry.message === 'record not replicated')
      .map((entry) => String(entry.reason));
    expect(reasons).toHaveLength(40);
    for (const reason of reasons) {
      expect(reason).toContain(
        `slave ${SLAVE_REGION}/${slaveTable.name}: not written before the invocation's time budget ran out; last answer: `,
      );
    }
    // It kept trying until then: every request was answered with throttling, more than one per call.
    const { faults, requests } = running.stats();
    expect(faults.provisionedThroughputExceeded).toBe(requests);
    expect(requests).toBeGreaterThan(Math.ceil(40 / 25));
    expect(await scanAll(slave, slaveTable.name)).toEqual([]);
  });
});
