/**
 * The built zip, run under Lambda's own runtime client (harness/localLambda), writing to DynamoDB Local through the
 * fault-injecting proxy: throttling, 500s, partial `UnprocessedItems`, dropped connections and answers slower than
 * the client's timeout still end with the slave equal to the master; a container that stops answering after some
 * of its writes landed is ended by Lambda's timeout and the mapping's retry writes the batch again. Poison items and a slave that never stops
 * throttling: faultsPoison.test.ts (a file of its own, so the two run side by side).
 */
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import { type FaultKind, type FaultProxy, scriptedFaults } from '../../harness/faultProxy';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { drainStream } from '../../harness/lambdaPoller';
import { applyRandomChanges } from '../../harness/randomChanges';
import { MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import { sleep } from '../../src/shared/sleep';
import { containerFreezer } from '../helpers/frozenContainer';
import { useFaultSetup } from './faultsFixture';

const { endpoint, master, slave, localReplicator, startProxy } = useFaultSetup();

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
  return drainStream({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint,
    region: MASTER_REGION,
    streamArn,
    function: fn,
    batchSize: 1000,
  });
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
      ...TEMPLATE_RESPONSE_TYPES,
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

  test('a container that stops answering after some of its writes landed times out; the retry in a new container writes the batch again and the slave equals the master', async () => {
    // Prepare: the first container is frozen (SIGSTOP) when its first BatchWriteItem reaches the proxy, which
    // forwards it: that write lands, its answer is never read. A new container is not frozen. A 2 s function timeout.
    const { masterTable, slaveTable } = await changedTablePair(14, 30, 60);
    const freezer = containerFreezer();
    let landed: Promise<number> | undefined;
    const running = await startProxy(({ operation }) => {
      if (operation !== 'BatchWriteItem' || landed) return undefined;
      freezer.freeze();
      // Read the slave while the container is frozen, well before its timeout: what the frozen invocation wrote.
      landed = sleep(500).then(async () => (await scanAll(slave, slaveTable.name)).length);
      return undefined;
    });
    const replicator = localReplicator(
      { endpoint: running.endpoint, slaveTable: slaveTable.name },
      { timeoutMs: 2000 },
    );
    const counted = countingItems(replicator);

    // Act
    const stats = await drainInOneBatch(masterTable.streamArn, counted.function);

    // Assess: Lambda's timeout ended the first invocation (the mapping saw Sandbox.Timedout) after a write of it had
    // landed; the whole batch was delivered again to a cold container, which wrote every item of it again.
    expect(freezer.frozen).toHaveLength(1);
    expect(await landed).toBeGreaterThan(0);
    expect(stats).toMatchObject({ invocations: 2, invocationErrors: 1, invocationsTimedOut: 1, recordsDiscarded: 0 });
    expect(stats.recordsRedelivered * 2).toBe(stats.recordsDelivered);
    expect(replicator.stats).toMatchObject({ invocations: 2, coldStarts: 2, timeouts: 1 });
    expect(replicator.logText()).toContain('Task timed out after 2.00 seconds');
    const planned = Math.ceil(counted.distinctItems.size / 25);
    expect(running.stats().byOperation.BatchWriteItem).toBeGreaterThan(planned);
    expect((await compare(masterTable.name, slaveTable.name)).equal).toBe(true);
  });
});
