/**
 * The CDK construct of dynamo-replicator: the stack deploy/template.json describes — the function (the package's own
 * dist/dynamo-replicator.zip), its trigger on the master's stream, the on-failure queue, the log group, the
 * least-privilege role, the alarms and the dashboard — for one slave or several, for CDK users who would otherwise
 * translate the template by hand. test/contract/cdkTemplate.test.ts holds it equal to the template.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createAlarms, createDashboard, SERVICE_NAME, type Watched } from './observability';
import { type CheckedSlave, checkProps, DEFAULTS, type DynamoReplicatorProps, slavesNamed } from './props';

/**
 * The package's Lambda zip: dist/dynamo-replicator.zip, two folders up from this module both where it is built
 * (dist/cdk/) and where it is written (src/cdk/).
 */
export function packageZipPath(): string {
  const path = join(__dirname, '..', '..', 'dist', 'dynamo-replicator.zip');
  if (!existsSync(path)) {
    throw new Error(
      `DynamoReplicator: the function's code ${path} is missing: reinstall dynamo-replicator (or run npm run build in its repository)`,
    );
  }
  return path;
}

/**
 * The function's environment: one slave as SLAVE_REGION/SLAVE_TABLE (or SLAVE_TABLE alone, its ARN) as the template
 * does, several as SLAVES (an ARN entry is its ARN).
 */
