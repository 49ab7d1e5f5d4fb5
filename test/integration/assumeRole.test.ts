/**
 * Cross-account slaves, end to end: the BUILT bundle with `SLAVE_ROLE_ARN` assumes the role through STS (a fake on
 * 127.0.0.1) and writes the slave with the temporary credentials.
 *
 * The proof that the role's credentials signed the writes: DynamoDB Local keeps a separate database per access key
 * id, so the slave table exists only in the database of the temporary access key id. Had the bundle written with its
 * own (base) credentials, every write would have failed with "table not found"; the items are found there, and the
 * base credentials' database has no such table. To make that proof one that can fail, the tests also create a decoy
 * table of the same name in the base credentials' database (where such writes would succeed) and check it stays empty.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import { type FakeSts, type FakeStsOptions, startFakeSts } from '../../harness/fakeSts';
import type { StreamHandler } from '../../harness/lambdaFunction';
import { drainStream, type PollerOptions } from '../../harness/lambdaPoller';
import { applyRandomChanges, keyOf } from '../../harness/randomChanges';
import {
  keepingErrors,
  loadReplicator,
  MASTER_REGION,
  SLAVE_REGION,
  TEMPLATE_RESPONSE_TYPES,
} from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  localClient,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/replica-writer';
const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';
let master: DynamoDBClient;
let baseSlaveRegion: DynamoDBClient;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
  master = localClient(endpoint, MASTER_REGION);
  baseSlaveRegion = localClient(endpoint, SLAVE_REGION);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(() => {
  master?.destroy();
  baseSlaveRegion?.destroy();
});

/** A fake STS, closed after the test. */
async function fakeSts(options: FakeStsOptions = {}): Promise<FakeSts> {
  const sts = await startFakeSts(options);
  cleanups.push(() => sts.close());
  return sts;
}

/** A client of the slave region's database that belongs to the role's temporary credentials. */
function roleClient(sts: FakeSts): DynamoDBClient {
  const { accessKeyId, secretAccessKey, sessionToken } = sts.credentials;
  const client = new DynamoDBClient({
    endpoint,
    region: SLAVE_REGION,
    credentials: { accessKeyId, secretAccessKey, sessionToken },
  });
  cleanups.push(() => client.destroy());
  return client;
}

/** The bundle as a user configures it for a slave in another account. */
function replicatorFor(slaveTable: string, sts: FakeSts, externalId?: string): StreamHandler {
  return loadReplicator({
    endpoint,
    slaveTable,
    env: {
      SLAVE_ROLE_ARN: ROLE_ARN,
      SLAVE_EXTERNAL_ID: externalId,
      AWS_ENDPOINT_URL_STS: sts.endpoint,
      AWS_SESSION_TOKEN: undefined,
    },
  });
}

/** How Lambda would poll the master's stream for this handler: no retries, so a failure shows at once. */
function pollerOptions(streamArn: string, handler: StreamHandler): PollerOptions {
  return { endpoint, region: MASTER_REGION, streamArn, handler, ...TEMPLATE_RESPONSE_TYPES, maximumRetryAttempts: 0 };
}

/** The messages of an error, of its Powertools record errors and of its causes, as one text. */
function messagesOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { recordErrors, cause } = error as Error & { recordErrors?: unknown[]; cause?: unknown };
  return [error.message, ...(recordErrors ?? []).map(messagesOf), cause === undefined ? '' : messagesOf(cause)].join(
    ' | ',
  );
}

/**
 * A master with a stream and a slave table in the role's database, plus a decoy: an empty table of the same name in
 * the database of the bundle's own (base) credentials. Writes signed with the base credentials would succeed there,
 * so the decoy staying empty shows that no write used them.
 */
async function setUp(stsOptions: FakeStsOptions = {}) {
  const sts = await fakeSts(stsOptions);
  const slaveClient = roleClient(sts);
  const masterTable = await createMasterTable(master, { name: uniqueTableName('master'), streamViewType: 'NEW_IMAGE' });
  const slaveTable = await createTable(slaveClient, { name: uniqueTableName('slave') });
  await createTable(baseSlaveRegion, { name: slaveTable.name });
  return {
    sts,
    masterTable,
    slaveTable,
    /** The master against the slave in the role's database. */
    compareSlave: () =>
      compareTables({ client: master, table: masterTable.name }, { client: slaveClient, table: slaveTable.name }),
    /** What reached the decoy in the base credentials' database. */
    decoyItems: () => scanAll(baseSlaveRegion, slaveTable.name),
  };
}

