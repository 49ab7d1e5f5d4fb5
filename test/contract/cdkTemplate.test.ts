/**
 * One source of truth for the two ways to deploy: the CDK construct (src/cdk) synthesized with the props that mirror
 * each of deploy/template.json's parameter sets (SCENARIOS) must give the same resources as the template evaluated
 * with those parameters — resource types and counts, the function's properties and environment, the trigger, the
 * role's statements (IAM actions per resource), the alarms and the dashboard's widgets — and pass the same
 * CloudFormation spec check. A change to one that the other lacks fails here, naming the resource.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { DynamoReplicator } from '../../src/cdk';
import type { DynamoReplicatorProps } from '../../src/cdk/props';
import { useCdkApps } from '../helpers/cdkApp';
import { Evaluation, type JsonObject, parameters, resources, SCENARIOS, SLAVE_ROLE } from './templateEvaluation';
import { SpecCheck } from './templateSpec';

const newApp = useCdkApps();

type Props = { -readonly [K in keyof DynamoReplicatorProps]: DynamoReplicatorProps[K] };
type Slave = { region?: string; tableName?: string; tableArn?: string; roleArn?: string; externalId?: string };

/** Each template parameter as the construct's prop; a parameter the construct has no prop for has no entry. */
const AS_PROP: Record<string, (value: string, props: Props, slave: Slave, stack: Stack) => void> = {
  MasterStreamArn: (value, props) => {
    props.master = value;
  },
  MasterStreamViewType: (value, props) => {
    props.masterStreamViewType = value as StreamViewType;
  },
  SlaveRegion: (value, _props, slave) => {
    if (value !== '') slave.region = value;
  },
  SlaveTable: (value, _props, slave) => {
    if (value !== '') slave.tableName = value;
  },
  SlaveTableArn: (value, _props, slave) => {
    if (value !== '') slave.tableArn = value;
  },
  SlaveRoleArn: (value, _props, slave) => {
    if (value !== '') slave.roleArn = value;
  },
  SlaveExternalId: (value, _props, slave) => {
    if (value !== '') slave.externalId = value;
  },
  // The construct's code is the package's zip, as an asset: no bucket or key to give.
  CodeS3Bucket: () => undefined,
  CodeS3Key: () => undefined,
  StartingPosition: (value, props) => {
    props.startingPosition = value as StartingPosition;
  },
  BatchSize: (value, props) => {
    props.batchSize = Number(value);
  },
  MaximumRetryAttempts: (value, props) => {
    props.retryAttempts = Number(value);
  },
  MaximumRecordAgeInSeconds: (value, props) => {
    props.maxRecordAge = Duration.seconds(Number(value));
  },
  ReplicateTtlDeletes: (value, props) => {
    props.replicateTtlDeletes = value === 'true';
  },
  MemorySize: (value, props) => {
    props.memorySize = Number(value);
  },
  Timeout: (value, props) => {
    props.timeout = Duration.seconds(Number(value));
  },
  MetricsNamespace: (value, props) => {
    props.metricsNamespace = value;
  },
  IteratorAgeAlarmMs: (value, props) => {
    props.iteratorAgeAlarmThreshold = Duration.millis(Number(value));
  },
  ReplicationLatencyAlarmMs: (value, props) => {
    props.replicationLatencyAlarmThreshold = Duration.millis(Number(value));
  },
  AlarmTopicArn: (value, props, _slave, stack) => {
    if (value !== '') props.alarmTopic = Topic.fromTopicArn(stack, 'Topic', value);
  },
};

/**
 * The construct synthesized, in the evaluator's account, with the props of the parameters a scenario gives: the
 * others are left to the construct's defaults, so that those are held to the template's defaults too.
 */