function environment(slaves: readonly CheckedSlave[], props: DynamoReplicatorProps): Record<string, string> {
  const [only] = slaves;
  const externalId = slaves.find((slave) => slave.externalId !== undefined)?.externalId;
  const target: Record<string, string | undefined> =
    slaves.length === 1 && only !== undefined
      ? {
          // A table ARN carries its region, and the template leaves SLAVE_REGION out beside one.
          SLAVE_REGION: only.tableArn === undefined ? only.region : undefined,
          SLAVE_TABLE: only.table,
          SLAVE_ROLE_ARN: only.roleArn,
        }
      : { SLAVES: slaves.map((slave) => slave.name + (slave.roleArn ? `@${slave.roleArn}` : '')).join(',') };
  const variables: Record<string, string | undefined> = {
    ...target,
    SLAVE_EXTERNAL_ID: externalId,
    REPLICATE_TTL_DELETES: String(props.replicateTtlDeletes ?? true),
    EXCLUDE_ATTRIBUTES: props.excludeAttributes?.length ? props.excludeAttributes.join(',') : undefined,
    REPORT_BATCH_ITEM_FAILURES: 'true',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace ?? DEFAULTS.metricsNamespace,
  };
  return Object.fromEntries(
    Object.entries(variables).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * One statement per kind of access, with the template's Sids: write each slave written directly, assume each
 * slave role, read the master when the stream has no new image, read the stream, write logs, keep failed batches.
 */
function statements(
  scope: Construct,
  parts: { streamArn: string; slaves: readonly CheckedSlave[]; logGroup: logs.ILogGroup; queue: sqs.IQueue },
  props: DynamoReplicatorProps,
): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const direct = parts.slaves.filter((slave) => slave.roleArn === undefined);
  const roles = [...new Set(parts.slaves.flatMap((slave) => (slave.roleArn === undefined ? [] : [slave.roleArn])))];
  const masterArn =
    typeof props.master !== 'string'
      ? props.master.tableArn
      : Token.isUnresolved(parts.streamArn)
        ? Fn.select(0, Fn.split('/stream/', parts.streamArn))
        : (parts.streamArn.split('/stream/')[0] as string);
  const viewType = props.masterStreamViewType ?? 'NEW_IMAGE';
  const statement = (sid: string, actions: string[], resources: string[]) =>
    new iam.PolicyStatement({ sid, actions, resources });
  return [
    ...(direct.length === 0
      ? []
      : [
          statement(
            direct.length === 1 ? 'WriteTheSlave' : 'WriteTheSlaves',
            ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
            direct.map(
              (slave) =>
                slave.tableArn ??
                stack.formatArn({
                  service: 'dynamodb',
                  region: slave.region,
                  resource: 'table',
                  resourceName: slave.table,
                }),
            ),
          ),
        ]),
    ...(roles.length === 0
      ? []
      : [statement(roles.length === 1 ? 'AssumeTheSlaveRole' : 'AssumeTheSlaveRoles', ['sts:AssumeRole'], roles)]),
    ...(viewType === 'KEYS_ONLY' || viewType === 'OLD_IMAGE'
      ? [statement('ReadTheMaster', ['dynamodb:BatchGetItem'], [masterArn])]
      : []),
    statement(
      'ReadTheMasterStream',
      ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
      [`${masterArn}/stream/*`],
    ),
    statement('WriteLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [parts.logGroup.logGroupArn]),
    statement('KeepFailedBatches', ['sqs:SendMessage'], [parts.queue.queueArn]),
  ];
}

/**
 * Replicates a DynamoDB table (the master) one-way to slave tables in any region or account, from the master's
 * stream: `new DynamoReplicator(this, 'Replica', { master: table, slaves: [{ region: 'eu-west-1', tableName: 'Orders' }] })`.
 */
export class DynamoReplicator extends Construct {
  /** The replicating function (Node.js 22, arm64, the package's zip, handler index.handler). */
  public readonly function: lambda.Function;
  /** The function's role: the principal a cross-account slave role's trust policy names. */
  public readonly role: iam.Role;
  /** Where Lambda records the positions of the batches it gave up on (repair with `dynamo-replicator verify`). */
  public readonly failureQueue: sqs.Queue;
  /** The function's log group (30 days). */
  public readonly logGroup: logs.LogGroup;
  /** The trigger: the event source mapping on the master's stream. */
  public readonly trigger: lambda.CfnEventSourceMapping;
  /** The alarms: IteratorAge, Errors, the on-failure queue, and per slave RecordsFailed and ReplicationLatency. */
  public readonly alarms: readonly cloudwatch.Alarm[];
  /** The replica's dashboard, unless `dashboard: false`. */
  public readonly dashboard: cloudwatch.Dashboard | undefined;

  public constructor(scope: Construct, id: string, props: DynamoReplicatorProps) {
    super(scope, id);
    const { streamArn, slaves } = checkProps(props);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.failureQueue = new sqs.Queue(this, 'FailureQueue', {
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
    });
    const replicate = new iam.PolicyDocument({
      minimize: false,
      statements: statements(this, { streamArn, slaves, logGroup: this.logGroup, queue: this.failureQueue }, props),
    });
    this.role = new iam.Role(this, 'FunctionRole', {
      description: 'dynamo-replicator: exactly the calls the function and its trigger make',
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { replicate },
    });
    this.function = new lambda.Function(this, 'Function', {
      description: `Replicates the table of ${streamArn} to ${slavesNamed(slaves)}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      architecture: lambda.Architecture.ARM_64,
      code: lambda.Code.fromAsset(packageZipPath()),
      role: this.role,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      timeout: props.timeout ?? Duration.seconds(DEFAULTS.timeoutSeconds),
      logGroup: this.logGroup,
      environment: environment(slaves, props),
    });
    this.trigger = new lambda.CfnEventSourceMapping(this, 'Trigger', {
      eventSourceArn: streamArn,
      functionName: this.function.functionName,
      startingPosition: props.startingPosition ?? lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize ?? DEFAULTS.batchSize,
      maximumBatchingWindowInSeconds: props.maxBatchingWindow?.toSeconds() ?? DEFAULTS.maxBatchingWindowSeconds,
      parallelizationFactor: props.parallelizationFactor ?? DEFAULTS.parallelizationFactor,
      functionResponseTypes: ['ReportBatchItemFailures'],
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: props.retryAttempts ?? DEFAULTS.retryAttempts,
      maximumRecordAgeInSeconds: props.maxRecordAge?.toSeconds() ?? DEFAULTS.maxRecordAgeSeconds,
      destinationConfig: { onFailure: { destination: this.failureQueue.queueArn } },
    });
    const watched: Watched = {
      function: this.function,
      failureQueue: this.failureQueue,
      slaves,
      metricsNamespace: props.metricsNamespace ?? DEFAULTS.metricsNamespace,
      iteratorAgeAlarmMs: props.iteratorAgeAlarmThreshold?.toMilliseconds() ?? DEFAULTS.iteratorAgeAlarmMs,
      replicationLatencyAlarmMs:
        props.replicationLatencyAlarmThreshold?.toMilliseconds() ?? DEFAULTS.replicationLatencyAlarmMs,
      alarmTopic: props.alarmTopic,
    };
    this.alarms = createAlarms(this, watched);
    this.dashboard = props.dashboard === false ? undefined : createDashboard(this, watched, props.dashboardName);
  }
}
