/**
 * End to end: the BUILT zip (`dist/dynamo-replicator.zip`), run under Lambda's own runtime client in local
 * containers, replicates a master table in one region to a slave in another, fed by a Lambda-like poller reading the
 * master's real stream from DynamoDB Local. Run `npm run build` first (`npm test` does).
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaFunction, StreamHandler } from '../../harness/lambdaFunction';
import { drainStream, type PollerOptions, StreamPoller } from '../../harness/lambdaPoller';
import type { LocalLambda } from '../../harness/localLambda';
import { applyRandomChanges, applyRandomRounds, keyOf } from '../../harness/randomChanges';
import {
  keepingErrors,
  MASTER_REGION,
  SLAVE_REGION,
  TEMPLATE_RESPONSE_TYPES,
  thrownReport,
} from '../../harness/replicator';
import {
  type CreatedTable,
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  dropIndexOnG,
  INDEX_ON_G_AS_STRING,
  NO_DIFFERENCES,
  scanAll,
  type TableSpec,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

const localReplicator = useLocalReplicators();

/**
 * The zip as a Lambda function configured as a user would configure it for this slave table, run under the official
 * runtime client. The poller invokes the local Lambda itself, so it sees what Lambda's event source mapping sees: a
 * payload, or a function error with Lambda's errorType (a thrown error, a timeout, a dead container).
 */
