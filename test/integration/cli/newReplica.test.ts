/**
 * A new replica, tried as a new user would: a master with data, a global secondary index and TTL →
 * `create-slave` (the BUILT CLI) → attach the function (the zip under the official runtime client in a local Lambda,
 * configured with SLAVE_REGION/SLAVE_TABLE, fed by the faithful event source mapping while changes keep coming) →
 * `backfill` (the BUILT CLI, beside the live function) → `verify` exits 0 with an equal replica and no definition
 * warnings. Then the same with the slave behind another role: the function with SLAVE_ROLE_ARN and SLAVE_EXTERNAL_ID,
 * the tools with `--to-role-arn`/`--to-external-id`, both through a fake STS on 127.0.0.1.
 *
 * The proof of whose credentials wrote the replica: DynamoDB Local keeps a database per access key id, so the role's
 * replica must exist in the database of the role's temporary key and nowhere in the default chain's.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../harness/dynamodbLocal';
import { type FakeSts, startFakeSts } from '../../../harness/fakeSts';
import { StreamPoller } from '../../../harness/lambdaPoller';
import { applyRandomChanges } from '../../../harness/randomChanges';
import { TEMPLATE_RESPONSE_TYPES } from '../../../harness/replicator';
import { compareTables, uniqueTableName, waitForActive } from '../../../harness/tables';
import { useLocalReplicators } from '../../helpers/localLambdas';
import { localEndpoint, MASTER_REGION, putItems, richItem, runCli, SLAVE_REGION, useRegionClients } from './fixture';

const ROLE_ARN = 'arn:aws:iam::210987654321:role/replica-writer';
const EXTERNAL_ID = 'replica-7d1f';
const ITEMS = 400;

/** The default chain's database: the master lives here, and the plain replica. */
const base = useRegionClients();
const localReplicator = useLocalReplicators();
let sts: FakeSts;
let roleSlaveDb: DynamoDBClient;

beforeAll(async () => {
  sts = await startFakeSts();
  roleSlaveDb = new DynamoDBClient({ endpoint: localEndpoint(), region: SLAVE_REGION, credentials: sts.credentials });
});

afterAll(async () => {
  roleSlaveDb?.destroy();
  await sts?.close();
});

/**
 * A master as a user has it before replicating: on demand, pk (S), a GSI byCustomer (INCLUDE total), TTL on
 * expiresAt, {@link ITEMS} items, and no stream yet (attaching the function enables it).
 */
async function masterWithData(): Promise<string> {
  const name = uniqueTableName('new-master');
  await base.master.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'customer', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byCustomer',
          KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] },
        },
      ],
    }),
  );
  await waitForActive(base.master, name);
  await base.master.send(
    new UpdateTimeToLiveCommand({
      TableName: name,
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
    }),
  );
  await putItems(
    base.master,
    name,
    Array.from({ length: ITEMS }, (_, index) => ({
      ...richItem(index),
      customer: { S: `customer-${index % 17}` },
      total: { N: `${index * 3}` },
    })),
  );
  return name;
}

