/**
 * DescribeTable answers of a master as DynamoDB gives them, for the definition, plan and create-slave unit tests, and
 * a mocked client that describes the provisioned one.
 */
import {
  type AttributeDefinition,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type LocalSecondaryIndex,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';

export const MASTER_REF = { region: 'us-east-1', table: 'Orders' };
export const SLAVE_REF = { region: 'eu-west-1', table: 'OrdersReplica' };
export const MASTER_ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';

/** The provisioned master's attribute definitions (every one a key uses), as a CreateTable request takes them. */
export const PROVISIONED_ATTRIBUTES: readonly AttributeDefinition[] = [
  { AttributeName: 'pk', AttributeType: 'S' },
  { AttributeName: 'sk', AttributeType: 'N' },
  { AttributeName: 'customer', AttributeType: 'S' },
  { AttributeName: 'status', AttributeType: 'S' },
  { AttributeName: 'placedAt', AttributeType: 'N' },
];

/** Its GSIs as a CreateTable request takes them (DescribeTable adds their status). */
export const PROVISIONED_GSIS: readonly GlobalSecondaryIndex[] = [
  {
    IndexName: 'byCustomer',
    KeySchema: [
      { AttributeName: 'customer', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total', 'currency'] },
    ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 6 },
  },
  {
    IndexName: 'byStatus',
    KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
    Projection: { ProjectionType: 'KEYS_ONLY' },
    ProvisionedThroughput: { ReadCapacityUnits: 7, WriteCapacityUnits: 8 },
  },
];

/** Its LSI, the same in DescribeTable's answer and in a CreateTable request. */
export const PROVISIONED_LSIS: readonly LocalSecondaryIndex[] = [
  {
    IndexName: 'byPlacedAt',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'placedAt', KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: 'ALL' },
  },
];

/**
 * A provisioned master: pk/sk, two GSIs (INCLUDE with capacity 5/6, KEYS_ONLY with 7/8), an LSI, an attribute
 * definition no key uses any more (DescribeTable can report one), deletion protection, infrequent-access class.
 */
export function provisionedMaster(): TableDescription {
  return {
    TableName: 'Orders',
    TableArn: MASTER_ARN,
    TableStatus: 'ACTIVE',
    KeySchema: [
      { AttributeName: 'sk', KeyType: 'RANGE' },
      { AttributeName: 'pk', KeyType: 'HASH' },
    ],
    AttributeDefinitions: [...PROVISIONED_ATTRIBUTES],
    ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 20, NumberOfDecreasesToday: 0 },
    GlobalSecondaryIndexes: PROVISIONED_GSIS.map((index) => ({ ...index, IndexStatus: 'ACTIVE' })),
    LocalSecondaryIndexes: [...PROVISIONED_LSIS],
    TableClassSummary: { TableClass: 'STANDARD_INFREQUENT_ACCESS' },
    DeletionProtectionEnabled: true,
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}

/** An on-demand master with throughput limits on the table and its GSI, and zeros where DynamoDB reports them. */
export function onDemandMaster(): TableDescription {
  return {
    TableName: 'Orders',
    TableArn: MASTER_ARN,
    TableStatus: 'ACTIVE',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'customer', AttributeType: 'S' },
    ],
    BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
    OnDemandThroughput: { MaxReadRequestUnits: 100, MaxWriteRequestUnits: -1 },
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byCustomer',
        IndexStatus: 'ACTIVE',
        KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
        ProvisionedThroughput: { ReadCapacityUnits: 0, WriteCapacityUnits: 0 },
        OnDemandThroughput: { MaxReadRequestUnits: 50, MaxWriteRequestUnits: 60 },
      },
    ],
  };
}

/** Makes `mock` describe `Orders` as {@link provisionedMaster}, with TTL on `expiresAt`. */
export function describeProvisionedMaster(mock: AwsClientStub<DynamoDBClient>): void {
  mock.on(DescribeTableCommand, { TableName: 'Orders' }).resolves({ Table: provisionedMaster() });
  mock
    .on(DescribeTimeToLiveCommand, { TableName: 'Orders' })
    .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });
}
