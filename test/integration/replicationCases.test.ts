/**
 * The replication logic's cases, through the BUILT zip under Lambda's runtime client on nodejs22.x: a REMOVE of an
 * item the slave lacks, streams without new images, the slave's own stream refused, many changes to one item in one
 * batch, a delete and a re-insert. End to end on both runtimes: replication.test.ts.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { drainStream, StreamPoller } from '../../harness/lambdaPoller';
import { applyRandomChanges, keyOf } from '../../harness/randomChanges';
import { keepingErrors, SLAVE_REGION, thrownReport } from '../../harness/replicator';
import { createMasterTable, scanAll, uniqueTableName } from '../../harness/tables';

import { useReplicationSetup } from './replicationFixture';

const { master, slave, replicatorFor, tablePair, pollerOptions, compare } = useReplicationSetup();

describe('replication cases through the built bundle', () => {
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