/** The AssumeRole call the bundle makes, signed with its base credentials. */
function assumeRoleCall(externalId?: string) {
  return {
    roleArn: ROLE_ARN,
    roleSessionName: 'dynamo-replicator',
    externalId,
    signedBy: LOCAL_CREDENTIALS.accessKeyId,
  };
}

describe('a slave written through an assumed role (SLAVE_ROLE_ARN)', () => {
  test('the role is assumed once for many invocations, and the writes are signed with its temporary credentials', async () => {
    // Prepare
    const { sts, masterTable, slaveTable, compareSlave, decoyItems } = await setUp();
    await applyRandomChanges(master, masterTable.name, { seed: 41, items: 20, changes: 60 });
    const handler = replicatorFor(slaveTable.name, sts);

    // Act: small batches, so the same handler is invoked many times.
    const stats = await drainStream({ ...pollerOptions(masterTable.streamArn, handler), batchSize: 10 });

    // Assess
    expect(stats.invocations).toBeGreaterThanOrEqual(6);
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    expect(sts.calls).toEqual([assumeRoleCall()]);
    expect(sts.otherRequests).toEqual([]);
    const comparison = await compareSlave();
    expect(comparison.equal).toBe(true);
    expect(comparison.sourceCount).toBeGreaterThan(0);
    expect(await decoyItems()).toEqual([]);
  });

  test('SLAVE_EXTERNAL_ID is sent with the AssumeRole call', async () => {
    // Prepare
    const { sts, masterTable, slaveTable, compareSlave } = await setUp();
    await master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(1), v: { S: 'one' } } }));
    const handler = replicatorFor(slaveTable.name, sts, 'replica-7d1f');

    // Act
    const stats = await drainStream(pollerOptions(masterTable.streamArn, handler));

    // Assess
    expect(stats).toMatchObject({ invocations: 1, failuresReported: 0, invocationErrors: 0 });
    expect(sts.calls).toEqual([assumeRoleCall('replica-7d1f')]);
    expect(await compareSlave()).toMatchObject({ equal: true, sourceCount: 1 });
  });

  test('credentials close to their expiry are refreshed by assuming the role again', async () => {
    // Prepare: credentials valid for 2 minutes are inside the SDK's 5-minute refresh window at every use.
    const { sts, masterTable, slaveTable, compareSlave } = await setUp({ validForMs: 120_000 });
    await applyRandomChanges(master, masterTable.name, { seed: 42, items: 10, changes: 30 });
    const handler = replicatorFor(slaveTable.name, sts);

    // Act
    const stats = await drainStream({ ...pollerOptions(masterTable.streamArn, handler), batchSize: 10 });

    // Assess
    expect(stats.invocations).toBeGreaterThanOrEqual(3);
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0 });
    expect(sts.calls.length).toBeGreaterThanOrEqual(stats.invocations);
    expect(new Set(sts.calls.map((call) => call.roleArn))).toEqual(new Set([ROLE_ARN]));
    expect((await compareSlave()).equal).toBe(true);
  });

  test("a role STS refuses fails the records with STS's AccessDenied, and nothing reaches any database", async () => {
    // Prepare: STS refuses the role, as it does when the role's trust policy does not name the function's role.
    const { sts, masterTable, slaveTable, compareSlave, decoyItems } = await setUp({ refuse: true });
    await master.send(new PutItemCommand({ TableName: masterTable.name, Item: { ...keyOf(1), v: { S: 'one' } } }));
    const { handler, errors } = keepingErrors(replicatorFor(slaveTable.name, sts));

    // Act
    const stats = await drainStream({ ...pollerOptions(masterTable.streamArn, handler), functionTimeoutMs: 5_000 });

    // Assess
    expect(stats).toMatchObject({ invocations: 1, invocationErrors: 1, recordsDiscarded: 1 });
    expect(errors).toHaveLength(1);
    expect(messagesOf(errors[0])).toContain(`slave ${SLAVE_REGION}/${slaveTable.name}: AccessDenied: User: `);
    expect(messagesOf(errors[0])).toContain(`is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`);
    expect(sts.calls.map((call) => call.roleArn)).toContain(ROLE_ARN);
    expect(await compareSlave()).toMatchObject({ sourceCount: 1, replicaCount: 0 });
    expect(await decoyItems()).toEqual([]);
  });
});
