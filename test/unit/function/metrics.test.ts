import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext } from '../../../harness/context';
import { imageOf, insertRecord, keyOf, removeRecord, seq, streamEvent } from '../../../harness/records';
import { createHandler } from '../../../src/function/handler';
import { DEFAULT_METRICS_NAMESPACE, publishBatchMetrics, replicationLatency } from '../../../src/function/metrics';
import { SlaveWriteError } from '../../../src/replicator/errors';
import { MasterReader } from '../../../src/replicator/master';
import type { BatchOutcome, SlaveSummary } from '../../../src/replicator/replicate';
import { Slave } from '../../../src/replicator/slave';
import type { StreamRecord } from '../../../src/replicator/types';
import { FAST_RETRY, refuseItem } from '../../helpers/sdkMocks';

/** One Embedded Metric Format line, as CloudWatch Logs receives it. */
interface EmfLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[];
  };
  [field: string]: unknown;
}

/** Runs `act` with stdout and stderr captured and returns the EMF lines printed (Powertools Metrics prints them on stdout). */
async function emfLinesOf(act: () => unknown): Promise<{ emf: EmfLine[]; stdout: string }> {
  let stdout = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await act();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const emf = stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry): entry is EmfLine => typeof entry._aws === 'object' && entry._aws !== null);
  return { emf, stdout };
}

/** The metrics of one slave, made as the bundle's entry point makes them. */
function metricsFor(slave: string, namespace = DEFAULT_METRICS_NAMESPACE): Metrics {
  return new Metrics({ namespace, serviceName: 'dynamo-replicator', defaultDimensions: { SlaveTable: slave } });
}

/** A record created at `createdSeconds` (epoch seconds, as Lambda's ApproximateCreationDateTime). */
function createdAt(n: number, createdSeconds: number | undefined): StreamRecord {
  const record = insertRecord(seq(n), keyOf(`item-${n}`), imageOf(`item-${n}`));
  if (record.dynamodb) {
    if (createdSeconds === undefined) delete record.dynamodb.ApproximateCreationDateTime;
    else record.dynamodb.ApproximateCreationDateTime = createdSeconds;
  }
  return record;
}

function summary(slave: string, recordsReplicated: number, singleItemWrites = 0): SlaveSummary {
  return { slave, itemsWritten: 0, itemsFailed: 0, requests: 0, retries: 0, singleItemWrites, recordsReplicated };
}

function outcomeOf(partial: Partial<BatchOutcome>): BatchOutcome {
  return { failures: new Map(), puts: 0, deletes: 0, fetched: 0, skipped: 0, slaves: [], ...partial };
}

const NOW = 1_714_564_810_000; // 2024-05-01T12:00:10Z in ms
const CREATED = 1_714_564_800; // ten seconds earlier, in s

beforeAll(() => {
  // POWERTOOLS_DEV would print through Jest's console and disable metrics: the bundle in Lambda runs without it.
  delete process.env.POWERTOOLS_DEV;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  delete process.env.POWERTOOLS_METRICS_NAMESPACE;
});

describe('replicationLatency', () => {
  test('max and average of now minus each replicated record’s ApproximateCreationDateTime, in ms', () => {
    // Prepare
    const records = [createdAt(1, CREATED), createdAt(2, CREATED + 5), createdAt(3, CREATED + 9)];

    // Act
    const latency = replicationLatency(records, new Map(), NOW);

    // Assess
    expect(latency).toEqual({ max: 10_000, average: (10_000 + 5_000 + 1_000) / 3 });
  });

  test('failed records and records without a creation time do not count', () => {
    // Prepare
    const failed = createdAt(1, CREATED - 3600);
    const records = [failed, createdAt(2, undefined), createdAt(3, CREATED + 8)];

    // Act
    const latency = replicationLatency(records, new Map([[failed, new Error('failed')]]), NOW);

    // Assess
    expect(latency).toEqual({ max: 2_000, average: 2_000 });
  });

  test('a creation time after now (clock skew) counts as 0, never negative', () => {
    // Act
    const latency = replicationLatency([createdAt(1, CREATED + 60)], new Map(), NOW);

    // Assess
    expect(latency).toEqual({ max: 0, average: 0 });
  });

  test('no replicated record → undefined (no latency to report)', () => {
    // Prepare
    const record = createdAt(1, CREATED);

    // Act
    const latency = replicationLatency([record], new Map([[record, new Error('failed')]]), NOW);

    // Assess
    expect(latency).toBeUndefined();
  });
});