function synthesize(given: Record<string, string>): JsonObject {
  const stack = new Stack(newApp(), 'orders-replica', {
    env: { account: '111122223333', region: 'us-east-1' },
  });
  const slave: Slave = {};
  const props: Props = { master: '', slaves: [slave] };
  for (const [name, value] of Object.entries(given)) AS_PROP[name]?.(value, props, slave, stack);
  new DynamoReplicator(stack, 'Replica', props);
  return Template.fromStack(stack).toJSON() as JsonObject;
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The template's logical id for each synthesized resource: by type, and alarms by their metric. */
function templateIds(synthesized: Resources, template: Resources): Map<string, string> {
  const ids = new Map<string, string>();
  for (const [id, resource] of Object.entries(synthesized)) {
    const same = Object.entries(template).filter(
      ([, candidate]) =>
        candidate.Type === resource.Type &&
        (resource.Type !== 'AWS::CloudWatch::Alarm' ||
          candidate.Properties.MetricName === resource.Properties.MetricName),
    );
    if (same.length !== 1) throw new Error(`${id} (${resource.Type}) matches ${same.length} resources of the template`);
    ids.set(id, (same[0] as [string, unknown])[0]);
  }
  return ids;
}

/** `synthesized` with its logical ids renamed to the template's, so that references compare equal. */
function renamed(synthesized: JsonObject, ids: Map<string, string>): JsonObject {
  let text = JSON.stringify(synthesized);
  for (const [from, to] of ids) text = text.split(`"${from}"`).join(`"${to}"`);
  return JSON.parse(text) as JsonObject;
}

/** Values as CloudFormation takes them: numbers and booleans as strings, dimensions in name order. */
function normalized(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([key, item]) => [key, normalized(item)] as const);
  return Object.fromEntries(
    entries.map(([key, item]) =>
      key === 'Dimensions' && Array.isArray(item)
        ? [key, [...item].sort((a, b) => String(a.Name).localeCompare(String(b.Name)))]
        : [key, item],
    ),
  );
}

/**
 * What may differ, and why: the construct's code is an asset, not the CodeS3Bucket/CodeS3Key parameters; the
 * template names its log group and dashboard after the stack, while the construct lets CloudFormation name them so
 * that a stack holds several replicators; the dashboard's body is compared as JSON, not as text.
 */
function comparable(id: string, properties: Record<string, unknown>): Record<string, unknown> {
  const { Code: _code, LogGroupName: _log, DashboardName: _name, DashboardBody: body, ...rest } = properties;
  return normalized({
    ...rest,
    ...(body === undefined ? {} : { DashboardBody: JSON.parse(String(body)) }),
    id,
  }) as Record<string, unknown>;
}

const check = new SpecCheck();

describe.each(Object.keys(SCENARIOS))('the construct with the props of the template scenario %s', (scenario) => {
  const given = SCENARIOS[scenario] as Record<string, string>;
  const template = new Evaluation(given);
  const source = synthesize(given);

  test('creates the same resource types, as many of each, as deploy/template.json', () => {
    // Prepare
    const count = (resources: Resources) =>
      Object.values(resources)
        .map((resource) => resource.Type)
        .sort();

    // Act
    const synthesized = count(source.Resources as Resources);

    // Assess
    expect(synthesized).toEqual(count(resources as unknown as Resources));
  });

  test("gives every resource the template's properties: function, environment, trigger, role, alarms, dashboard", () => {
    // Prepare
    const ids = templateIds(source.Resources as Resources, resources as unknown as Resources);
    const synthesized = new Evaluation({}, renamed(source, ids));

    // Act
    const pairs = [...ids.values()].map((id) => ({
      construct: comparable(id, synthesized.properties(id)),
      template: comparable(id, template.properties(id)),
    }));

    // Assess
    expect(pairs.map((pair) => pair.construct)).toEqual(pairs.map((pair) => pair.template));
  });

  test('passes the CloudFormation spec check deploy/template.json passes', () => {
    // Act
    const findings = check.check(source);

    // Assess
    expect(findings).toEqual([]);
  });
});

test('every template parameter has its prop in the construct (a new parameter needs one)', () => {
  // Act
  const missing = Object.keys(parameters).filter((name) => !(name in AS_PROP));

  // Assess
  expect(missing).toEqual([]);
});

test('the construct with two slaves, one behind a role in another account, and a master table passes the spec check', () => {
  // Prepare
  const stack = new Stack(newApp(), 'orders-replicas');
  const master = new Table(stack, 'Master', {
    partitionKey: { name: 'id', type: AttributeType.STRING },
    stream: StreamViewType.KEYS_ONLY,
  });
  new DynamoReplicator(stack, 'Replica', {
    master,
    masterStreamViewType: StreamViewType.KEYS_ONLY,
    slaves: [
      { region: 'eu-west-1', tableName: 'OrdersReplica' },
      { region: 'ap-southeast-2', tableName: 'OrdersCopy', roleArn: SLAVE_ROLE, externalId: 'replica-7d1f' },
    ],
    alarmTopic: new Topic(stack, 'Ops'),
  });

  // Act
  const findings = check.check(Template.fromStack(stack).toJSON() as JsonObject);

  // Assess
  expect(findings).toEqual([]);
});
