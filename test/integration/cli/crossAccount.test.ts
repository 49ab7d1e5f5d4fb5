/**
 * The operator tools across accounts: the BUILT CLI (backfill, verify, create-slave) reads the master and writes the slave each with its own
 * credentials — a role assumed through a fake STS on 127.0.0.1 (`--*-role-arn`, `--*-external-id`) or a profile of a
 * temporary AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (`--*-profile`).
 *
 * The proof of whose credentials signed each call: DynamoDB Local keeps a separate database per access key id, so a
 * table is visible only to a client holding its database's key. The profile, the role's temporary credentials and the
 * default chain's (environment) credentials are three databases; each test puts decoys — tables of the same names —
 * in the default chain's database, which a call signed with the wrong credentials would read or write instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../harness/dynamodbLocal';
import { type FakeSts, startFakeSts } from '../../../harness/fakeSts';
import { compareTables, createTable, scanAll, uniqueTableName } from '../../../harness/tables';
import { localEndpoint, MASTER_REGION, putItems, richItem, runCli, SLAVE_REGION, useRegionClients } from './fixture';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/replica-operator';
const PROFILE = 'replica-account';
const PROFILE_CREDENTIALS = { accessKeyId: 'PROFILEKEY42', secretAccessKey: 'profile-secret' };

/** The default chain's (environment) database, where the decoys live. */
const base = useRegionClients();
let sts: FakeSts;
let dir: string;
let profileEnv: Record<string, string>;
const made: DynamoDBClient[] = [];

beforeAll(async () => {
  sts = await startFakeSts();
  dir = mkdtempSync(join(tmpdir(), 'cross-account-'));
  const configFile = join(dir, 'config');
  const credentialsFile = join(dir, 'credentials');
  writeFileSync(configFile, `[profile ${PROFILE}]\nregion = ${SLAVE_REGION}\n`);
  writeFileSync(
    credentialsFile,
    `[${PROFILE}]\naws_access_key_id = ${PROFILE_CREDENTIALS.accessKeyId}\naws_secret_access_key = ${PROFILE_CREDENTIALS.secretAccessKey}\n`,
  );
  profileEnv = { AWS_CONFIG_FILE: configFile, AWS_SHARED_CREDENTIALS_FILE: credentialsFile };
});

