/**
 * The alarms and the dashboard of {@link DynamoReplicator}: the same metrics, thresholds and widgets as
 * deploy/template.json's, for one slave or several (test/contract/cdkTemplate.test.ts holds them equal for one). The
 * widgets are written as the template writes them, so that an operator who knows one dashboard knows the other.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { type CheckedSlave, slavesNamed } from './props';

/** What the alarms and the dashboard watch, and their settings. */
export interface Watched {
  readonly function: lambda.IFunction;
  readonly failureQueue: sqs.IQueue;
  readonly slaves: readonly CheckedSlave[];
  readonly metricsNamespace: string;
  readonly iteratorAgeAlarmMs: number;
  readonly replicationLatencyAlarmMs: number;
  readonly alarmTopic: ITopic | undefined;
}

/** The `service` dimension Powertools gives the function's metrics (POWERTOOLS_SERVICE_NAME). */
export const SERVICE_NAME = 'dynamo-replicator';

/** A widget written as deploy/template.json writes it; the dashboard places it in its row. */
class TemplateWidget extends cloudwatch.ConcreteWidget {
  public constructor(
    width: number,
    height: number,
    private readonly type: 'text' | 'metric',
    private readonly properties: Record<string, unknown>,
  ) {
    super(width, height);
  }

  public toJson(): unknown[] {
    const { type, x, y, width, height, properties } = this;
    return [{ type, x, y, width, height, properties }];
  }
}

/** One line of a graph: namespace, metric name, dimension name/value pairs, and its label last. */
type Line = readonly string[];

/** The lines of one of the function's own metrics, one per slave (labelled with the slave when there are several). */
function perSlave(watched: Watched, metric: string, label: string): Line[] {
  return watched.slaves.map((slave) => [
    watched.metricsNamespace,
    metric,
    'service',
    SERVICE_NAME,
    'SlaveTable',
    slave.name,
    watched.slaves.length > 1 ? `${slave.name}: ${label}` : label,
  ]);
}

/** A time-series widget of the template. */
interface Graph {
  readonly width: 12 | 24;
  readonly title: string;
  readonly stat: 'Maximum' | 'Sum';
  readonly lines: readonly Line[];
  readonly unit: string;
  readonly annotation?: { label: string; value: number };
}

function graph(scope: Construct, { width, title, stat, lines, unit, annotation }: Graph): TemplateWidget {
  return new TemplateWidget(width, 6, 'metric', {
    title,
    region: Stack.of(scope).region,
    view: 'timeSeries',
    stacked: false,
    period: 60,
    stat,
    metrics: lines.map((line) => [...line.slice(0, -1), { label: line[line.length - 1] }]),
    yAxis: { left: { min: 0, label: unit } },
    ...(annotation === undefined ? {} : { annotations: { horizontal: [annotation] } }),
  });
}

/** The template's graphs, row by row, with the lines of every slave. */
function graphRows(watched: Watched): Graph[][] {
  const fn = watched.function.functionName;
  const lambdaLine = (metric: string, label: string): Line => ['AWS/Lambda', metric, 'FunctionName', fn, label];
  const queueLine = ['AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', watched.failureQueue.queueName];
  return [
    [
      {
        width: 12,
        title: "IteratorAge: how far the function is behind the master's stream (ms)",
        stat: 'Maximum',
        lines: [lambdaLine('IteratorAge', 'IteratorAge (max)')],
        unit: 'ms',
        annotation: { label: 'alarm', value: watched.iteratorAgeAlarmMs },
      },
      {
        width: 12,
        title: 'ReplicationLatency: change on the master to write on the slave (ms)',
        stat: 'Maximum',
        lines: [
          ...perSlave(watched, 'ReplicationLatency', 'oldest record of a batch (max)'),
          ...perSlave(watched, 'ReplicationLatencyAverage', 'batch average'),
        ],
        unit: 'ms',
        annotation: { label: 'alarm', value: watched.replicationLatencyAlarmMs },
      },
    ],
    [
      {
        width: 12,
        title: 'Records per slave (sum per minute)',
        stat: 'Sum',
        lines: [
          ...perSlave(watched, 'RecordsReplicated', 'replicated'),
          ...perSlave(watched, 'RecordsFailed', 'failed (retried)'),
          ...perSlave(watched, 'RecordsSkipped', 'skipped (TTL deletes not replicated)'),
          ...perSlave(
            watched,
            'FailuresNotRetried',
            'failed, and moved past by the trigger (check Report batch item failures)',
          ),
        ],
        unit: 'records',
      },
      {
        width: 12,
        title: 'Function errors and throttles (sum per minute)',
        stat: 'Sum',
        lines: [lambdaLine('Errors', 'Errors'), lambdaLine('Throttles', 'Throttles')],
        unit: 'invocations',
      },
    ],
    [
      {
        width: 24,
        title: 'On-failure queue: batches given up on, waiting for repair',
        stat: 'Maximum',
        lines: [[...queueLine, 'messages visible']],
        unit: 'messages',
        annotation: { label: 'any is a gap in the replica', value: 0 },
      },
    ],
    [
      {
        width: 24,
        title:
          'Single-item writes: a line close to the replicated one means the role lacks dynamodb:BatchWriteItem on the slave (one request per item, not per 25; the log WARN names it)',
        stat: 'Sum',
        lines: [
          ...perSlave(watched, 'SingleItemWrites', 'PutItem/DeleteItem calls'),
          ...perSlave(watched, 'RecordsReplicated', 'records replicated'),
        ],
        unit: 'count',
      },
    ],
  ];
}

