/**
 * The BUILT CLI given table ARNs against DynamoDB Local: verify with a slave ARN exits 0 on equal tables, backfill
 * copies from a master ARN into a slave ARN written with the slave's own credentials (a profile: DynamoDB Local keeps
 * a database per access key id, so the copy can only be found where those credentials wrote it), and create-slave
 * refuses an ARN of another account than its credentials' (exit 2, nothing created) but creates one of the same
 * account. DynamoDB Local names every table `arn:aws:dynamodb:ddblocal:000000000000:table/<name>`: 000000000000 is
 * the account of these credentials.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compareTables, createTable, uniqueTableName } from '../../../harness/tables';
import {
  localEndpoint,
  MASTER_REGION,
  putItems,
  richItem,
  runCli,
  SLAVE_REGION,
  tablePair,
  useRegionClients,
} from './fixture';

const clients = useRegionClients();
const LOCAL_ACCOUNT = '000000000000';
const OTHER_ACCOUNT = '444455556666';
const arnOf = (region: string, account: string, table: string) =>
  `arn:aws:dynamodb:${region}:${account}:table/${table}`;

describe('the operator tools with table ARNs', () => {
  test('verify us-east-1/<master> arn:…:table/<slave> exits 0 on equal tables', async () => {
    // Prepare
    const tables = await tablePair(clients);
    const items = Array.from({ length: 120 }, (_, index) => richItem(index));
    await putItems(clients.master, tables.master.table, items);
    await putItems(clients.slave, tables.slave.table, items);
    const slaveArn = arnOf(SLAVE_REGION, OTHER_ACCOUNT, tables.slave.table);

    // Act
    const result = await runCli(['verify', `${MASTER_REGION}/${tables.master.table}`, slaveArn, '--quiet', '--json']);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ slave: slaveArn, equal: true });
  });

  test('backfill copies a master given by ARN into a slave ARN written with --to-profile', async () => {
    // Prepare: the slave in the profile's database; in the default credentials' database only the master.
    const dir = mkdtempSync(join(tmpdir(), 'table-arn-'));
    const profile = { accessKeyId: 'ARNPROFILE25', secretAccessKey: 'profile-secret' };
    writeFileSync(join(dir, 'config'), '[profile replica]\n');
    writeFileSync(
      join(dir, 'credentials'),
      `[replica]\naws_access_key_id = ${profile.accessKeyId}\naws_secret_access_key = ${profile.secretAccessKey}\n`,
    );
    const profileSlave = new DynamoDBClient({ endpoint: localEndpoint(), region: SLAVE_REGION, credentials: profile });
    try {
      const master = await createTable(clients.master, { name: uniqueTableName('arn-master') });
      const slave = await createTable(profileSlave, { name: uniqueTableName('arn-slave') });
      await putItems(
        clients.master,
        master.name,
        Array.from({ length: 150 }, (_, index) => richItem(index)),
      );
      const args = [
        'backfill',
        arnOf(MASTER_REGION, LOCAL_ACCOUNT, master.name),
        arnOf(SLAVE_REGION, OTHER_ACCOUNT, slave.name),
        '--to-profile',
        'replica',
        '--write-mode',
        'conditional',
        '--quiet',
        '--json',
      ];

      // Act
      const result = await runCli(args, {
        cwd: dir,
        env: { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') },
      });

      // Assess
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ complete: true, thisRun: { scanned: 150, written: 150 } });
      const comparison = await compareTables(
        { client: clients.master, table: master.name },
        { client: profileSlave, table: slave.name },
      );
      expect(comparison).toMatchObject({ equal: true, sourceCount: 150 });
    } finally {
      profileSlave.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('create-slave refuses a slave ARN of another account (exit 2, nothing created) and creates one of its own', async () => {
    // Prepare
    const master = await createTable(clients.master, { name: uniqueTableName('arn-master') });
    const [foreign, own] = [uniqueTableName('arn-foreign'), uniqueTableName('arn-own')];
    const masterRef = `${MASTER_REGION}/${master.name}`;

    // Act
    const refused = await runCli(['create-slave', masterRef, arnOf(SLAVE_REGION, OTHER_ACCOUNT, foreign)]);
    const created = await runCli(['create-slave', masterRef, arnOf(SLAVE_REGION, LOCAL_ACCOUNT, own), '--json']);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is in account ${OTHER_ACCOUNT}, but the credentials that read the master`);
    expect(refused.stderr).toContain(`--to-role-arn arn:aws:iam::${OTHER_ACCOUNT}:role/<name>, or --to-profile`);
    await expect(clients.slave.send(new DescribeTableCommand({ TableName: foreign }))).rejects.toThrow(
      'non-existent table',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ outcome: 'created' });
    const description = await clients.slave.send(new DescribeTableCommand({ TableName: own }));
    expect(description.Table?.TableStatus).toBe('ACTIVE');
  });
});
