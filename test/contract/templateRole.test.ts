/**
 * deploy/template.json, continued (see template.test.ts): the function's role grants exactly the calls the code and
 * the trigger make, the trigger's retry and failure settings, and alarms on metrics the code publishes.
 */

import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Slave } from '../../src/replicator/slave';
import {
  actionsOn,
  allSource,
  codeActions,
  Evaluation,
  environmentOf,
  evaluate,
  FOREIGN_SLAVE_TABLE,
  type JsonObject,
  list,
  MASTER_STREAM,
  MASTER_TABLE,
  only,
  PLATFORM_ACTIONS,
  parameters,
  SCENARIOS,
  SLAVE_ROLE,
  SLAVE_TABLE,
  statementsOf,
} from './templateEvaluation';

describe('the role', () => {
  test('grants, over all parameter sets, exactly the calls the code makes plus the trigger’s, the logs’ and the queue’s', () => {
    // Prepare
    const expected = [...codeActions().actions, ...PLATFORM_ACTIONS].sort();

    // Act
    const granted = new Set<string>();
    for (const params of Object.values(SCENARIOS)) {
      for (const statement of statementsOf(new Evaluation(params)))
        for (const action of list(statement.Action)) granted.add(action);
    }

    // Assess
    expect([...codeActions().actions].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
      'sts:AssumeRole',
    ]);
    expect([...granted].sort()).toEqual(expected);
  });

  test('only allows, never with a wildcard action or resource', () => {
    for (const params of Object.values(SCENARIOS)) {
      for (const statement of statementsOf(new Evaluation(params))) {
        expect(statement.Effect).toBe('Allow');
        for (const action of list(statement.Action)) expect(action).not.toContain('*');
        for (const resource of list(statement.Resource)) expect(resource).not.toBe('*');
      }
    }
  });

  test('own-account slave: the write actions on the slave table only, no STS, no master reads on a NEW_IMAGE stream', () => {
    // Act
    const statements = statementsOf(evaluate('own-account slave, NEW_IMAGE stream (defaults)'));

    // Assess
    expect(actionsOn(statements, SLAVE_TABLE)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    const actions = statements.flatMap((statement) => list(statement.Action));
    expect(actions).not.toContain('sts:AssumeRole');
    expect(actions).not.toContain('dynamodb:BatchGetItem');
    expect(actionsOn(statements, `${MASTER_TABLE}/stream/*`)).toEqual([
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ]);
    expect(actionsOn(statements, '{LogGroup.Arn}')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(actionsOn(statements, '{FailureQueue.Arn}')).toEqual(['sqs:SendMessage']);
  });

  test('slave by table ARN: the write actions on that ARN, no STS, and the function told the ARN without a region', () => {
    // Act
    const evaluation = evaluate('slave by table ARN (another account, its resource-based policy)');
    const statements = statementsOf(evaluation);

    // Assess
    expect(actionsOn(statements, FOREIGN_SLAVE_TABLE)).toEqual([
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    expect(statements.find((statement) => statement.Sid === 'WriteTheSlave')?.Resource).toBe(FOREIGN_SLAVE_TABLE);
    expect(statements.flatMap((statement) => list(statement.Action))).not.toContain('sts:AssumeRole');
    expect(environmentOf(evaluation)).toMatchObject({ SLAVE_TABLE: FOREIGN_SLAVE_TABLE });
    expect(environmentOf(evaluation).SLAVE_REGION).toBeUndefined();
  });

  test('cross-account slave: sts:AssumeRole on that role only, and no write actions of its own', () => {
    // Act
    const statements = statementsOf(evaluate('cross-account slave with external id, TTL deletes skipped'));

    // Assess
    expect(actionsOn(statements, SLAVE_ROLE)).toEqual(['sts:AssumeRole']);
    const assume = statements.filter((statement) => list(statement.Action).includes('sts:AssumeRole'));
    expect(assume.flatMap((statement) => list(statement.Resource))).toEqual([SLAVE_ROLE]);
    const actions = statements.flatMap((statement) => list(statement.Action));
    for (const write of ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'])
      expect(actions).not.toContain(write);
  });

  test.each(['KEYS_ONLY stream', 'OLD_IMAGE stream, cross-account slave'])(
    '%s: dynamodb:BatchGetItem on the master table only',
    (name) => {
      // Act
      const statements = statementsOf(evaluate(name));

      // Assess
      expect(actionsOn(statements, MASTER_TABLE)).toEqual(['dynamodb:BatchGetItem']);
      const reads = statements.filter((statement) => list(statement.Action).includes('dynamodb:BatchGetItem'));
      expect(reads.flatMap((statement) => list(statement.Resource))).toEqual([MASTER_TABLE]);
    },
  );
});

describe('the trigger', () => {
  const evaluation = evaluate('own-account slave, NEW_IMAGE stream (defaults)');
  const trigger = evaluation.properties(only('AWS::Lambda::EventSourceMapping'));

  test('reads the master stream into the function, reporting per-record failures and bisecting failed batches', () => {
    expect(trigger).toMatchObject({
      EventSourceArn: MASTER_STREAM,
      FunctionName: `{ref:${only('AWS::Lambda::Function')}}`,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: '{FailureQueue.Arn}' } },
    });
  });

  test('bounds retries and record age (never -1, infinite) and keeps the on-failure queue long enough', () => {
    // Prepare
    const retries = parameters.MaximumRetryAttempts as JsonObject;
    const age = parameters.MaximumRecordAgeInSeconds as JsonObject;

    // Assess
    expect(Number(trigger.MaximumRetryAttempts)).toBe(10);
    expect(Number(trigger.MaximumRecordAgeInSeconds)).toBe(21600);
    expect(retries.MinValue).toBeGreaterThanOrEqual(0);
    expect(age.MinValue).toBeGreaterThanOrEqual(60);
    expect(age.MaxValue).toBeLessThanOrEqual(604800);
    expect(evaluation.properties('FailureQueue').MessageRetentionPeriod).toBe(1209600);
  });
});

describe('the alarms', () => {
  const evaluation = evaluate('cross-account slave with external id, TTL deletes skipped');
  const alarms = Evaluation.ofType('AWS::CloudWatch::Alarm').map((id) => evaluation.properties(id));
  const published = new Set([...allSource.matchAll(/addMetric\('(\w+)'/g)].map((match) => match[1]));
  const fnRef = `{ref:${only('AWS::Lambda::Function')}}`;
  const fnEnv = environmentOf(evaluation);

  test('IteratorAge and Errors of the function', () => {
    for (const metric of ['IteratorAge', 'Errors']) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: fnRef }],
        }),
      );
    }
  });

  test('RecordsFailed > 0 and ReplicationLatency on the metrics the code publishes, with the dimensions of its EMF lines', () => {
    // Prepare: the SlaveTable value the code uses for this slave.
    const client = new DynamoDBClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    });
    const slaveName = new Slave(client, { region: 'eu-west-1', table: 'OrdersReplica' }, 1).name;
    client.destroy();
    const dimensionKey = /defaultDimensions:\s*{\s*(\w+):/.exec(allSource)?.[1];

    // Act
    const custom = alarms.filter((alarm) => alarm.Namespace === fnEnv.POWERTOOLS_METRICS_NAMESPACE);

    // Assess
    expect(custom.map((alarm) => alarm.MetricName).sort()).toEqual(['RecordsFailed', 'ReplicationLatency']);
    for (const alarm of custom) {
      expect(published.has(String(alarm.MetricName))).toBe(true);
      expect(alarm.Dimensions).toEqual([
        { Name: 'service', Value: fnEnv.POWERTOOLS_SERVICE_NAME },
        { Name: dimensionKey, Value: slaveName },
      ]);
    }
    expect(custom.find((alarm) => alarm.MetricName === 'RecordsFailed')).toMatchObject({
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(fnEnv.POWERTOOLS_SERVICE_NAME).toBe(/SERVICE_NAME = '([^']+)'/.exec(allSource)?.[1]);
  });

  test('every alarm notifies the topic when one is given', () => {
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual(['arn:aws:sns:us-east-1:111122223333:ops']);
  });
});
