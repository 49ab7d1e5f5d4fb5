/**
 * The CDK construct synthesized as users write it: a master table with a stream and one slave, several slaves with
 * one in another account behind a role, and the settings that change what is created. What the function needs to
 * run as deploy/template.json runs it: the handler, the trigger with partial batch responses, bisection and the
 * on-failure queue, write access to exactly each slave, sts:AssumeRole on each slave role, alarms and a dashboard.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DynamoReplicator } from '../../../src/cdk';
import type { DynamoReplicatorProps } from '../../../src/cdk/props';
import { useCdkApps } from '../../helpers/cdkApp';

const newApp = useCdkApps();

const WRITES = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'];
const ROLE = 'arn:aws:iam::210987654321:role/replica-writer';
const STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-05-01T12:00:00.000';

/** A stack in a known account and region, and a master table with a NEW_IMAGE stream. */
function stackWithMaster(): { stack: Stack; master: dynamodb.Table } {
  const stack = new Stack(newApp(), 'Orders', {
    env: { account: '111122223333', region: 'us-east-1' },
  });
  const master = new dynamodb.Table(stack, 'Master', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
  });
  return { stack, master };
}

/** The replicator's stack synthesized with `props` (the master table's unless given). */
function synthesize(props: Partial<DynamoReplicatorProps>): { template: Template; replicator: DynamoReplicator } {
  const { stack, master } = stackWithMaster();
  const replicator = new DynamoReplicator(stack, 'Replica', { master, slaves: [], ...props });
  return { template: Template.fromStack(stack), replicator };
}

/** The function role's inline policy statements. */
function statements(template: Template): Array<{ Sid: string; Action: string | string[]; Resource: unknown }> {
  const [role] = Object.values(template.findResources('AWS::IAM::Role')) as Array<{
    Properties: { Policies: Array<{ PolicyDocument: { Statement: [] } }> };
  }>;
  return role?.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement) ?? [];
}

/** Whether `statement` grants exactly `actions`. */
function grants(statement: { Action: string | string[] }, actions: string | string[]): boolean {
  return JSON.stringify(statement.Action) === JSON.stringify(actions);
}

