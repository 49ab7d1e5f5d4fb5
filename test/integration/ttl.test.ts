/**
 * TTL deletes through the BUILT bundle: with `REPLICATE_TTL_DELETES=false`, REMOVE records made by DynamoDB's TTL
 * process are skipped (the slave keeps the item, to expire it by its own TTL) and counted in the summary log and in
 * the `RecordsSkipped` metric; by default they are replicated like any delete.
 *
 * DynamoDB Local does not run TTL, so its REMOVE records never carry the TTL process's identity. The records come
 * from the master's real stream, and the test marks the REMOVEs of the items it "expired" the way DynamoDB marks
 * them (`userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' }`) before the handler sees them.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { StreamHandler } from '../../harness/lambdaFunction';
import { StreamPoller } from '../../harness/lambdaPoller';
import { keyOf } from '../../harness/randomChanges';
import { loadReplicator, MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import { createMasterTable, createTable, scanAll, uniqueTableName } from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const NAMESPACE = 'ReplicatorTtlTest';
const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };
const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

beforeAll(() => {
  // Logger and Metrics print through the real stdout only without POWERTOOLS_DEV (as in Lambda).
  delete process.env.POWERTOOLS_DEV;
});

/** Every JSON line the bundle printed while `act` ran (log lines and EMF metric lines). */
async function printedBy(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  let text = '';
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  try {
    await act();
  } finally {
    stdout.mockRestore();
  }
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * The bundle's handler with `REPLICATE_TTL_DELETES` as given (unset: the default), behind a step that marks the
 * REMOVE records of `expired` items as the TTL process's.
 */
function replicatorFor(
  slaveTable: string,
  replicateTtlDeletes: string | undefined,
  expired: ReadonlySet<string>,
): StreamHandler {
  const replicator = loadReplicator({
    endpoint,
    slaveTable,
    logLevel: 'INFO',
    env: {
      REPLICATE_TTL_DELETES: replicateTtlDeletes,
      POWERTOOLS_METRICS_DISABLED: undefined,
      POWERTOOLS_METRICS_NAMESPACE: NAMESPACE,
    },
  });
  return (event: LambdaStreamEvent, context) => {
    for (const record of event.Records) {
      const id = record.dynamodb.Keys?.pk;
      if (record.eventName === 'REMOVE' && id && 'S' in id && expired.has(id.S))
        record.userIdentity = { ...TTL_IDENTITY };
    }
    return replicator(event, context);
  };
}

/**
 * A master and slave holding items 1 to 4 (replicated through the poller); then the master loses item 1 by "TTL"
 * and item 2 by a user's delete. Returns what the second drain printed and the slave's items after it.
 */
async function expireAndDelete(replicateTtlDeletes: string | undefined) {
  const masterTable = await createMasterTable(master, {
    name: uniqueTableName('master'),
    streamViewType: 'NEW_AND_OLD_IMAGES',
  });
  const slaveTable = await createTable(slave, { name: uniqueTableName('slave') });
  const poller = new StreamPoller({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint,
    region: MASTER_REGION,
    streamArn: masterTable.streamArn,
    handler: replicatorFor(slaveTable.name, replicateTtlDeletes, new Set([keyOf(1).pk?.S ?? ''])),
    maximumRetryAttempts: 0,
  });
  try {
    for (const index of [1, 2, 3, 4]) {
      await master.send(
        new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(index), v: { N: String(index) } } }),
      );
    }
    await printedBy(() => poller.drain());
    await master.send(new DeleteItemCommand({ TableName: masterTable.name, Key: keyOf(1) }));
    await master.send(new DeleteItemCommand({ TableName: masterTable.name, Key: keyOf(2) }));
    await master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(3), v: { N: '33' } } }));

    let stats: Awaited<ReturnType<StreamPoller['drain']>> | undefined;
    const lines = await printedBy(async () => {
      stats = await poller.drain();
    });
    const slaveItems = (await scanAll(slave, slaveTable.name)).map((item) => `${item.pk?.S}=${item.v?.N}`).sort();
    return { lines, slaveItems, stats, slaveName: `${SLAVE_REGION}/${slaveTable.name}` };
  } finally {
    poller.close();
  }
}

describe('TTL deletes', () => {
  test('REPLICATE_TTL_DELETES=false: the TTL delete is skipped and counted; the user delete and the update are replicated', async () => {
    // Act
    const { lines, slaveItems, stats, slaveName } = await expireAndDelete('false');

    // Assess
    expect(stats).toMatchObject({ invocations: 1, recordsDelivered: 3, failuresReported: 0, invocationErrors: 0 });
    expect(slaveItems).toEqual(['item-1=1', 'item-3=33', 'item-4=4']);
    const summaries = lines.filter((line) => line.message === 'batch replicated');
    expect(summaries).toEqual([expect.objectContaining({ records: 3, skipped: 1, deletes: 1, puts: 1, failures: 0 })]);
    const emf = lines.filter((line) => typeof line._aws === 'object');
    expect(emf).toEqual([
      expect.objectContaining({ SlaveTable: slaveName, RecordsSkipped: 1, RecordsReplicated: 2, RecordsFailed: 0 }),
    ]);
    expect(emf[0]).toMatchObject({ _aws: { CloudWatchMetrics: [expect.objectContaining({ Namespace: NAMESPACE })] } });
  });

  test('by default the TTL delete is replicated like any delete, and nothing is skipped', async () => {
    // Act
    const { lines, slaveItems, stats, slaveName } = await expireAndDelete(undefined);

    // Assess
    expect(stats).toMatchObject({ invocations: 1, recordsDelivered: 3, failuresReported: 0, invocationErrors: 0 });
    expect(slaveItems).toEqual(['item-3=33', 'item-4=4']);
    expect(lines.filter((line) => line.message === 'batch replicated')).toEqual([
      expect.objectContaining({ records: 3, skipped: 0, deletes: 2, puts: 1 }),
    ]);
    expect(lines.filter((line) => typeof line._aws === 'object')).toEqual([
      expect.objectContaining({ SlaveTable: slaveName, RecordsSkipped: 0, RecordsReplicated: 3 }),
    ]);
  });

  test('REPLICATE_TTL_DELETES=true behaves as the default', async () => {
    // Act
    const { slaveItems } = await expireAndDelete('true');

    // Assess
    expect(slaveItems).toEqual(['item-3=33', 'item-4=4']);
  });
});