function replicatorFor(slaveTable: string): LocalLambda {
  return localReplicator({
    endpoint,
    slaveTable,
    logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
    env: { POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true' },
  });
}

/** A master with a stream in one region and an empty slave with the same key schema in the other. */
async function tablePair(
  spec: Omit<TableSpec, 'name'>,
  slaveSpec: Partial<TableSpec> = {},
): Promise<{ master: CreatedTable & { streamArn: string }; slave: CreatedTable }> {
  const keys = { partitionKeyType: spec.partitionKeyType, sortKeyType: spec.sortKeyType };
  return {
    master: await createMasterTable(master, { ...spec, name: uniqueTableName('master') }),
    slave: await createTable(slave, { ...keys, ...slaveSpec, name: uniqueTableName('slave') }),
  };
}

/** The poller's options for a function (the local Lambda, or a wrapper of it) or an in-process handler. */
function pollerOptions(
  streamArn: string,
  invoked: LambdaFunction | StreamHandler,
  options: Partial<PollerOptions> = {},
): PollerOptions {
  const target = typeof invoked === 'function' ? { handler: invoked } : { function: invoked };
  return {
    endpoint,
    region: MASTER_REGION,
    streamArn,
    ...target,
    ...TEMPLATE_RESPONSE_TYPES,
    batchSize: 100,
    maximumRetryAttempts: 3,
    ...options,
  };
}

function compare(masterTable: string, slaveTable: string) {
  return compareTables({ client: master, table: masterTable }, { client: slave, table: slaveTable });
}

describe('replication of a master table to a slave in another region through the built bundle', () => {
  test('a few hundred random puts, updates and deletes (binary sort key, NEW_IMAGE) leave the slave equal to the master, item for item', async () => {
    // Prepare
    const tables = await tablePair({ sortKeyType: 'B', streamViewType: 'NEW_IMAGE' });
    const poller = new StreamPoller(
      pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name), { batchSize: 50 }),
    );
    try {
      // Act: two rounds, so the second drain resumes where the first stopped.
      const changes = await applyRandomRounds(
        master,
        tables.master.name,
        [
          { seed: 1, changes: 250 },
          { seed: 2, changes: 150 },
        ],
        { items: 50, sortKeyType: 'B' },
        () => poller.drain(),
      );

      // Assess
      const comparison = await compare(tables.master.name, tables.slave.name);
      expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
      expect(comparison.sourceCount).toBeGreaterThan(0);
      expect(changes.deletes).toBeGreaterThan(0);
      expect(changes.reinserts).toBeGreaterThan(0);
      expect(poller.totals.recordsDelivered).toBeGreaterThan(300);
      expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    } finally {
      poller.close();
    }
  });

  test('a NEW_AND_OLD_IMAGES stream replicates the same way (string key, no sort key)', async () => {
    // Prepare
    const tables = await tablePair({ streamViewType: 'NEW_AND_OLD_IMAGES' });
    await applyRandomChanges(master, tables.master.name, { seed: 3, items: 30, changes: 150 });

    // Act
    const stats = await drainStream(
      pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name), { batchSize: 40 }),
    );

    // Assess
    const comparison = await compare(tables.master.name, tables.slave.name);
    expect(comparison.equal).toBe(true);
    expect(comparison.sourceCount).toBeGreaterThan(0);
    expect(stats.recordsDelivered).toBeGreaterThan(100);
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0 });
  });

  test('a slave that rejects two items once: after the retry from the lowest failed record no item is missing or stale', async () => {
    // Prepare: the slave has an index on `g` as a string; the master has none, so an item with a numeric `g` is fine
    // on the master and rejected by the slave until the index is dropped.
    const tables = await tablePair({ sortKeyType: 'B', streamViewType: 'NEW_IMAGE' }, INDEX_ON_G_AS_STRING);
    const put = (index: number, attributes: Record<string, { N: string } | { S: string }>) =>
      master.send(new PutItemCommand({ TableName: tables.master.name, Item: { ...keyOf(index, 'B'), ...attributes } }));
    const remove = (index: number) =>
      master.send(new DeleteItemCommand({ TableName: tables.master.name, Key: keyOf(index, 'B') }));
    // One batch: two rejected items, others changed before, between and after them, one deleted after them.
    await put(1, { v: { N: '1' } });
    await put(2, { v: { N: '1' } });
    await put(3, { v: { N: '1' }, g: { N: '7' } }); // rejected by the slave
    await put(1, { v: { N: '2' } });
    await put(4, { v: { N: '1' } });
    await put(5, { v: { N: '1' }, g: { N: '9' } }); // rejected too: only a retry from the lowest failure covers both
    await remove(2);
    await put(3, { v: { N: '2' }, g: { N: '8' } }); // still rejected: the item's latest image
    await put(1, { v: { N: '3' } });
    const replicator = replicatorFor(tables.slave.name);
    let indexDropped = false;
    const fn: LambdaFunction = {
      invoke: async (event, options) => {
        const invocation = await replicator.invoke(event, options);
        if (!indexDropped) {
          indexDropped = true;
          await dropIndexOnG(slave, tables.slave.name);
        }
        return invocation;
      },
    };

    // Act
    const stats = await drainStream(pollerOptions(tables.master.streamArn, fn));

    // Assess
    expect(stats.failuresReported).toBeGreaterThan(0);
    expect(stats.recordsRedelivered).toBeGreaterThan(0);
    expect(stats.recordsDiscarded).toBe(0);
    const comparison = await compare(tables.master.name, tables.slave.name);
    expect(comparison.equal).toBe(true);
    expect(comparison.sourceCount).toBe(4);
  });

  test('when every record fails (slave table missing), the whole batch is retried and replicated once the table exists', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, {
      name: uniqueTableName('master'),
      streamViewType: 'NEW_IMAGE',
    });
    const slaveName = uniqueTableName('slave');
    await applyRandomChanges(master, masterTable.name, { seed: 4, items: 10, changes: 30 });
    const replicator = replicatorFor(slaveName);
    let slaveCreated = false;
    const fn: LambdaFunction = {
      invoke: async (event, options) => {
        try {
          return await replicator.invoke(event, options);
        } finally {
          if (!slaveCreated) {
            slaveCreated = true;
            await createTable(slave, { name: slaveName });
          }
        }
      },
    };

    // Act
    const stats = await drainStream(pollerOptions(masterTable.streamArn, fn));

    // Assess
    expect(stats).toMatchObject({ invocations: 2, invocationErrors: 1, recordsDiscarded: 0 });
    expect(stats.recordsRedelivered * 2).toBe(stats.recordsDelivered);
    expect((await compare(masterTable.name, slaveName)).equal).toBe(true);
  });

  test('a REMOVE of an item the slave does not have succeeds', async () => {
    // Prepare: replicate two items, then lose one of them on the slave only.
    const tables = await tablePair({ sortKeyType: 'B', streamViewType: 'NEW_IMAGE' });
    const poller = new StreamPoller(pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name)));
    try {
      for (const index of [1, 2]) {
        await master.send(
          new PutItemCommand({ TableName: tables.master.name, Item: { ...keyOf(index, 'B'), v: { N: '1' } } }),
        );
      }
      await poller.drain();
      await slave.send(new DeleteItemCommand({ TableName: tables.slave.name, Key: keyOf(1, 'B') }));
      await master.send(new DeleteItemCommand({ TableName: tables.master.name, Key: keyOf(1, 'B') }));

      // Act
      const stats = await poller.drain();

      // Assess
      expect(stats).toMatchObject({ invocations: 1, recordsDelivered: 1, failuresReported: 0, invocationErrors: 0 });
      const comparison = await compare(tables.master.name, tables.slave.name);
      expect(comparison.equal).toBe(true);
      expect(comparison.sourceCount).toBe(1);
    } finally {
      poller.close();
    }
  });

  test.each(['KEYS_ONLY', 'OLD_IMAGE'] as const)(
    'a %s stream (no new images) makes the slave equal to the master by reading the changed items from the master',
    async (streamViewType) => {
      // Prepare: changes, deletes among them, to items of which some end deleted.
      const tables = await tablePair({ sortKeyType: 'B', streamViewType });
      const poller = new StreamPoller(
        pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name), { batchSize: 25 }),
      );
      try {
        // Act
        await applyRandomChanges(master, tables.master.name, { seed: 6, items: 20, changes: 80, sortKeyType: 'B' });
        await poller.drain();
        await applyRandomChanges(master, tables.master.name, { seed: 7, items: 20, changes: 40, sortKeyType: 'B' });
        await poller.drain();

        // Assess
        const comparison = await compare(tables.master.name, tables.slave.name);
        expect(comparison.equal).toBe(true);
        expect(comparison.sourceCount).toBeGreaterThan(0);
        expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
      } finally {
        poller.close();
      }
    },
  );

  test("an event whose eventSourceARN is the slave table's own stream is refused", async () => {
    // Prepare: the slave has a stream too, and the function is (wrongly) triggered by it.
    const slaveTable = await createMasterTable(slave, { name: uniqueTableName('slave'), streamViewType: 'NEW_IMAGE' });
    await slave.send(new PutItemCommand({ TableName: slaveTable.name, Item: { ...keyOf(1), v: { N: '1' } } }));
    const replicator = replicatorFor(slaveTable.name);
    const { handler, errors } = keepingErrors(replicator.handler);

    // Act
    const stats = await drainStream({
      ...pollerOptions(slaveTable.streamArn, handler, { maximumRetryAttempts: 0 }),
      region: SLAVE_REGION,
    });

    // Assess
    expect(stats).toMatchObject({ invocations: 1, invocationErrors: 1, failuresReported: 0 });
    expect(errors).toHaveLength(1);
    const thrown = thrownReport(errors[0]);
    expect(thrown.name).toBe('ReplicationLoopError');
    expect(thrown.message).toMatch(
      new RegExp(
        `^the trigger's stream \\(arn:aws:dynamodb:${SLAVE_REGION}:\\d+:table/${slaveTable.name}/stream/[^)]+\\) ` +
          `belongs to the slave table ${SLAVE_REGION}/${slaveTable.name} itself: a table cannot replicate onto itself`,
      ),
    );
    expect(await scanAll(slave, slaveTable.name)).toEqual([{ ...keyOf(1), v: { N: '1' } }]);
  });

  test('many changes to one item in one batch end in its last state', async () => {
    // Prepare
    const tables = await tablePair({ sortKeyType: 'B', streamViewType: 'NEW_IMAGE' });
    await applyRandomChanges(master, tables.master.name, {
      seed: 5,
      items: 1,
      hotItems: 1,
      changes: 60,
      sortKeyType: 'B',
    });
    await master.send(
      new PutItemCommand({ TableName: tables.master.name, Item: { ...keyOf(0, 'B'), last: { S: 'yes' } } }),
    );

    // Act
    const stats = await drainStream(pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name)));

    // Assess
    expect(stats).toMatchObject({ invocations: 1, failuresReported: 0 });
    expect(stats.recordsDelivered).toBeGreaterThan(40);
    const comparison = await compare(tables.master.name, tables.slave.name);
    expect(comparison.equal).toBe(true);
    expect(comparison.sourceCount).toBe(1);
  });

  test('delete then re-insert of an item in one batch ends with the re-inserted item; delete last ends without it', async () => {
    // Prepare: both items exist on the slave before the batch.
    const tables = await tablePair({ sortKeyType: 'B', streamViewType: 'NEW_AND_OLD_IMAGES' });
    const poller = new StreamPoller(pollerOptions(tables.master.streamArn, replicatorFor(tables.slave.name)));
    const put = (index: number, v: string) =>
      master.send(new PutItemCommand({ TableName: tables.master.name, Item: { ...keyOf(index, 'B'), v: { S: v } } }));
    const remove = (index: number) =>
      master.send(new DeleteItemCommand({ TableName: tables.master.name, Key: keyOf(index, 'B') }));
    try {
      await put(1, 'old');
      await put(2, 'old');
      await poller.drain();
      await remove(1);
      await put(1, 'new');
      await put(2, 'newer');
      await remove(2);

      // Act
      const stats = await poller.drain();

      // Assess
      expect(stats).toMatchObject({ invocations: 1, recordsDelivered: 4, failuresReported: 0 });
      const items = await scanAll(slave, tables.slave.name);
      expect(items).toEqual([{ ...keyOf(1, 'B'), v: { S: 'new' } }]);
      expect((await compare(tables.master.name, tables.slave.name)).equal).toBe(true);
    } finally {
      poller.close();
    }
  });
});