/** Enables the master's stream (NEW_AND_OLD_IMAGES), as attaching the function's trigger needs; its ARN. */
async function enableStream(master: string): Promise<string> {
  const enabled = await base.master.send(
    new UpdateTableCommand({
      TableName: master,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  await waitForActive(base.master, master);
  return enabled.TableDescription?.LatestStreamArn ?? '';
}

/** How the slave is reached: with the default chain, or behind the role (function and tools alike). */
interface SlaveAccess {
  /** The CLI's options for the slave side. */
  readonly toolOptions: readonly string[];
  /** The function's variables beyond SLAVE_REGION/SLAVE_TABLE. */
  readonly functionEnv: () => Record<string, string | undefined>;
  /** A client of the database the slave should be in. */
  readonly slaveDb: () => DynamoDBClient;
}

const DEFAULT_CHAIN: SlaveAccess = { toolOptions: [], functionEnv: () => ({}), slaveDb: () => base.slave };

const BEHIND_ROLE: SlaveAccess = {
  toolOptions: ['--to-role-arn', ROLE_ARN, '--to-external-id', EXTERNAL_ID],
  functionEnv: () => ({
    SLAVE_ROLE_ARN: ROLE_ARN,
    SLAVE_EXTERNAL_ID: EXTERNAL_ID,
    AWS_ENDPOINT_URL_STS: sts.endpoint,
    AWS_SESSION_TOKEN: undefined,
  }),
  slaveDb: () => roleSlaveDb,
};

/** The CLI's environment: the fake STS for `--to-role-arn`, no session token of the caller's shell. */
const cliEnv = (): Record<string, string | undefined> => ({
  AWS_ENDPOINT_URL_STS: sts.endpoint,
  AWS_SESSION_TOKEN: undefined,
});

/**
 * The whole walk: create-slave, the function attached and replicating random changes that keep coming while the
 * backfill runs, then verify once the stream is drained. Returns what each step said.
 */
async function newReplica(access: SlaveAccess) {
  const master = await masterWithData();
  const slave = uniqueTableName('new-slave');
  const tables = [`${MASTER_REGION}/${master}`, `${SLAVE_REGION}/${slave}`];
  const tool = (command: string, ...args: string[]) =>
    runCli([command, ...tables, ...access.toolOptions, ...args], { env: cliEnv() });

  const created = await tool('create-slave', '--quiet');
  if (created.code !== 0) return { master, slave, created };

  const streamArn = await enableStream(master);
  const lambda = localReplicator(
    {
      endpoint: localEndpoint(),
      slaveTable: slave,
      env: access.functionEnv(),
    },
    { timeoutMs: 30_000 },
  );
  const poller = new StreamPoller({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint: localEndpoint(),
    region: MASTER_REGION,
    streamArn,
    function: lambda,
    batchSize: 50,
    maximumRetryAttempts: 3,
  });
  let backfillDone = false;
  const changes = { made: 0, duringBackfill: 0 };
  const changer = (async () => {
    for (let round = 0; !backfillDone; round += 1) {
      await applyRandomChanges(base.master, master, {
        seed: 700 + round,
        items: ITEMS,
        changes: 20,
        hotItems: 30,
        onChange: () => {
          changes.made += 1;
        },
      });
    }
  })();
  const replicating = (async () => {
    while (!backfillDone) await poller.drain();
  })();
  try {
    // Paced, so that the changes and the function's writes land while the backfill copies.
    const copied = await tool('backfill', '--max-items-per-second', '400', '--quiet', '--json');
    changes.duringBackfill = changes.made;
    backfillDone = true;
    await Promise.all([changer, replicating]);
    await poller.drain();
    const verified = await tool('verify', '--quiet', '--json');
    return { master, slave, created, copied, verified, changes, poller: poller.totals, lambda: lambda.stats };
  } finally {
    backfillDone = true;
    await Promise.allSettled([changer, replicating]);
    poller.close();
  }
}

/** What must match between master and slave: keys, indexes with their projections, billing, TTL. */
async function definitionOf(client: DynamoDBClient, table: string) {
  const [{ Table }, { TimeToLiveDescription }] = await Promise.all([
    client.send(new DescribeTableCommand({ TableName: table })),
    client.send(new DescribeTimeToLiveCommand({ TableName: table })),
  ]);
  return {
    keySchema: Table?.KeySchema,
    billing: Table?.BillingModeSummary?.BillingMode,
    indexes: Table?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema, index.Projection]),
    ttl: [TimeToLiveDescription?.TimeToLiveStatus, TimeToLiveDescription?.AttributeName],
  };
}

describe('a new replica, tried as a new user would', () => {
  test.each([
    ['with the default credentials', DEFAULT_CHAIN],
    ['with the slave behind another role (SLAVE_ROLE_ARN, --to-role-arn)', BEHIND_ROLE],
  ])(
    'create-slave → the function attached → backfill while changes keep coming → verify: an equal replica with the master’s definition, %s',
    async (_, access) => {
      // Prepare
      const stsCallsBefore = sts.calls.length;

      // Act
      const run = await newReplica(access);

      // Assess: every step exited 0, and changes landed while the backfill copied.
      expect(run.created.stderr).toBe('');
      expect(run.created.code).toBe(0);
      expect(run.copied?.code).toBe(0);
      expect(JSON.parse(run.copied?.stdout ?? '{}')).toMatchObject({ complete: true, thisRun: { failed: 0 } });
      expect(run.changes?.duringBackfill).toBeGreaterThan(0);
      expect(run.poller).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
      expect(run.poller?.invocations).toBeGreaterThan(0);
      expect(run.lambda?.initErrors).toBe(0);
      expect(run.verified?.code).toBe(0);
      expect(JSON.parse(run.verified?.stdout ?? '{}')).toMatchObject({
        equal: true,
        differences: { missing: 0, extra: 0, different: 0 },
        definitionWarnings: [],
      });
      // The oracle, apart from the tools: the replica equals the master item for item, in the database it belongs to.
      const slaveDb = access.slaveDb();
      expect(
        await compareTables({ client: base.master, table: run.master }, { client: slaveDb, table: run.slave }),
      ).toMatchObject({ equal: true });
      expect(await definitionOf(slaveDb, run.slave)).toEqual(await definitionOf(base.master, run.master));
      if (access === BEHIND_ROLE) {
        await expect(base.slave.send(new DescribeTableCommand({ TableName: run.slave }))).rejects.toThrow(
          /not found|non-existent/i,
        );
        const calls = sts.calls.slice(stsCallsBefore);
        expect(calls.length).toBeGreaterThanOrEqual(4); // create-slave, backfill, verify, the function's container(s)
        for (const call of calls) {
          expect(call).toMatchObject({
            roleArn: ROLE_ARN,
            externalId: EXTERNAL_ID,
            signedBy: LOCAL_CREDENTIALS.accessKeyId,
          });
        }
      } else {
        expect(sts.calls.length).toBe(stsCallsBefore);
      }
    },
  );
});
