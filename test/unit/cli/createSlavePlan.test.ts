import { masterKeyToDescribe, planSlave, type SlaveOverrides } from '../../../src/cli/createSlave/plan';
import { ToolError, UsageError } from '../../../src/cli/errors';
import { tableDefinition } from '../../../src/cli/table/definition';
import {
  MASTER_REF,
  onDemandMaster,
  PROVISIONED_ATTRIBUTES,
  PROVISIONED_GSIS,
  PROVISIONED_LSIS,
  provisionedMaster,
  SLAVE_REF,
} from './definitionFixture';

const like: SlaveOverrides = { tags: true };

describe('planSlave: the CreateTable request from the master definition', () => {
  it('copies the key schema (HASH first), only the attribute definitions keys use, every GSI and LSI, class and protection', () => {
    // Prepare
    const master = tableDefinition(provisionedMaster(), MASTER_REF);

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, like);

    // Assess
    expect(createTable).toEqual({
      TableName: 'OrdersReplica',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: PROVISIONED_ATTRIBUTES,
      BillingMode: 'PROVISIONED',
      ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 20 },
      GlobalSecondaryIndexes: PROVISIONED_GSIS,
      LocalSecondaryIndexes: PROVISIONED_LSIS,
      TableClass: 'STANDARD_INFREQUENT_ACCESS',
      DeletionProtectionEnabled: true,
    });
  });

  it('leaves out attribute definitions no key uses, and gives the slave no stream unless asked', () => {
    // Prepare: the master has a stream and a definition of an attribute no key uses
    const description = provisionedMaster();
    description.AttributeDefinitions?.push({ AttributeName: 'orphan', AttributeType: 'B' });
    const master = tableDefinition(description, MASTER_REF);

    // Act
    const plain = planSlave(master, SLAVE_REF, like).createTable;
    const streamed = planSlave(master, SLAVE_REF, { ...like, stream: 'KEYS_ONLY' }).createTable;

    // Assess
    expect(plain.AttributeDefinitions?.map((entry) => entry.AttributeName)).not.toContain('orphan');
    expect(plain.StreamSpecification).toBeUndefined();
    expect(streamed.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'KEYS_ONLY' });
  });

  it('copies an on-demand master with its throughput limits on table and GSIs, an unset limit (-1) left out', () => {
    // Prepare
    const master = tableDefinition(onDemandMaster(), MASTER_REF);

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, like);

    // Assess
    expect(createTable.BillingMode).toBe('PAY_PER_REQUEST');
    expect(createTable.ProvisionedThroughput).toBeUndefined();
    expect(createTable.OnDemandThroughput).toEqual({ MaxReadRequestUnits: 100 });
    expect(createTable.GlobalSecondaryIndexes?.[0]?.OnDemandThroughput).toEqual({
      MaxReadRequestUnits: 50,
      MaxWriteRequestUnits: 60,
    });
    expect(createTable.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toBeUndefined();
    expect(createTable.TableClass).toBeUndefined();
    expect(createTable.DeletionProtectionEnabled).toBeUndefined();
  });
});