function tableArn(region: string, table: string): unknown {
  return { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:dynamodb:${region}:111122223333:table/${table}`]] };
}

describe('DynamoReplicator with one slave in the same account', () => {
  const { template, replicator } = synthesize({ slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica' }] });

  test("creates the template's function: index.handler on nodejs22.x, arm64, the slave and partial batch responses in its environment", () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 60,
      Environment: {
        Variables: {
          SLAVE_REGION: 'eu-west-1',
          SLAVE_TABLE: 'OrdersReplica',
          REPORT_BATCH_ITEM_FAILURES: 'true',
          REPLICATE_TTL_DELETES: 'true',
        },
      },
    });
  });

  test('triggers it from the master table stream with partial batch responses, bisection and the on-failure queue', () => {
    // Prepare
    const queue = Stack.of(replicator).getLogicalId(replicator.failureQueue.node.defaultChild as never);
    const master = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [master, 'StreamArn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 1000,
      MaximumBatchingWindowInSeconds: 0,
      ParallelizationFactor: 1,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
  });

  test('grants the writes on the slave table only, and no sts:AssumeRole nor master reads for a NEW_IMAGE stream', () => {
    // Act
    const found = statements(template);

    // Assess
    expect(found.find((statement) => statement.Sid === 'WriteTheSlave')).toMatchObject({
      Action: WRITES,
      Resource: tableArn('eu-west-1', 'OrdersReplica'),
    });
    expect(found.map((statement) => statement.Sid)).toEqual([
      'WriteTheSlave',
      'ReadTheMasterStream',
      'WriteLogs',
      'KeepFailedBatches',
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  test('creates five alarms and a dashboard, and exposes the function, role, queue, alarms and dashboard', () => {
    // Assess
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(replicator.function.runtime.name).toBe('nodejs22.x');
    expect(replicator.role.roleArn).toBeDefined();
    expect(replicator.failureQueue.queueArn).toBeDefined();
    expect(replicator.alarms).toHaveLength(5);
    expect(replicator.dashboard).toBeDefined();
  });
});

describe('DynamoReplicator with two slaves, one in another account behind a role with an external id', () => {
  const { template, replicator } = synthesize({
    slaves: [
      { region: 'eu-west-1', tableName: 'OrdersReplica' },
      { region: 'ap-southeast-2', tableName: 'OrdersCopy', roleArn: ROLE, externalId: 'replica-7d1f' },
    ],
  });

  test('gives the function both slaves as SLAVES, the role after its table, and the external id', () => {
    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Environment: {
        Variables: Match.objectEquals({
          SLAVES: `eu-west-1/OrdersReplica,ap-southeast-2/OrdersCopy@${ROLE}`,
          SLAVE_EXTERNAL_ID: 'replica-7d1f',
          REPLICATE_TTL_DELETES: 'true',
          REPORT_BATCH_ITEM_FAILURES: 'true',
          POWERTOOLS_SERVICE_NAME: 'dynamo-replicator',
          POWERTOOLS_METRICS_NAMESPACE: 'DynamoReplicator',
        }),
      },
    });
  });

  test('grants the writes on the own-account slave only, and sts:AssumeRole on the other account role only', () => {
    // Act
    const found = statements(template);

    // Assess
    expect(found.filter((statement) => grants(statement, 'sts:AssumeRole') || grants(statement, WRITES))).toEqual([
      { Sid: 'WriteTheSlave', Effect: 'Allow', Action: WRITES, Resource: tableArn('eu-west-1', 'OrdersReplica') },
      { Sid: 'AssumeTheSlaveRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: ROLE },
    ]);
    expect(JSON.stringify(found)).not.toContain('OrdersCopy');
  });

  test('keeps the trigger with partial batch responses, bisection and the on-failure queue', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
  });

  test("alarms on each slave's failed records and latency, and graphs both slaves on the dashboard", () => {
    // Prepare
    const slaveAlarms = (slave: string) =>
      Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((alarm) =>
        JSON.stringify(alarm).includes(`"Value":"${slave}"`),
      );
    const body = JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));

    // Assess
    expect(replicator.alarms).toHaveLength(7);
    expect(slaveAlarms('eu-west-1/OrdersReplica')).toHaveLength(2);
    expect(slaveAlarms('ap-southeast-2/OrdersCopy')).toHaveLength(2);
    expect(body).toContain('ap-southeast-2/OrdersCopy: replicated');
    expect(body).toContain('eu-west-1/OrdersReplica: replicated');
  });
});

describe('DynamoReplicator settings', () => {
  test('three own-account slaves: one write statement naming exactly the three tables', () => {
    // Act
    const { template } = synthesize({
      slaves: ['A', 'B', 'C'].map((name) => ({ region: 'eu-west-1', tableName: `Orders${name}` })),
    });

    // Assess
    expect(statements(template).find((statement) => grants(statement, WRITES))).toEqual({
      Sid: 'WriteTheSlaves',
      Effect: 'Allow',
      Action: WRITES,
      Resource: ['A', 'B', 'C'].map((name) => tableArn('eu-west-1', `Orders${name}`)),
    });
  });

  test('twelve slaves: the function description and alarm descriptions count them rather than overflow', () => {
    // Act
    const { template } = synthesize({
      master: STREAM,
      slaves: Array.from({ length: 12 }, (_, index) => ({ region: 'eu-west-1', tableName: `OrdersReplica${index}` })),
    });

    // Assess
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp(' to 12 slaves$') });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      AlarmDescription: Match.stringLikeRegexp('^12 slaves: invocations failed whole'),
    });
  });

  test('a KEYS_ONLY stream: BatchGetItem on the master table, which the function reads the new images from', () => {
    // Act
    const { template } = synthesize({
      slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica' }],
      masterStreamViewType: dynamodb.StreamViewType.KEYS_ONLY,
    });
    const master = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];

    // Assess
    expect(statements(template).find((statement) => statement.Sid === 'ReadTheMaster')).toMatchObject({
      Action: 'dynamodb:BatchGetItem',
      Resource: { 'Fn::GetAtt': [master, 'Arn'] },
    });
  });

  test('a stream ARN as master, the trigger and function settings, excluded attributes, TTL deletes skipped, an alarm topic and no dashboard', () => {
    // Prepare
    const { stack } = stackWithMaster();
    const topic = new Topic(stack, 'Ops');

    // Act
    const replicator = new DynamoReplicator(stack, 'Replica', {
      master: STREAM,
      slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica' }],
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(2),
      parallelizationFactor: 4,
      retryAttempts: 3,
      maxRecordAge: Duration.hours(1),
      memorySize: 1024,
      timeout: Duration.seconds(120),
      replicateTtlDeletes: false,
      excludeAttributes: ['ssn', 'email'],
      alarmTopic: topic,
      dashboard: false,
    });
    const template = Template.fromStack(stack);

    // Assess
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: STREAM,
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 2,
      ParallelizationFactor: 4,
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 120,
      Environment: { Variables: { REPLICATE_TTL_DELETES: 'false', EXCLUDE_ATTRIBUTES: 'ssn,email' } },
    });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }],
      OKActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as never) }],
    });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 0);
    expect(replicator.dashboard).toBeUndefined();
  });
});

describe('DynamoReplicator refuses props it cannot deploy, naming the fix', () => {
  test.each([
    ['no slaves', { slaves: [] }, /slaves is empty: list at least one slave table/],
    [
      'a slave listed twice',
      {
        slaves: [
          { region: 'eu-west-1', tableName: 'OrdersReplica' },
          { region: 'eu-west-1', tableName: 'OrdersReplica', roleArn: ROLE },
        ],
      },
      /slave eu-west-1\/OrdersReplica is listed twice: list each slave table once/,
    ],
    [
      'an external id without a role',
      { slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica', externalId: 'replica-7d1f' }] },
      /slave eu-west-1\/OrdersReplica has an externalId but no roleArn: give the roleArn/,
    ],
    [
      'two slave roles with different external ids',
      {
        slaves: [
          { region: 'eu-west-1', tableName: 'A1', roleArn: ROLE, externalId: 'one-id' },
          { region: 'eu-west-1', tableName: 'B1', roleArn: ROLE, externalId: 'another-id' },
        ],
      },
      /different externalIds: .* give their trust policies the same one/,
    ],
    [
      'a role that is not a role ARN',
      { slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica', roleArn: 'replica-writer' }] },
      /roleArn: "replica-writer" is not an IAM role ARN/,
    ],
    [
      'a region or table name the function would refuse',
      { slaves: [{ region: 'Europe', tableName: 'my table' }] },
      /slave Europe\/my table region: "Europe" is not an AWS region name.*slave Europe\/my table tableName: "my table" is not a valid DynamoDB table name/,
    ],
    [
      'a batch size over 10000',
      { slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica' }], batchSize: 20000 },
      /batchSize is 20000: give a whole number from 1 to 10000/,
    ],
    [
      'a batching window over 300 seconds',
      { slaves: [{ region: 'eu-west-1', tableName: 'OrdersReplica' }], maxBatchingWindow: Duration.minutes(6) },
      /maxBatchingWindow \(seconds\) is 360: give a whole number from 0 to 300/,
    ],
  ])('%s', (_case, props, message) => {
    // Act
    const act = () => synthesize(props as Partial<DynamoReplicatorProps>);

    // Assess
    expect(act).toThrow(message);
  });

  test('a master table without a stream, with every other problem in the same message', () => {
    // Prepare
    const { stack } = stackWithMaster();
    const master = new dynamodb.Table(stack, 'NoStream', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });

    // Act
    const act = () => new DynamoReplicator(stack, 'Replica', { master, slaves: [] });

    // Assess
    expect(act).toThrow(
      /the master table has no stream .*: create it with stream: StreamViewType.NEW_IMAGE.*; slaves is empty/,
    );
  });
});
