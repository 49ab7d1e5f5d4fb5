/**
 * `create-slave` run as the built CLI against DynamoDB Local, and verify's warnings about table definitions. What
 * DynamoDB Local cannot do (tags, point-in-time recovery, table class, encryption) is covered with the SDK mocked in
 * test/unit/cli/createSlave.test.ts.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTable, uniqueTableName, waitForActive } from '../../../harness/tables';
import { formatTableRef } from '../../../src/shared/tableRef';
import { MASTER_REGION, putItems, runCli, SLAVE_REGION, useRegionClients } from './fixture';

const clients = useRegionClients();

/**
 * A provisioned master (6/7) with pk (S) + sk (N), two GSIs — byCustomer INCLUDE [currency, total] at 2/3 and
 * byStatus KEYS_ONLY at 4/5 — an LSI byPlacedAt, deletion protection and TTL on expiresAt.
 */
async function richMaster(client: DynamoDBClient): Promise<string> {
  const name = uniqueTableName('create-master');
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 6, WriteCapacityUnits: 7 },
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'N' },
        { AttributeName: 'customer', AttributeType: 'S' },
        { AttributeName: 'status', AttributeType: 'S' },
        { AttributeName: 'placedAt', AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byCustomer',
          KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total', 'currency'] },
          ProvisionedThroughput: { ReadCapacityUnits: 2, WriteCapacityUnits: 3 },
        },
        {
          IndexName: 'byStatus',
          KeySchema: [
            { AttributeName: 'status', KeyType: 'HASH' },
            { AttributeName: 'placedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
          ProvisionedThroughput: { ReadCapacityUnits: 4, WriteCapacityUnits: 5 },
        },
      ],
      LocalSecondaryIndexes: [
        {
          IndexName: 'byPlacedAt',
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'placedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      DeletionProtectionEnabled: true,
    }),
  );
  await waitForActive(client, name);
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
    }),
  );
  return name;
}

/** What must match between master and slave, from DescribeTable (names, ARNs, dates and counts left out). */
function shapeOf(table: TableDescription | undefined) {
  const sorted = <T>(list: T[] | undefined, by: (entry: T) => string): T[] =>
    [...(list ?? [])].sort((a, b) => by(a).localeCompare(by(b)));
  return {
    keySchema: table?.KeySchema,
    attributes: sorted(table?.AttributeDefinitions, (entry) => entry.AttributeName ?? ''),
    billing: table?.BillingModeSummary?.BillingMode ?? 'PROVISIONED',
    capacity: [table?.ProvisionedThroughput?.ReadCapacityUnits, table?.ProvisionedThroughput?.WriteCapacityUnits],
    deletionProtection: table?.DeletionProtectionEnabled,
    stream: table?.StreamSpecification,
    globalIndexes: sorted(table?.GlobalSecondaryIndexes, (index) => index.IndexName ?? '').map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema,
      projection: index.Projection,
      capacity: [index.ProvisionedThroughput?.ReadCapacityUnits, index.ProvisionedThroughput?.WriteCapacityUnits],
    })),
    localIndexes: table?.LocalSecondaryIndexes?.map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema,
      projection: index.Projection,
    })),
  };
}

async function describe_(client: DynamoDBClient, table: string) {
  const [{ Table }, { TimeToLiveDescription }] = await Promise.all([
    client.send(new DescribeTableCommand({ TableName: table })),
    client.send(new DescribeTimeToLiveCommand({ TableName: table })),
  ]);
  return { table: Table, ttl: TimeToLiveDescription };
}