describe('planSlave: billing overrides', () => {
  it('--billing-mode PAY_PER_REQUEST on a provisioned master drops all capacity', () => {
    // Prepare
    const master = tableDefinition(provisionedMaster(), MASTER_REF);

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, { ...like, billingMode: 'PAY_PER_REQUEST' });

    // Assess
    expect(createTable.BillingMode).toBe('PAY_PER_REQUEST');
    expect(createTable.ProvisionedThroughput).toBeUndefined();
    expect(createTable.OnDemandThroughput).toBeUndefined();
    expect(createTable.GlobalSecondaryIndexes?.map((index) => index.ProvisionedThroughput)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('--read-capacity/--write-capacity apply to the table and every GSI', () => {
    // Prepare
    const master = tableDefinition(provisionedMaster(), MASTER_REF);

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, { ...like, readCapacity: 50, writeCapacity: 200 });

    // Assess
    const capacity = { ReadCapacityUnits: 50, WriteCapacityUnits: 200 };
    expect(createTable.ProvisionedThroughput).toEqual(capacity);
    expect(createTable.GlobalSecondaryIndexes?.map((index) => index.ProvisionedThroughput)).toEqual([
      capacity,
      capacity,
    ]);
  });

  it('--read-capacity alone keeps the master write capacity of the table', () => {
    // Prepare
    const master = tableDefinition(provisionedMaster(), MASTER_REF);

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, { ...like, readCapacity: 30 });

    // Assess
    expect(createTable.ProvisionedThroughput).toEqual({ ReadCapacityUnits: 30, WriteCapacityUnits: 20 });
  });

  it('a provisioned slave of an on-demand master takes the capacity given, and refuses to guess it', () => {
    // Prepare
    const master = tableDefinition(onDemandMaster(), MASTER_REF);
    const provisioned = { ...like, billingMode: 'PROVISIONED' as const };

    // Act
    const planned = planSlave(master, SLAVE_REF, { ...provisioned, readCapacity: 3, writeCapacity: 4 }).createTable;
    const unplanned = () => planSlave(master, SLAVE_REF, provisioned);

    // Assess
    expect(planned.BillingMode).toBe('PROVISIONED');
    expect(planned.OnDemandThroughput).toBeUndefined();
    expect(planned.GlobalSecondaryIndexes?.[0]?.ProvisionedThroughput).toEqual({
      ReadCapacityUnits: 3,
      WriteCapacityUnits: 4,
    });
    expect(planned.GlobalSecondaryIndexes?.[0]?.OnDemandThroughput).toBeUndefined();
    expect(unplanned).toThrow(UsageError);
    expect(unplanned).toThrow('needs --read-capacity and --write-capacity');
  });

  it('capacity for an on-demand slave is a usage error', () => {
    // Prepare
    const master = tableDefinition(onDemandMaster(), MASTER_REF);

    // Act
    const plan = () => planSlave(master, SLAVE_REF, { ...like, writeCapacity: 5 });

    // Assess
    expect(plan).toThrow('give --billing-mode PROVISIONED with them');
  });
});