afterAll(async () => {
  for (const client of made) client.destroy();
  await sts.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client of `region` in the database of `credentials`. */
function clientOf(region: string, credentials: { accessKeyId: string; secretAccessKey: string }): DynamoDBClient {
  const client = new DynamoDBClient({ endpoint: localEndpoint(), region, credentials });
  made.push(client);
  return client;
}

/** A client of `region` in the database of the role's temporary credentials. */
const roleClient = (region: string): DynamoDBClient => clientOf(region, sts.credentials);

/** The environment of a CLI run: the fake STS, the temporary profile files, the default chain's credentials. */
const cliEnv = (): Record<string, string | undefined> => ({
  ...profileEnv,
  AWS_ENDPOINT_URL_STS: sts.endpoint,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
});

/**
 * A master with a stream and `count` items in `masterDb`, an empty slave in `slaveDb`, and decoys of the same names
 * in the default chain's database: a master holding other items, an empty slave.
 */
async function accountsPair(masterDb: DynamoDBClient, slaveDb: DynamoDBClient, count: number) {
  const master = await createTable(masterDb, { name: uniqueTableName('xacct-master'), streamViewType: 'KEYS_ONLY' });
  const slave = await createTable(slaveDb, { name: uniqueTableName('xacct-slave') });
  await putItems(
    masterDb,
    master.name,
    Array.from({ length: count }, (_, index) => richItem(index)),
  );
  await createTable(base.master, { name: master.name, streamViewType: 'KEYS_ONLY' });
  await putItems(base.master, master.name, [richItem(5000), richItem(5001)]);
  await createTable(base.slave, { name: slave.name });
  return {
    args: [`${MASTER_REGION}/${master.name}`, `${SLAVE_REGION}/${slave.name}`],
    compare: () => compareTables({ client: masterDb, table: master.name }, { client: slaveDb, table: slave.name }),
    decoySlaveItems: () => scanAll(base.slave, slave.name),
    slave: slave.name,
  };
}

describe('backfill and verify with each side behind its own credentials', () => {
  test('backfill reads the master (and its stream) with --from-profile and writes the slave as --to-role-arn', async () => {
    // Prepare
    const pair = await accountsPair(clientOf(MASTER_REGION, PROFILE_CREDENTIALS), roleClient(SLAVE_REGION), 400);
    const before = sts.calls.length;

    // Act: the default (watched) mode, which reads the master's stream with the master's credentials.
    const result = await runCli(
      [
        'backfill',
        ...pair.args,
        '--from-profile',
        PROFILE,
        '--to-role-arn',
        ROLE_ARN,
        '--to-external-id',
        'replica-7d1f',
        '--quiet',
        '--json',
      ],
      { cwd: dir, env: cliEnv() },
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ complete: true, thisRun: { scanned: 400, written: 400 } });
    expect(await pair.compare()).toMatchObject({ equal: true, sourceCount: 400 });
    expect(await pair.decoySlaveItems()).toEqual([]);
    expect(sts.calls.slice(before)).toEqual([
      {
        roleArn: ROLE_ARN,
        roleSessionName: 'dynamo-replicator',
        externalId: 'replica-7d1f',
        signedBy: LOCAL_CREDENTIALS.accessKeyId,
      },
    ]);
  });

  test('verify reads the master as --from-role-arn and the slave with --to-profile, and --repair writes there', async () => {
    // Prepare: the slave lacks one item; the decoys in the default chain's database would compare otherwise.
    const masterDb = roleClient(MASTER_REGION);
    const slaveDb = clientOf(SLAVE_REGION, PROFILE_CREDENTIALS);
    const pair = await accountsPair(masterDb, slaveDb, 50);
    await putItems(
      slaveDb,
      pair.slave,
      Array.from({ length: 50 }, (_, index) => richItem(index)),
    );
    await slaveDb.send(new DeleteItemCommand({ TableName: pair.slave, Key: { pk: { S: 'item-7' } } }));
    const before = sts.calls.length;
    const args = ['verify', ...pair.args, '--from-role-arn', ROLE_ARN, '--to-profile', PROFILE, '--quiet', '--json'];

    // Act
    const found = await runCli([...args, '--recheck-delay', '0'], { cwd: dir, env: cliEnv() });
    const repaired = await runCli([...args, '--recheck-delay', '0', '--repair'], { cwd: dir, env: cliEnv() });

    // Assess
    expect(found.code).toBe(1);
    expect(JSON.parse(found.stdout)).toMatchObject({ differences: { missing: 1, extra: 0, different: 0 } });
    expect(repaired.code).toBe(0);
    expect(await pair.compare()).toMatchObject({ equal: true, sourceCount: 50 });
    expect(await pair.decoySlaveItems()).toEqual([]);
    expect(sts.calls.slice(before).map((call) => [call.roleArn, call.externalId, call.signedBy])).toEqual([
      [ROLE_ARN, undefined, LOCAL_CREDENTIALS.accessKeyId],
      [ROLE_ARN, undefined, LOCAL_CREDENTIALS.accessKeyId],
    ]);
  });

  test('without the options both sides use the default chain, which here holds only the decoys', async () => {
    // Prepare
    const pair = await accountsPair(clientOf(MASTER_REGION, PROFILE_CREDENTIALS), roleClient(SLAVE_REGION), 20);
    const before = sts.calls.length;

    // Act
    const result = await runCli(['backfill', ...pair.args, '--quiet', '--json'], { cwd: dir, env: cliEnv() });

    // Assess: the decoy master's two items went to the decoy slave; the real slave is untouched.
    expect(result.code).toBe(0);
    expect(await pair.decoySlaveItems()).toHaveLength(2);
    expect(await pair.compare()).toMatchObject({ sourceCount: 20, replicaCount: 0 });
    expect(sts.calls.length).toBe(before);
  });

  test('create-slave reads the master with --from-profile and creates the slave as --to-role-arn', async () => {
    // Prepare: a master in the profile's database; its name is free in the role's and the default chain's.
    const masterDb = clientOf(MASTER_REGION, PROFILE_CREDENTIALS);
    const master = await createTable(masterDb, { name: uniqueTableName('xacct-master'), sortKeyType: 'N' });
    const slave = uniqueTableName('xacct-slave');
    const before = sts.calls.length;

    // Act
    const result = await runCli(
      [
        'create-slave',
        `${MASTER_REGION}/${master.name}`,
        `${SLAVE_REGION}/${slave}`,
        '--from-profile',
        PROFILE,
        '--to-role-arn',
        ROLE_ARN,
        '--quiet',
      ],
      { cwd: dir, env: cliEnv() },
    );

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const created = await roleClient(SLAVE_REGION).send(new DescribeTableCommand({ TableName: slave }));
    expect(created.Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    await expect(base.slave.send(new DescribeTableCommand({ TableName: slave }))).rejects.toThrow(
      /not found|non-existent/i,
    );
    expect(sts.calls.slice(before).map((call) => call.roleArn)).toEqual([ROLE_ARN]);
  });

  test('create-slave → backfill → verify with the slave behind a role gives an equal replica with the master’s keys', async () => {
    // Prepare: a master with a stream and 300 items (binary and number keys) in the default chain's database.
    const master = await createTable(base.master, {
      name: uniqueTableName('xacct-master'),
      partitionKeyType: 'B',
      sortKeyType: 'N',
      streamViewType: 'KEYS_ONLY',
    });
    await putItems(
      base.master,
      master.name,
      Array.from({ length: 300 }, (_, index) => richItem(index, 'B+N')),
    );
    const tables = [`${MASTER_REGION}/${master.name}`, `${SLAVE_REGION}/${uniqueTableName('xacct-slave')}`];
    const asRole = ['--to-role-arn', ROLE_ARN, '--to-external-id', 'replica-7d1f', '--quiet'];

    // Act
    const created = await runCli(['create-slave', ...tables, ...asRole], { cwd: dir, env: cliEnv() });
    const copied = await runCli(['backfill', ...tables, ...asRole], { cwd: dir, env: cliEnv() });
    const verified = await runCli(['verify', ...tables, ...asRole, '--json'], { cwd: dir, env: cliEnv() });

    // Assess
    expect([created.code, copied.code, verified.code]).toEqual([0, 0, 0]);
    expect(JSON.parse(verified.stdout)).toMatchObject({
      equal: true,
      differences: { missing: 0, extra: 0, different: 0 },
    });
    const slaveTable = (tables[1] ?? '').split('/')[1] ?? '';
    expect(
      await compareTables(
        { client: base.master, table: master.name },
        { client: roleClient(SLAVE_REGION), table: slaveTable },
      ),
    ).toMatchObject({ equal: true, sourceCount: 300 });
    await expect(base.slave.send(new DescribeTableCommand({ TableName: slaveTable }))).rejects.toThrow(
      /not found|non-existent/i,
    );
  });

  test('a role STS refuses stops the run with exit 2 before any write, saying what the trust policy must allow', async () => {
    // Prepare: a second STS that refuses every role, as STS does when the trust policy does not name the caller.
    const refusing = await startFakeSts({ refuse: true });
    const pair = await accountsPair(clientOf(MASTER_REGION, PROFILE_CREDENTIALS), roleClient(SLAVE_REGION), 10);

    try {
      // Act
      const result = await runCli(
        ['backfill', ...pair.args, '--from-profile', PROFILE, '--to-role-arn', ROLE_ARN, '--quiet'],
        {
          cwd: dir,
          env: { ...cliEnv(), AWS_ENDPOINT_URL_STS: refusing.endpoint },
        },
      );

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot assume the role given for ${pair.args[1]}`);
      expect(result.stderr).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`);
      expect(result.stderr).toContain(
        "the role's trust policy must name the principal of the credentials you start from",
      );
      expect(refusing.calls.map((call) => call.roleArn)).toContain(ROLE_ARN);
      expect(await pair.compare()).toMatchObject({ sourceCount: 10, replicaCount: 0 });
      expect(await pair.decoySlaveItems()).toEqual([]);
    } finally {
      await refusing.close();
    }
  });

  test('every problem of the credentials options is named in one usage error, before any call', async () => {
    // Act
    const result = await runCli(
      [
        'verify',
        `${MASTER_REGION}/Orders`,
        `${SLAVE_REGION}/OrdersReplica`,
        '--from-role-arn',
        ROLE_ARN,
        '--from-profile',
        PROFILE,
        '--to-external-id',
        'replica-7d1f',
      ],
      { cwd: dir, env: cliEnv() },
    );

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('2 problems with the credentials options');
    expect(result.stderr).toContain('--from-role-arn and --from-profile both say whose credentials reach the master');
    expect(result.stderr).toContain('--to-external-id is sent when assuming a role: it needs --to-role-arn');
    expect(result.stderr).toContain('--help');
  });
});