describe('publishBatchMetrics: the EMF lines', () => {
  test('one line per slave: namespace, dimensions service and SlaveTable, the six metrics with units and values', async () => {
    // Prepare: 4 records, one failed on every slave before any write, one skipped (TTL); Asia lost one more, and
    // was written item by item (its role lacks BatchWriteItem).
    const records = [
      createdAt(1, CREATED),
      createdAt(2, CREATED + 4),
      createdAt(3, CREATED + 6),
      createdAt(4, CREATED + 2),
    ];
    const rejected = records[3] as StreamRecord;
    const asiaLost = records[2] as StreamRecord;
    const outcome = outcomeOf({
      failures: new Map<StreamRecord, Error>([
        [rejected, new Error('malformed')],
        [asiaLost, new SlaveWriteError('ap-southeast-2/OrdersAsia', 'ValidationException')],
      ]),
      skipped: 1,
      slaves: [summary('eu-west-1/OrdersEurope', 2), summary('ap-southeast-2/OrdersAsia', 1, 3)],
    });
    const metrics = [metricsFor('eu-west-1/OrdersEurope'), metricsFor('ap-southeast-2/OrdersAsia')];

    // Act
    const { emf } = await emfLinesOf(() => publishBatchMetrics(metrics, records, outcome, NOW));

    // Assess
    expect(emf).toHaveLength(2);
    const [europe, asia] = emf as [EmfLine, EmfLine];
    for (const [line, slave] of [
      [europe, 'eu-west-1/OrdersEurope'],
      [asia, 'ap-southeast-2/OrdersAsia'],
    ] as const) {
      expect(line._aws.CloudWatchMetrics).toEqual([
        {
          Namespace: 'DynamoReplicator',
          Dimensions: [['service', 'SlaveTable']],
          Metrics: [
            { Name: 'RecordsReplicated', Unit: 'Count' },
            { Name: 'RecordsFailed', Unit: 'Count' },
            { Name: 'RecordsSkipped', Unit: 'Count' },
            { Name: 'SingleItemWrites', Unit: 'Count' },
            { Name: 'FailuresNotRetried', Unit: 'Count' },
            { Name: 'ReplicationLatency', Unit: 'Milliseconds' },
            { Name: 'ReplicationLatencyAverage', Unit: 'Milliseconds' },
          ],
        },
      ]);
      expect(line).toMatchObject({ service: 'dynamo-replicator', SlaveTable: slave });
      expect(typeof line._aws.Timestamp).toBe('number');
    }
    // Latency counts the records no slave failed: created 10 s and 6 s before now (the skipped one included).
    expect(europe).toMatchObject({
      RecordsReplicated: 2,
      RecordsFailed: 1,
      RecordsSkipped: 1,
      SingleItemWrites: 0,
      ReplicationLatency: 10_000,
      ReplicationLatencyAverage: 8_000,
    });
    expect(asia).toMatchObject({ RecordsReplicated: 1, RecordsFailed: 2, RecordsSkipped: 1, SingleItemWrites: 3 });
  });

  test('when no record was replicated, the counts are published without latency metrics', async () => {
    // Prepare
    const records = [createdAt(1, CREATED)];
    const outcome = outcomeOf({
      failures: new Map([[records[0] as StreamRecord, new Error('malformed')]]),
      slaves: [summary('eu-west-1/Orders', 0)],
    });

    // Act
    const { emf } = await emfLinesOf(() =>
      publishBatchMetrics([metricsFor('eu-west-1/Orders')], records, outcome, NOW),
    );

    // Assess
    expect(emf).toHaveLength(1);
    const line = emf[0] as EmfLine;
    expect(line._aws.CloudWatchMetrics[0]?.Metrics.map((metric) => metric.Name)).toEqual([
      'RecordsReplicated',
      'RecordsFailed',
      'RecordsSkipped',
      'SingleItemWrites',
      'FailuresNotRetried',
    ]);
    expect(line).toMatchObject({ RecordsReplicated: 0, RecordsFailed: 1, RecordsSkipped: 0 });
    expect(line).not.toHaveProperty('ReplicationLatency');
  });

  test('the namespace given to Metrics is the one in the line', async () => {
    // Prepare
    const records = [createdAt(1, CREATED)];
    const outcome = outcomeOf({ slaves: [summary('eu-west-1/Orders', 1)] });

    // Act
    const { emf } = await emfLinesOf(() =>
      publishBatchMetrics([metricsFor('eu-west-1/Orders', 'Replicas/Prod')], records, outcome, NOW),
    );

    // Assess
    expect(emf[0]?._aws.CloudWatchMetrics[0]?.Namespace).toBe('Replicas/Prod');
  });

  test('metrics do not carry over from one batch to the next', async () => {
    // Prepare
    const metrics = [metricsFor('eu-west-1/Orders')];
    const first = [createdAt(1, CREATED), createdAt(2, CREATED)];
    const second = [createdAt(3, CREATED + 9)];

    // Act
    const { emf } = await emfLinesOf(() => {
      publishBatchMetrics(metrics, first, outcomeOf({ slaves: [summary('eu-west-1/Orders', 2)] }), NOW);
      publishBatchMetrics(metrics, second, outcomeOf({ slaves: [summary('eu-west-1/Orders', 1)] }), NOW);
    });

    // Assess
    expect(emf.map((line) => [line.RecordsReplicated, line.ReplicationLatency])).toEqual([
      [2, 10_000],
      [1, 1_000],
    ]);
  });
});

