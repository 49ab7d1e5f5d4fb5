/**
 * CloudWatch metrics per batch and slave, as Embedded Metric Format log lines (Powertools Metrics): CloudWatch turns
 * them into metrics with no API call and no extra permission.
 *
 * Published for each slave, with the slave as the `SlaveTable` dimension:
 * - `ReplicationLatency` (ms): the oldest replicated record's age — now minus its `ApproximateCreationDateTime` — the
 *   figure to alarm on; `ReplicationLatencyAverage` (ms): the batch's average.
 * - `RecordsReplicated`, `RecordsFailed`, `RecordsSkipped` (count).
 * - `SingleItemWrites` (count): PutItem/DeleteItem calls, items written one by one — all of a slave's items while
 *   its role lacks `dynamodb:BatchWriteItem` (one request per item instead of one per 25), otherwise only items
 *   DynamoDB rejected, isolated from their batch-mates.
 * - `FailuresNotRetried` (count): changes the function reported failed in its previous batch that the trigger moved
 *   past (src/function/triggerWatch.ts): REPORT_BATCH_ITEM_FAILURES=true on a trigger without ReportBatchItemFailures,
 *   or a trigger that gave up on the batch. Any is a change the slave may miss.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BatchOutcome } from '../replicator/replicate';
import type { StreamRecord } from '../replicator/types';

/** Namespace used when POWERTOOLS_METRICS_NAMESPACE is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'DynamoReplicator';

/** The latencies of the records that were replicated: max and average in ms; undefined when there are none. */
export function replicationLatency(
  records: readonly StreamRecord[],
  failures: ReadonlyMap<StreamRecord, Error>,
  now: number,
): { max: number; average: number } | undefined {
  let max = 0;
  let sum = 0;
  let count = 0;
  for (const record of records) {
    const created = record?.dynamodb?.ApproximateCreationDateTime;
    if (typeof created !== 'number' || failures.has(record)) continue;
    const latency = Math.max(0, now - created * 1000);
    max = Math.max(max, latency);
    sum += latency;
    count += 1;
  }
  return count === 0 ? undefined : { max, average: sum / count };
}

/**
 * Adds one batch's figures to each slave's metrics and publishes them (one EMF line per slave); `notRetried` is the
 * count of the previous batch's reported failures the trigger moved past.
 */
export function publishBatchMetrics(
  metricsBySlave: readonly Metrics[],
  records: readonly StreamRecord[],
  outcome: BatchOutcome,
  now: number,
  notRetried = 0,
): void {
  const latency = replicationLatency(records, outcome.failures, now);
  metricsBySlave.forEach((metrics, index) => {
    const slave = outcome.slaves[index];
    const replicated = slave?.recordsReplicated ?? 0;
    metrics.addMetric('RecordsReplicated', MetricUnit.Count, replicated);
    // Every record not skipped either reached this slave or did not.
    metrics.addMetric('RecordsFailed', MetricUnit.Count, Math.max(0, records.length - outcome.skipped - replicated));
    metrics.addMetric('RecordsSkipped', MetricUnit.Count, outcome.skipped);
    metrics.addMetric('SingleItemWrites', MetricUnit.Count, slave?.singleItemWrites ?? 0);
    metrics.addMetric('FailuresNotRetried', MetricUnit.Count, notRetried);
    if (latency) {
      metrics.addMetric('ReplicationLatency', MetricUnit.Milliseconds, latency.max);
      metrics.addMetric('ReplicationLatencyAverage', MetricUnit.Milliseconds, latency.average);
    }
    metrics.publishStoredMetrics();
  });
}