describe('create-slave against DynamoDB Local', () => {
  test('a slave made from a master with two GSIs, an LSI, capacity, TTL and protection matches it; a rerun already matches', async () => {
    // Prepare
    const master = await richMaster(clients.master);
    const slave = uniqueTableName('create-slave');
    const args = ['create-slave', `${MASTER_REGION}/${master}`, `${SLAVE_REGION}/${slave}`];

    // Act
    const created = await runCli(args);
    const rerun = await runCli(args);

    // Assess
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`create-slave ${MASTER_REGION}/${master} -> ${SLAVE_REGION}/${slave}: created`);
    expect(created.stdout).toContain('warning: point-in-time recovery not copied');
    expect(created.stdout).toContain('warning: tags not copied');
    const [ofMaster, ofSlave] = await Promise.all([describe_(clients.master, master), describe_(clients.slave, slave)]);
    expect(shapeOf(ofSlave.table)).toEqual(shapeOf(ofMaster.table));
    expect(shapeOf(ofSlave.table).globalIndexes).toHaveLength(2);
    expect(ofSlave.table?.DeletionProtectionEnabled).toBe(true);
    expect(ofSlave.table?.StreamSpecification).toBeUndefined();
    expect(ofSlave.ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect(ofSlave.ttl).toEqual(ofMaster.ttl);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('already matches the master');
  });

  test('a dry run prints the requests as JSON and creates nothing', async () => {
    // Prepare
    const master = await richMaster(clients.master);
    const slave = uniqueTableName('create-dry');

    // Act
    const result = await runCli([
      'create-slave',
      `${MASTER_REGION}/${master}`,
      `${SLAVE_REGION}/${slave}`,
      '--dry-run',
      '--json',
    ]);

    // Assess
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.outcome).toBe('would-create');
    expect(summary.requests.map((request: { action: string }) => request.action)).toEqual([
      'CreateTable',
      'UpdateTimeToLive',
    ]);
    expect(summary.requests[0].input.TableName).toBe(slave);
    expect(summary.requests[0].input.GlobalSecondaryIndexes).toHaveLength(2);
    await expect(clients.slave.send(new DescribeTableCommand({ TableName: slave }))).rejects.toThrow(
      'non-existent table',
    );
  });

  test('an existing slave that differs: exit 2 naming the missing indexes and TTL, and it is left as it was', async () => {
    // Prepare: a slave with the master's keys but no index and no TTL
    const master = await richMaster(clients.master);
    const slave = await createTable(clients.slave, { name: uniqueTableName('create-differs'), sortKeyType: 'N' });
    const before = await describe_(clients.slave, slave.name);

    // Act
    const result = await runCli(['create-slave', `${MASTER_REGION}/${master}`, `${SLAVE_REGION}/${slave.name}`]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('DIFFERS from the master; nothing changed');
    expect(result.stdout).toContain('  - global secondary index byCustomer is missing on the slave');
    expect(result.stdout).toContain('  - global secondary index byStatus is missing on the slave');
    expect(result.stdout).toContain('  - local secondary index byPlacedAt is missing on the slave');
    expect(result.stdout).toContain('  - TTL attribute: expiresAt on the master, TTL off on the slave');
    expect(shapeOf((await describe_(clients.slave, slave.name)).table)).toEqual(shapeOf(before.table));
  });

  test('a missing master is named with its region, exit 2', async () => {
    // Act
    const result = await runCli([
      'create-slave',
      `${MASTER_REGION}/no-such-master`,
      `${SLAVE_REGION}/${uniqueTableName('create-none')}`,
    ]);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`the master table no-such-master was not found in region ${MASTER_REGION}`);
    expect(result.stdout).toBe('');
  });
});

describe('verify compares the table definitions too', () => {
  test('create-slave, backfill, verify: an equal replica whose definition matches, no warning', async () => {
    // Prepare: a master with items, and its slave made by create-slave
    const master = await richMaster(clients.master);
    await putItems(
      clients.master,
      master,
      Array.from({ length: 60 }, (_, index) => ({
        pk: { S: `order-${index}` },
        sk: { N: String(index) },
        customer: { S: `c${index % 7}` },
        status: { S: index % 2 ? 'open' : 'shipped' },
        placedAt: { N: String(1_700_000_000 + index) },
      })),
    );
    const tables = [`${MASTER_REGION}/${master}`, `${SLAVE_REGION}/${uniqueTableName('create-e2e')}`];
    const created = await runCli(['create-slave', ...tables, '--quiet']);

    // Act: a slave no replicator writes to yet, so the fast initial load is safe
    const backfill = await runCli(['backfill', ...tables, '--write-mode', 'batch', '--quiet']);
    const verify = await runCli(['verify', ...tables, '--quiet', '--json']);

    // Assess
    expect(created.code).toBe(0);
    expect(backfill.code).toBe(0);
    expect(verify.code).toBe(0);
    const summary = JSON.parse(verify.stdout);
    expect(summary.equal).toBe(true);
    expect(summary.scanned.master).toBe(60);
    expect(summary.definitionWarnings).toEqual([]);
  });

  test('a slave without the master indexes and TTL: warnings beside the items, exit code as for the items', async () => {
    // Prepare: equal items, but the slave lacks every index and TTL
    const master = await richMaster(clients.master);
    const slave = await createTable(clients.slave, { name: uniqueTableName('verify-defs'), sortKeyType: 'N' });
    const items = [{ pk: { S: 'a' }, sk: { N: '1' }, customer: { S: 'c' } }];
    await putItems(clients.master, master, items);
    await putItems(clients.slave, slave.name, items);
    const tables = [`${MASTER_REGION}/${master}`, formatTableRef({ region: SLAVE_REGION, table: slave.name })];

    // Act
    const text = await runCli(['verify', ...tables, '--quiet']);
    const json = await runCli(['verify', ...tables, '--quiet', '--json']);

    // Assess
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(': equal');
    expect(text.stdout).toContain(
      'warning: table definitions differ: global secondary index byStatus is missing on the slave',
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).definitionWarnings).toEqual([
      'table definitions differ: global secondary index byCustomer is missing on the slave',
      'table definitions differ: global secondary index byStatus is missing on the slave',
      'table definitions differ: local secondary index byPlacedAt is missing on the slave',
      'table definitions differ: TTL attribute: expiresAt on the master, TTL off on the slave',
    ]);
  });
});
