/**
 * Streams without new images, end to end: with `KEYS_ONLY` and `OLD_IMAGE` the BUILT bundle reads each changed
 * item's current state from the master (consistent BatchGetItem on the table named by `eventSourceARN`) and puts it
 * on the slave, or deletes it there when the master no longer has it. The slave converges to the master's latest
 * state. Run `npm run build` first (`npm test` does).
 */
import {
  DeleteItemCommand,
  PutItemCommand,
  type ScalarAttributeType,
  type StreamViewType,
} from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { StreamHandler } from '../../harness/lambdaFunction';
import { type PollerOptions, StreamPoller } from '../../harness/lambdaPoller';
import { applyRandomRounds, keyOf } from '../../harness/randomChanges';
import { loadReplicator, MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** What the handler was given: records by event name, and how many carried a new image. */
interface Delivered {
  byEventName: Record<string, number>;
  withNewImage: number;
}

/** The bundle's handler for `slaveTable`, wrapped to count what the stream delivered. */
function replicatorFor(slaveTable: string, delivered: Delivered): StreamHandler {
  const replicator = loadReplicator({ endpoint, slaveTable });
  return (event: LambdaStreamEvent, context) => {
    for (const record of event.Records) {
      delivered.byEventName[record.eventName] = (delivered.byEventName[record.eventName] ?? 0) + 1;
      if (record.dynamodb.NewImage) delivered.withNewImage += 1;
    }
    return replicator(event, context);
  };
}

/** Options of {@link setUp}. */
interface SetUpOptions {
  sortKeyType?: ScalarAttributeType;
  batchSize?: number;
  /** Runs after every invocation, e.g. to look at the slave. */
  afterEach?: () => Promise<void>;
}

/**
 * A master with a stream of `streamViewType`, an empty slave with the same keys, and a poller on the stream that
 * calls `afterEach` after every invocation.
 */
async function setUp(streamViewType: StreamViewType, { sortKeyType, batchSize = 50, afterEach }: SetUpOptions = {}) {
  const masterTable = await createMasterTable(master, { name: uniqueTableName('master'), streamViewType, sortKeyType });
  const slaveTable = await createTable(slave, { name: uniqueTableName('slave'), sortKeyType });
  const delivered: Delivered = { byEventName: {}, withNewImage: 0 };
  const replicator = replicatorFor(slaveTable.name, delivered);
  const handler: StreamHandler = async (event, context) => {
    const response = await replicator(event, context);
    await afterEach?.();
    return response;
  };
  const options: PollerOptions = {
    endpoint,
    region: MASTER_REGION,
    streamArn: masterTable.streamArn,
    handler,
    batchSize,
    ...TEMPLATE_RESPONSE_TYPES,
    maximumRetryAttempts: 3,
  };
  const poller = new StreamPoller(options);
  const compare = () =>
    compareTables({ client: master, table: masterTable.name }, { client: slave, table: slaveTable.name });
  return { masterTable, slaveTable, delivered, poller, compare };
}

describe.each([
  ['KEYS_ONLY', 'a binary sort key', 'B'],
  ['OLD_IMAGE', 'a string key only', undefined],
] as const)('a %s stream, %s', (streamViewType, _keys, sortKeyType) => {
  test('random puts, updates, deletes and re-inserts in two rounds leave the slave equal to the master', async () => {
    // Prepare
    const { delivered, poller, compare, masterTable } = await setUp(streamViewType, { sortKeyType });
    try {
      // Act
      const changes = await applyRandomRounds(
        master,
        masterTable.name,
        [
          { seed: 11, changes: 120 },
          { seed: 12, changes: 80 },
        ],
        { items: 30, sortKeyType },
        () => poller.drain(),
      );

      // Assess: the stream really carried no new image, and every kind of change happened.
      expect(delivered.withNewImage).toBe(0);
      expect(delivered.byEventName).toEqual({
        INSERT: expect.any(Number),
        MODIFY: expect.any(Number),
        REMOVE: expect.any(Number),
      });
      expect(changes.reinserts).toBeGreaterThan(0);
      const comparison = await compare();
      expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
      expect(comparison.sourceCount).toBeGreaterThan(0);
      expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    } finally {
      poller.close();
    }
  });
});

describe('converging to the latest state', () => {
  test('a record replicated after its item changed again writes the item as it is now, not as the record saw it', async () => {
    // Prepare: the first put's record is delivered only after the item changed twice more on the master.
    const { masterTable, slaveTable, poller } = await setUp('KEYS_ONLY', { batchSize: 1 });
    const put = (v: string) =>
      master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(1), v: { S: v } } }));
    try {
      await put('first');
      await put('second');
      await put('latest');

      // Act: batches of one record; the first invocation already sees "latest".
      const stats = await poller.drain();

      // Assess
      expect(stats).toMatchObject({ invocations: 3, failuresReported: 0 });
      expect(await scanAll(slave, slaveTable.name)).toEqual([{ ...keyOf(1), v: { S: 'latest' } }]);
    } finally {
      poller.close();
    }
  });

  test('an INSERT whose item is gone from the master by the time it is replicated removes the item from the slave', async () => {
    // Prepare: the slave holds a stale copy; the master re-inserts the item and deletes it again. Batches of one
    // record, and the slave's state after each, show that the INSERT alone already deleted it.
    const slaveAfter: string[][] = [];
    const { masterTable, slaveTable, poller, compare } = await setUp('OLD_IMAGE', {
      batchSize: 1,
      afterEach: async () => {
        slaveAfter.push((await scanAll(slave, slaveTable.name)).map((item) => `${item.pk?.S}=${item.v?.S}`).sort());
      },
    });
    await slave.send(new PutItemCommand({ TableName: slaveTable.name, Item: { ...keyOf(2), v: { S: 'stale' } } }));
    await master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(2), v: { S: 'brief' } } }));
    await master.send(new DeleteItemCommand({ TableName: masterTable.name, Key: keyOf(2) }));
    await master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(3), v: { S: 'stays' } } }));
    try {
      // Act
      const stats = await poller.drain();

      // Assess
      expect(stats).toMatchObject({ invocations: 3, failuresReported: 0, invocationErrors: 0 });
      expect(slaveAfter).toEqual([[], [], ['item-3=stays']]);
      expect((await compare()).equal).toBe(true);
    } finally {
      poller.close();
    }
  });
});
