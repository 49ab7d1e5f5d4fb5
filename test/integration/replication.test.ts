/**
 * End to end: the BUILT zip (`dist/dynamo-replicator.zip`), run under Lambda's own runtime client in local
 * containers, replicates a master table in one region to a slave in another, fed by a Lambda-like poller reading the
 * master's real stream from DynamoDB Local: random changes, both image view types, failed items retried from the
 * lowest failed record, a whole batch failed and retried. The nodejs24.x project runs this file again on that runtime;
 * the replication logic's other cases (the same JavaScript on either runtime): replicationCases.test.ts. Run `npm run
 * build` first (`npm test` does).
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { drainStream, StreamPoller } from '../../harness/lambdaPoller';
import { applyRandomChanges, applyRandomRounds, keyOf } from '../../harness/randomChanges';
import {
  createMasterTable,
  createTable,
  differencesOf,
  dropIndexOnG,
  INDEX_ON_G_AS_STRING,
  NO_DIFFERENCES,
  uniqueTableName,
} from '../../harness/tables';

import { useReplicationSetup } from './replicationFixture';

const { master, slave, replicatorFor, tablePair, pollerOptions, compare } = useReplicationSetup();

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
});