/** The dashboard of deploy/template.json: a text row naming what it watches, then the graphs' rows. */
export function createDashboard(scope: Construct, watched: Watched, dashboardName?: string): cloudwatch.Dashboard {
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', dashboardName === undefined ? {} : { dashboardName });
  const intro =
    `## Replica ${slavesNamed(watched.slaves)}\nFunction **${watched.function.functionName}** on the master's stream; ` +
    `on-failure queue **${watched.failureQueue.queueName}**. A replica that lags: IteratorAge and ReplicationLatency ` +
    'grow. Records that failed are retried; records in the queue were given up on (repair with ' +
    '`dynamo-replicator verify --repair`).';
  dashboard.addWidgets(new TemplateWidget(24, 2, 'text', { markdown: intro }));
  for (const row of graphRows(watched)) dashboard.addWidgets(...row.map((spec) => graph(scope, spec)));
  return dashboard;
}

/** One alarm of the template: above `threshold` for `periods` periods of `period`, notifying the topic if any. */
function alarm(
  scope: Construct,
  id: string,
  watched: Watched,
  metric: cloudwatch.MetricProps,
  settings: { period: Duration; periods: number; threshold: number; description: string },
): cloudwatch.Alarm {
  const made = new cloudwatch.Alarm(scope, id, {
    metric: new cloudwatch.Metric({ ...metric, period: settings.period }),
    alarmDescription: settings.description,
    threshold: settings.threshold,
    evaluationPeriods: settings.periods,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  if (watched.alarmTopic !== undefined) {
    made.addAlarmAction(new SnsAction(watched.alarmTopic));
    made.addOkAction(new SnsAction(watched.alarmTopic));
  }
  return made;
}

/** The template's alarms: the function's and the queue's once, the function's own metrics once per slave. */
export function createAlarms(scope: Construct, watched: Watched): cloudwatch.Alarm[] {
  const names = slavesNamed(watched.slaves);
  const fiveMinutes = { period: Duration.minutes(1), periods: 5 };
  const once = { period: Duration.minutes(5), periods: 1, threshold: 0 };
  const functionDimension = { FunctionName: watched.function.functionName };
  const alarms = [
    alarm(
      scope,
      'IteratorAgeAlarm',
      watched,
      { namespace: 'AWS/Lambda', metricName: 'IteratorAge', dimensionsMap: functionDimension, statistic: 'Maximum' },
      {
        ...fiveMinutes,
        threshold: watched.iteratorAgeAlarmMs,
        description: `${names}: the replica has been behind the master's stream by more than ${watched.iteratorAgeAlarmMs} ms for 5 minutes`,
      },
    ),
    alarm(
      scope,
      'ErrorsAlarm',
      watched,
      { namespace: 'AWS/Lambda', metricName: 'Errors', dimensionsMap: functionDimension, statistic: 'Sum' },
      {
        ...once,
        description: `${names}: invocations failed whole (every record of a batch failed, or the function is misconfigured); see the function's log`,
      },
    ),
    alarm(
      scope,
      'FailureQueueAlarm',
      watched,
      {
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: watched.failureQueue.queueName },
        statistic: 'Maximum',
      },
      {
        ...once,
        description: `${names}: Lambda gave up on records (retries or record age exhausted); their positions are in the on-failure queue: repair the items (dynamo-replicator verify --repair)`,
      },
    ),
  ];
  watched.slaves.forEach((slave, index) => {
    const dimensionsMap = { service: SERVICE_NAME, SlaveTable: slave.name };
    const suffix = watched.slaves.length > 1 ? String(index + 1) : '';
    const own = { namespace: watched.metricsNamespace, dimensionsMap };
    alarms.push(
      alarm(
        scope,
        `RecordsFailedAlarm${suffix}`,
        watched,
        { ...own, metricName: 'RecordsFailed', statistic: 'Sum' },
        {
          ...once,
          description: `${slave.name}: stream records were not replicated (Lambda retries them); the function's log says why for each`,
        },
      ),
      alarm(
        scope,
        `ReplicationLatencyAlarm${suffix}`,
        watched,
        { ...own, metricName: 'ReplicationLatency', statistic: 'Maximum' },
        {
          ...fiveMinutes,
          threshold: watched.replicationLatencyAlarmMs,
          description: `${slave.name}: changes have taken more than ${watched.replicationLatencyAlarmMs} ms to reach the replica for 5 minutes`,
        },
      ),
    );
  });
  return alarms;
}
