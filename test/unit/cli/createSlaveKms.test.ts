process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/**
 * create-slave and a KMS-encrypted master, with DynamoDB and KMS mocked: KMS DescribeKey tells an AWS-managed key
 * (the slave gets its own region's AWS-managed key) from a customer-managed one (`--kms-key` needed), a denied
 * DescribeKey names kms:DescribeKey and `--kms-key`, and nothing is asked when the key can simply be reused or
 * `--kms-key` says what to use. Also: access-denied messages name the side and its credentials.
 */
import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { type CreateSlaveConfig, runCreateSlave } from '../../../src/cli/createSlave/createSlave';
import { ToolError } from '../../../src/cli/errors';
import { awsError } from '../../helpers/sdkMocks';
import { MASTER_ARN, provisionedMaster } from './definitionFixture';

const MASTER_KEY = 'arn:aws:kms:us-east-1:111122223333:key/1111-2222';
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::444455556666:role/replica-operator';

function config(overrides: Partial<CreateSlaveConfig> = {}): CreateSlaveConfig {
  return {
    master: { region: 'us-east-1', table: 'Orders' },
    slave: { region: 'eu-west-1', table: 'OrdersReplica' },
    endpoint: 'http://127.0.0.1:9',
    overrides: { tags: false },
    dryRun: false,
    progress: { mode: 'none', write: () => undefined, intervalMs: 250 },
    pollMs: 1,
    ...overrides,
  };
}

/** The master encrypted with {@link MASTER_KEY}. */
const kmsMaster = (): TableDescription => ({
  ...provisionedMaster(),
  SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: MASTER_KEY },
});

const ddb = mockClient(DynamoDBClient);
const kms = mockClient(KMSClient);

/** The SSESpecification of the CreateTable create-slave sent, or 'not sent'. */
const sentSse = () => {
  const call = ddb.commandCalls(CreateTableCommand)[0];
  return call ? call.args[0].input.SSESpecification : 'not sent';
};

/** The error `run` ends with (undefined when it resolves). */
const failureOf = (run: Promise<unknown>): Promise<unknown> =>
  run.then(
    () => undefined,
    (error: unknown) => error,
  );

beforeEach(() => {
  ddb.reset();
  kms.reset();
  ddb.on(DescribeTableCommand, { TableName: 'Orders' }).resolves({ Table: kmsMaster() });
  ddb.on(DescribeTimeToLiveCommand).resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'DISABLED' } });
  ddb.on(DescribeContinuousBackupsCommand).resolves({
    ContinuousBackupsDescription: { ContinuousBackupsStatus: 'DISABLED' },
  });
  ddb.on(ListTagsOfResourceCommand, { ResourceArn: MASTER_ARN }).resolves({ Tags: [] });
  ddb
    .on(DescribeTableCommand, { TableName: 'OrdersReplica' })
    .rejectsOnce(awsError('ResourceNotFoundException', 'Requested resource not found'))
    .resolves({ Table: { ...provisionedMaster(), TableName: 'OrdersReplica' } });
  ddb.on(CreateTableCommand).resolves({ TableDescription: { TableName: 'OrdersReplica' } });
});