describe('the handler publishes the metrics of each batch', () => {
  const ddb = mockClient(DynamoDBClient);
  let client: DynamoDBClient;

  beforeEach(() => {
    ddb.reset();
    client = new DynamoDBClient({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    });
  });

  afterEach(() => {
    client.destroy();
    jest.restoreAllMocks();
  });

  function handlerFor(slaves: string[], replicateTtlDeletes = true) {
    const targets = slaves.map((name) => {
      const [region = '', table = ''] = name.split('/');
      return new Slave(client, { region, table }, 4, FAST_RETRY);
    });
    return createHandler({
      replication: { slaves: targets, master: new MasterReader(() => client, 4, FAST_RETRY), replicateTtlDeletes },
      logger: new Logger({ serviceName: 'dynamo-replicator', logLevel: 'SILENT' }),
      metrics: slaves.map((name) => metricsFor(name)),
      partialResponses: { enabled: true, setting: 'REPORT_BATCH_ITEM_FAILURES' },
    });
  }

  test('a batch with a failed item: per slave, records replicated and failed, and latency against the clock', async () => {
    // Prepare: the slave refuses item "big" (as DynamoDB refuses an item over 400 KB).
    refuseItem(ddb, 'big', 'too large');
    const event = streamEvent([
      createdAt(1, CREATED),
      insertRecord(seq(2), keyOf('big'), imageOf('big')),
      removeRecord(seq(3), keyOf('gone')),
    ]);
    for (const record of event.Records) if (record.dynamodb) record.dynamodb.ApproximateCreationDateTime = CREATED + 3;
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
    const handler = handlerFor(['eu-west-1/OrdersReplica']);

    // Act
    const { emf } = await emfLinesOf(() => handler(event, fakeContext()));

    // Assess
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({
      SlaveTable: 'eu-west-1/OrdersReplica',
      RecordsReplicated: 2,
      RecordsFailed: 1,
      RecordsSkipped: 0,
      ReplicationLatency: 7_000,
      ReplicationLatencyAverage: 7_000,
    });
  });

  test('a skipped TTL delete that rode on a failed write counts as failed, not as skipped', async () => {
    // Prepare: the slave refuses item "big"; its TTL delete after the refused put fails with it (Lambda retries both).
    refuseItem(ddb, 'big', 'too large');
    const ttl = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } };
    const event = streamEvent([
      insertRecord(seq(1), keyOf('big'), imageOf('big')),
      removeRecord(seq(2), keyOf('big'), undefined, ttl),
      insertRecord(seq(3), keyOf('small'), imageOf('small')),
      removeRecord(seq(4), keyOf('expired'), undefined, ttl),
    ]);
    const handler = handlerFor(['eu-west-1/OrdersReplica'], false);

    // Act
    let response: unknown;
    const { emf } = await emfLinesOf(async () => {
      response = await handler(event, fakeContext());
    });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(1) }, { itemIdentifier: seq(2) }] });
    expect(emf[0]).toMatchObject({ RecordsReplicated: 1, RecordsFailed: 2, RecordsSkipped: 1 });
  });

  test('two slaves → one line each, told apart by SlaveTable', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const handler = handlerFor(['eu-west-1/OrdersEurope', 'ap-southeast-2/OrdersAsia']);
    const event = streamEvent([insertRecord(seq(1), keyOf('a'), imageOf('a'))]);

    // Act
    const { emf } = await emfLinesOf(() => handler(event, fakeContext()));

    // Assess
    expect(emf.map((line) => [line.SlaveTable, line.RecordsReplicated])).toEqual([
      ['eu-west-1/OrdersEurope', 1],
      ['ap-southeast-2/OrdersAsia', 1],
    ]);
  });

  test('an empty batch publishes nothing', async () => {
    // Prepare
    const handler = handlerFor(['eu-west-1/OrdersReplica']);

    // Act
    const { emf, stdout } = await emfLinesOf(() => handler({ Records: [] }, fakeContext()));

    // Assess
    expect(emf).toEqual([]);
    expect(stdout).not.toContain('No application metrics');
  });
});
