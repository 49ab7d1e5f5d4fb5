/**
 * EXCLUDE_ATTRIBUTES through the BUILT bundle, with the master's real stream: the named attributes never reach the
 * slave, and naming a key attribute (which init cannot know) fails the records with a message naming the variable.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { StreamPoller } from '../../harness/lambdaPoller';
import { keyOf } from '../../harness/randomChanges';
import {
  keepingErrors,
  loadReplicator,
  MASTER_REGION,
  SLAVE_REGION,
  TEMPLATE_RESPONSE_TYPES,
  thrownReport,
} from '../../harness/replicator';
import { createMasterTable, createTable, scanAll, uniqueTableName } from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

beforeAll(() => {
  delete process.env.POWERTOOLS_DEV;
});

/** Puts two items with personal data on a fresh master, drains its stream through the bundle with `excluded`. */
async function replicateWith(excluded: string) {
  const masterTable = await createMasterTable(master, {
    name: uniqueTableName('master'),
    streamViewType: 'NEW_AND_OLD_IMAGES',
  });
  const slaveTable = await createTable(slave, { name: uniqueTableName('slave') });
  const { handler, errors } = keepingErrors(
    loadReplicator({ endpoint, slaveTable: slaveTable.name, env: { EXCLUDE_ATTRIBUTES: excluded } }),
  );
  const poller = new StreamPoller({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint,
    region: MASTER_REGION,
    streamArn: masterTable.streamArn,
    handler,
    maximumRetryAttempts: 0,
  });
  try {
    for (const index of [1, 2]) {
      const Item = { ...keyOf(index), name: { S: `n${index}` }, ssn: { S: '123' }, email: { S: 'a@b.c' } };
      await master.send(new PutItemCommand({ TableName: masterTable.name, Item }));
    }
    const stats = await poller.drain();
    return { stats, slaveItems: await scanAll(slave, slaveTable.name), errors: errors.map(thrownReport) };
  } finally {
    poller.close();
  }
}

describe('EXCLUDE_ATTRIBUTES', () => {
  test('ssn,email: the slave holds every item without them', async () => {
    // Act
    const { stats, slaveItems } = await replicateWith('ssn, email');

    // Assess
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0 });
    expect(slaveItems.map((item) => Object.keys(item).sort())).toEqual([
      ['name', 'pk'],
      ['name', 'pk'],
    ]);
  });

  test('naming the key attribute fails every record at run time, naming EXCLUDE_ATTRIBUTES, and writes nothing', async () => {
    // Act
    const { stats, slaveItems, errors } = await replicateWith('pk');

    // Assess
    expect(stats.recordsDiscarded).toBe(2);
    expect(slaveItems).toEqual([]);
    const recordErrors = errors.flatMap((error) => error.recordErrors);
    expect(recordErrors).toHaveLength(2);
    for (const message of recordErrors) {
      expect(message).toContain('EXCLUDE_ATTRIBUTES names the key attribute(s) pk of the master table');
    }
  });
});