describe('planSlave: encryption', () => {
  const withSse = (sse: NonNullable<ReturnType<typeof provisionedMaster>['SSEDescription']>) =>
    tableDefinition({ ...provisionedMaster(), SSEDescription: sse }, MASTER_REF);
  const customerKey = 'arn:aws:kms:us-east-1:111122223333:key/1111-2222';

  it('an AWS-owned key stays AWS-owned: no SSESpecification', () => {
    // Act
    const { createTable } = planSlave(tableDefinition(provisionedMaster(), MASTER_REF), SLAVE_REF, like);

    // Assess
    expect(createTable.SSESpecification).toBeUndefined();
  });

  it('a KMS key in another region whose manager is not known is refused with a message that asks for --kms-key', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });

    // Act
    const plan = () => planSlave(master, SLAVE_REF, like);

    // Assess
    expect(plan).toThrow(ToolError);
    expect(plan).toThrow(
      `the master us-east-1/Orders is encrypted with the KMS key ${customerKey}, which belongs to region us-east-1, account 111122223333`,
    );
    expect(plan).toThrow('give --kms-key <arn|alias> of a key in eu-west-1 (--kms-key alias/aws/dynamodb');
  });

  it('the same key is reused for a slave in the same region and account', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });

    // Act
    const { createTable } = planSlave(master, { region: 'us-east-1', table: 'OrdersCopy' }, like);

    // Assess
    expect(createTable.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: customerKey });
  });

  it('--kms-key names the slave key; alias/aws/dynamodb means KMS with the AWS-managed key, no key id', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });

    // Act
    const own = planSlave(master, SLAVE_REF, { ...like, kmsKey: 'alias/replica' }).createTable;
    const managed = planSlave(master, SLAVE_REF, { ...like, kmsKey: 'alias/aws/dynamodb' }).createTable;

    // Assess
    expect(own.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS', KMSMasterKeyId: 'alias/replica' });
    expect(managed.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS' });
  });

  it('elsewhere, an AWS-managed master key (KMS said so) becomes KMS without a key id: the slave region’s own', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, like, { masterKeyManager: 'AWS' });

    // Assess
    expect(createTable.SSESpecification).toEqual({ Enabled: true, SSEType: 'KMS' });
  });

  it('elsewhere, a customer-managed master key is refused as such, naming --kms-key and the slave’s account', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });
    const context = { masterKeyManager: 'CUSTOMER' as const, account: '444455556666' };

    // Act
    const plan = () => planSlave(master, { region: 'us-east-1', table: 'OrdersCopy' }, like, context);

    // Assess
    expect(plan).toThrow(
      `encrypted with the customer-managed KMS key ${customerKey}, which belongs to region us-east-1, account 111122223333; a slave in us-east-1 (account 444455556666) cannot use it`,
    );
    expect(plan).toThrow('give --kms-key <arn|alias> of a key in us-east-1');
  });

  it('KMS is asked about the master key only when the slave cannot reuse it and no --kms-key is given', () => {
    // Prepare
    const master = withSse({ Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });
    const sameRegion = { region: 'us-east-1', table: 'OrdersCopy' };

    // Act
    const asked = {
      otherRegion: masterKeyToDescribe(master, SLAVE_REF, like),
      sameRegionAndAccount: masterKeyToDescribe(master, sameRegion, like),
      sameRegionOtherAccount: masterKeyToDescribe(master, sameRegion, like, { account: '444455556666' }),
      sameRegionSameAccountByRole: masterKeyToDescribe(master, sameRegion, like, { account: '111122223333' }),
      kmsKeyGiven: masterKeyToDescribe(master, SLAVE_REF, { ...like, kmsKey: 'alias/replica' }),
      awsOwned: masterKeyToDescribe(tableDefinition(provisionedMaster(), MASTER_REF), SLAVE_REF, like),
    };

    // Assess
    expect(asked).toEqual({
      otherRegion: customerKey,
      sameRegionAndAccount: undefined,
      sameRegionOtherAccount: customerKey,
      sameRegionSameAccountByRole: undefined,
      kmsKeyGiven: undefined,
      awsOwned: undefined,
    });
  });

  it('a disabled SSE description counts as AWS-owned', () => {
    // Prepare
    const master = withSse({ Status: 'DISABLED', SSEType: 'KMS', KMSMasterKeyArn: customerKey });

    // Act
    const { createTable } = planSlave(master, SLAVE_REF, like);

    // Assess
    expect(createTable.SSESpecification).toBeUndefined();
  });
});

describe('planSlave: what follows CreateTable', () => {
  it('TTL on the same attribute, point-in-time recovery with its period, the master tags', () => {
    // Prepare
    const tags = [{ Key: 'team', Value: 'orders' }];
    const master = tableDefinition(provisionedMaster(), MASTER_REF, {
      ttlAttribute: 'expiresAt',
      pointInTimeRecovery: { enabled: true, recoveryPeriodInDays: 14 },
      tags,
    });

    // Act
    const plan = planSlave(master, SLAVE_REF, like);

    // Assess
    expect(plan.timeToLive).toEqual({
      TableName: 'OrdersReplica',
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
    });
    expect(plan.continuousBackups).toEqual({
      TableName: 'OrdersReplica',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 14 },
    });
    expect(plan.tags).toEqual(tags);
  });

  it('nothing of them where the master has no TTL, no point-in-time recovery, no tags, or --no-tags', () => {
    // Prepare
    const bare = tableDefinition(provisionedMaster(), MASTER_REF, {
      pointInTimeRecovery: { enabled: false },
      tags: [],
    });
    const tagged = tableDefinition(provisionedMaster(), MASTER_REF, { tags: [{ Key: 'a', Value: 'b' }] });

    // Act
    const plan = planSlave(bare, SLAVE_REF, like);
    const noTags = planSlave(tagged, SLAVE_REF, { tags: false });

    // Assess
    expect(plan.timeToLive).toBeUndefined();
    expect(plan.continuousBackups).toBeUndefined();
    expect(plan.tags).toBeUndefined();
    expect(noTags.tags).toBeUndefined();
  });
});