describe('create-slave: a KMS-encrypted master whose slave is in another region or account', () => {
  test('an AWS-managed master key gives the slave the AWS-managed key of its region: KMS without a key id', async () => {
    // Prepare
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1111-2222', KeyManager: 'AWS' } });

    // Act
    const summary = await runCreateSlave(config());

    // Assess
    expect(summary.outcome).toBe('created');
    expect(kms.commandCalls(DescribeKeyCommand).map((call) => call.args[0].input)).toEqual([{ KeyId: MASTER_KEY }]);
    expect(sentSse()).toEqual({ Enabled: true, SSEType: 'KMS' });
  });

  test('KMS is asked in the master’s region, with the master side’s credentials', async () => {
    // Prepare
    let asked: { region?: string; signedWith?: string } = {};
    kms.on(DescribeKeyCommand).callsFake(async (_input, getClient: () => KMSClient) => {
      const client = getClient();
      const credentials = await client.config.credentials();
      asked = { region: await client.config.region(), signedWith: credentials.accessKeyId };
      return { KeyMetadata: { KeyId: '1111-2222', KeyManager: 'AWS' } };
    });
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'MASTERSIDEKEY', AWS_SECRET_ACCESS_KEY: 'master-secret' });

    try {
      // Act: the slave behind a role; the master with the default chain (the environment here).
      await runCreateSlave(config({ slaveAccess: { roleArn: OTHER_ACCOUNT_ROLE } }));
    } finally {
      process.env.AWS_ACCESS_KEY_ID = saved.id;
      process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    }

    // Assess
    expect(asked).toEqual({ region: 'us-east-1', signedWith: 'MASTERSIDEKEY' });
  });

  test('a customer-managed master key stops the run before CreateTable, asking for --kms-key', async () => {
    // Prepare
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1111-2222', KeyManager: 'CUSTOMER' } });

    // Act
    const error = await failureOf(runCreateSlave(config()));

    // Assess
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toContain(`encrypted with the customer-managed KMS key ${MASTER_KEY}`);
    expect((error as Error).message).toContain(
      'give --kms-key <arn|alias> of a key in eu-west-1 (--kms-key alias/aws/dynamodb for the AWS-managed key)',
    );
    expect(sentSse()).toBe('not sent');
  });

  test('a denied kms:DescribeKey names the action and --kms-key as the way around; nothing is created', async () => {
    // Prepare
    kms
      .on(DescribeKeyCommand)
      .rejects(awsError('AccessDeniedException', 'User is not authorized to perform: kms:DescribeKey'));

    // Act
    const error = await failureOf(runCreateSlave(config({ masterAccess: { profile: 'prod' } })));

    // Assess
    expect(error).toBeInstanceOf(ToolError);
    const message = (error as Error).message;
    expect(message).toContain(
      `access denied: the master side (profile prod) needs the IAM action kms:DescribeKey on the key ${MASTER_KEY}`,
    );
    expect(message).toContain('allow kms:DescribeKey on that key, or give --kms-key <arn|alias> of a key in eu-west-1');
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(sentSse()).toBe('not sent');
  });

  test('a key KMS cannot find stops the run naming the key and --kms-key', async () => {
    // Prepare
    kms.on(DescribeKeyCommand).rejects(awsError('NotFoundException', 'Key does not exist'));

    // Act
    const error = await failureOf(runCreateSlave(config()));

    // Assess
    expect((error as Error).message).toContain(`cannot describe the KMS key ${MASTER_KEY} of us-east-1/Orders`);
    expect((error as Error).message).toContain('NotFoundException: Key does not exist');
    expect((error as Error).message).toContain('--kms-key');
    expect(sentSse()).toBe('not sent');
  });

  test('KMS throttling is retried until DescribeKey answers', async () => {
    // Prepare
    kms
      .on(DescribeKeyCommand)
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .resolves({ KeyMetadata: { KeyId: '1111-2222', KeyManager: 'AWS' } });

    // Act
    const summary = await runCreateSlave(config());

    // Assess
    expect(summary.outcome).toBe('created');
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(2);
    expect(sentSse()).toEqual({ Enabled: true, SSEType: 'KMS' });
  });

  test('same region, but the slave in another account (--to-role-arn): KMS is asked too', async () => {
    // Prepare
    kms.on(DescribeKeyCommand).resolves({ KeyMetadata: { KeyId: '1111-2222', KeyManager: 'AWS' } });

    // Act
    await runCreateSlave(
      config({ slave: { region: 'us-east-1', table: 'OrdersReplica' }, slaveAccess: { roleArn: OTHER_ACCOUNT_ROLE } }),
    );

    // Assess
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
    expect(sentSse()).toEqual({ Enabled: true, SSEType: 'KMS' });
  });
});

describe('create-slave: a KMS-encrypted master, nothing to ask KMS', () => {
  test.each([
    [
      'the slave in the same region and account reuses the key',
      {},
      { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: MASTER_KEY },
    ],
    [
      '--kms-key names the slave’s key',
      { kmsKey: 'alias/replica' },
      { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/replica' },
    ],
  ])('%s', async (_, kmsOverride, expected) => {
    // Prepare
    const slave =
      'kmsKey' in kmsOverride
        ? { region: 'eu-west-1', table: 'OrdersReplica' }
        : { region: 'us-east-1', table: 'OrdersReplica' };

    // Act
    await runCreateSlave(config({ slave, overrides: { tags: false, ...kmsOverride } }));

    // Assess
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(0);
    expect(sentSse()).toEqual(expected);
  });
});

describe('create-slave: access denied names the side and its credentials', () => {
  test('the slave behind a role: "the slave side (role …) needs dynamodb:CreateTable"', async () => {
    // Prepare
    ddb.on(DescribeTableCommand, { TableName: 'Orders' }).resolves({ Table: provisionedMaster() });
    ddb.on(CreateTableCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

    // Act
    const error = await failureOf(
      runCreateSlave(config({ slaveAccess: { roleArn: OTHER_ACCOUNT_ROLE, externalId: 'replica-7d1f' } })),
    );

    // Assess
    expect((error as Error).message).toContain(
      `access denied: the slave side (role ${OTHER_ACCOUNT_ROLE} with external id replica-7d1f) needs the IAM action dynamodb:CreateTable on table OrdersReplica in region eu-west-1`,
    );
  });

  test('the master with a profile: "the master side (profile prod) needs dynamodb:DescribeTable"', async () => {
    // Prepare
    ddb.on(DescribeTableCommand, { TableName: 'Orders' }).rejects(awsError('AccessDeniedException', 'not authorized'));

    // Act
    const error = await failureOf(runCreateSlave(config({ masterAccess: { profile: 'prod' } })));

    // Assess
    expect((error as Error).message).toContain(
      'access denied: the master side (profile prod) needs the IAM action dynamodb:DescribeTable on table Orders in region us-east-1',
    );
  });
});
