/**
 * deploy/template.json, continued (see template.test.ts): the replica's CloudWatch dashboard graphs what the code
 * and the platform publish, under the names, namespace and dimensions they publish them. The DashboardBody is a
 * Fn::Sub string: each scenario substitutes its placeholders and parses the result as the JSON CloudWatch takes, so
 * a graph of a metric nobody publishes, a dimension the EMF lines lack, or a body that is not JSON fails here.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadConfig } from '../../src/function/config';
import { Slave } from '../../src/replicator/slave';
import { allSource, Evaluation, environmentOf, type JsonObject, only, ROOT, SCENARIOS } from './templateEvaluation';

/** One graphed metric: namespace, name, dimensions as name → value. */
interface GraphedMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
}

interface Widget {
  readonly type: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly region?: string;
    readonly metrics?: unknown[][];
    readonly annotations?: { horizontal?: Array<{ value: number }> };
  };
}

const dashboardId = only('AWS::CloudWatch::Dashboard');
const published = new Set([...allSource.matchAll(/addMetric\('(\w+)'/g)].map((match) => match[1]));
const dimensionKey = /defaultDimensions:\s*{\s*(\w+):/.exec(allSource)?.[1] ?? '(no default dimension found)';

/** The dashboard's widgets for `params`, the body parsed after substitution. */
function widgetsOf(evaluation: Evaluation): Widget[] {
  const body = evaluation.properties(dashboardId).DashboardBody;
  if (typeof body !== 'string') throw new Error('DashboardBody must evaluate to a string (Fn::Sub)');
  return (JSON.parse(body) as { widgets: Widget[] }).widgets;
}

/** Every metric the widgets graph (a metric array: namespace, name, then dimension name/value pairs, options). */
function graphedMetrics(widgets: readonly Widget[]): GraphedMetric[] {
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((entry) => {
      const parts = entry.filter((part): part is string => typeof part === 'string');
      expect(parts).not.toContain('...');
      const [namespace = '', name = '', ...pairs] = parts;
      const dimensions: Record<string, string> = {};
      for (let index = 0; index + 1 < pairs.length; index += 2)
        dimensions[pairs[index] as string] = pairs[index + 1] as string;
      return { namespace, name, dimensions };
    }),
  );
}

/** The SlaveTable value the code publishes for the slave of this template's evaluation (its function's variables). */
function slaveDimension(evaluation: Evaluation): string {
  const [target] = loadConfig(environmentOf(evaluation)).slaves;
  if (!target) throw new Error('the template configures no slave');
  const client = new DynamoDBClient({
    region: target.region,
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
  });
  const name = new Slave(client, target, 1).name;
  client.destroy();
  return name;
}

describe('the dashboard', () => {
  test.each(Object.entries(SCENARIOS))(
    'parses as JSON after substitution, every widget on the 24-column grid: %s',
    (_name, params) => {
      // Act
      const widgets = widgetsOf(new Evaluation(params));

      // Assess
      expect(widgets.length).toBeGreaterThanOrEqual(5);
      for (const widget of widgets) {
        expect(widget.x + widget.width).toBeLessThanOrEqual(24);
        if (widget.type === 'metric') expect(widget.properties.region).toBe('us-east-1');
      }
    },
  );

  test.each(['KEYS_ONLY stream', 'slave by table ARN (another account, its resource-based policy)'])(
    'graphs the code’s metrics per slave in the stack’s namespace, with the dimensions of its EMF lines: %s',
    (scenario) => {
      // Prepare: a namespace other than the default, to see the parameter reach the graphs.
      const evaluation = new Evaluation({ ...SCENARIOS[scenario], MetricsNamespace: 'Ops/Replicas' });
      const fnEnv = environmentOf(evaluation);

      // Act
      const custom = graphedMetrics(widgetsOf(evaluation)).filter(
        (metric) => metric.namespace !== 'AWS/Lambda' && metric.namespace !== 'AWS/SQS',
      );

      // Assess
      expect(new Set(custom.map((metric) => metric.namespace))).toEqual(new Set([fnEnv.POWERTOOLS_METRICS_NAMESPACE]));
      expect(fnEnv.POWERTOOLS_METRICS_NAMESPACE).toBe('Ops/Replicas');
      const names = custom.map((metric) => metric.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'ReplicationLatency',
          'RecordsReplicated',
          'RecordsFailed',
          'RecordsSkipped',
          'SingleItemWrites',
          'FailuresNotRetried',
        ]),
      );
      for (const name of names) expect([name, published.has(name)]).toEqual([name, true]);
      for (const metric of custom) {
        expect(metric.dimensions).toEqual({
          service: fnEnv.POWERTOOLS_SERVICE_NAME,
          [dimensionKey]: slaveDimension(evaluation),
        });
      }
    },
  );

  test('graphs the function’s IteratorAge, Errors and Throttles, and the on-failure queue’s depth', () => {
    // Prepare
    const evaluation = new Evaluation(SCENARIOS['own-account slave, NEW_IMAGE stream (defaults)'] ?? {});

    // Act
    const platform = graphedMetrics(widgetsOf(evaluation)).filter((metric) => metric.namespace.startsWith('AWS/'));

    // Assess
    const fnRef = `{ref:${only('AWS::Lambda::Function')}}`;
    expect(platform).toEqual(
      expect.arrayContaining(
        ['IteratorAge', 'Errors', 'Throttles'].map((name) => ({
          namespace: 'AWS/Lambda',
          name,
          dimensions: { FunctionName: fnRef },
        })),
      ),
    );
    expect(platform).toContainEqual({
      namespace: 'AWS/SQS',
      name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `{${only('AWS::SQS::Queue')}.QueueName}` },
    });
  });

  test('draws the alarms’ thresholds where the alarms are, from the same parameters', () => {
    // Prepare
    const evaluation = new Evaluation({
      ...SCENARIOS['KEYS_ONLY stream'],
      IteratorAgeAlarmMs: '90000',
      ReplicationLatencyAlarmMs: '2500',
    });
    const alarms = Evaluation.ofType('AWS::CloudWatch::Alarm').map((id) => evaluation.properties(id));

    // Act
    const thresholds = widgetsOf(evaluation).flatMap((widget) =>
      (widget.properties.annotations?.horizontal ?? []).map((line) => line.value),
    );

    // Assess
    expect(thresholds).toEqual(expect.arrayContaining([90000, 2500]));
    for (const value of [90000, 2500]) expect(alarms.map((alarm) => Number(alarm.Threshold))).toContain(value);
  });

  test('is named after the stack and linked from the outputs', () => {
    // Prepare
    const evaluation = new Evaluation(SCENARIOS['KEYS_ONLY stream'] ?? {});

    // Act
    const name = evaluation.properties(dashboardId).DashboardName;

    // Assess: CloudWatch allows letters, digits, - and _ in a dashboard name.
    expect(name).toBe('orders-replica-dynamo-replicator');
    expect(String(name)).toMatch(/^[A-Za-z0-9_-]{1,255}$/);
    const outputs = (JSON.parse(readFileSync(join(ROOT, 'deploy', 'template.json'), 'utf8')) as { Outputs: JsonObject })
      .Outputs;
    expect(JSON.stringify(outputs.DashboardUrl)).toContain(`#dashboards:name=\${${dashboardId}}`);
  });
});
