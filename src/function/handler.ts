/**
 * The Lambda handler: checks the event, replicates the batch, logs, and answers Lambda. Per-record failures are
 * reported through Powertools batch only where the trigger is declared to honour them (REPORT_BATCH_ITEM_FAILURES,
 * `reportBatchItemFailures`); otherwise a batch with a failed record fails the invocation, so that a trigger without
 * ReportBatchItemFailures (the console's default) retries it rather than taking the partial answer as success.
 * Everything long-lived (config, clients, logger) is made once by {@link createHandler}'s caller and shared by every
 * invocation of the container.
 */

import { performance } from 'node:perf_hooks';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, DynamoDBRecord } from 'aws-lambda';
import {
  BlockedByEarlierFailureError,
  InvalidEventError,
  ReplicationFailedError,
  ReplicationLoopError,
  recordFailuresOf,
} from '../replicator/errors';
import { type BatchOutcome, type Replication, replicateBatch } from '../replicator/replicate';
import type { Slave } from '../replicator/slave';
import type { StreamRecord } from '../replicator/types';
import { BATCH_WRITE_RECHECK_MS } from '../shared/batchWriteAccess';
import { startBudget } from '../shared/budget';
import { sourceTableArnOf } from '../shared/tableRef';
import { sameTarget } from '../shared/targetChecks';
import { publishBatchMetrics } from './metrics';
import { type SkippedFailure, TriggerWatch } from './triggerWatch';

/** Service name in every log line, unless POWERTOOLS_SERVICE_NAME names another (or a library user's logger). */
export const SERVICE_NAME = 'dynamo-replicator';

/**
 * Milliseconds a batch may take when the caller gives no Lambda context to read the remaining time from (the
 * library's handler or process() called without one): retries stop after this.
 */
export const DEFAULT_BUDGET_MS = 60_000;

/** Lambda's partial batch response. */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** Whether the handler answers with partial batch responses, and the setting that says so, as messages name it. */
export interface PartialResponses {
  /** True only when the trigger has ReportBatchItemFailures on. */
  readonly enabled: boolean;
  /** `REPORT_BATCH_ITEM_FAILURES` (the zip) or `reportBatchItemFailures` (the library). */
  readonly setting: string;
}

/** What the handler is built from. */
export interface HandlerDependencies {
  readonly replication: Replication;
  readonly logger: Logger;
  /** One Metrics per slave, in the order of `replication.slaves`; no metrics when absent. */
  readonly metrics?: readonly Metrics[];
  readonly partialResponses: PartialResponses;
}

/**
 * The Lambda handler for a DynamoDB Streams trigger. Lambda always gives the context; a caller without one (a
 * library user's own wrapper) gets {@link DEFAULT_BUDGET_MS}.
 */
export type ReplicatorHandler = (event: unknown, context?: Context) => Promise<BatchResponse>;

/** Whether `context` is a Lambda context the handler can read its remaining time from. */
function isUsable(context: Context | undefined): context is Context {
  return typeof context?.getRemainingTimeInMillis === 'function';
}

/** A replicated event: its records, and what happened to them. */
export interface EventOutcome {
  readonly records: readonly StreamRecord[];
  readonly outcome: BatchOutcome;
}

function recordsOf(event: unknown): StreamRecord[] {
  const records = typeof event === 'object' && event !== null ? (event as { Records?: unknown }).Records : undefined;
  if (!Array.isArray(records)) {
    throw new InvalidEventError(
      'event has no Records array: this function must be triggered by a DynamoDB stream (event source mapping)',
    );
  }
  return records as StreamRecord[];
}

/** Refuses a stream that comes from one of the slaves: replicating a table onto itself is a misconfiguration. */
function refuseLoops(records: readonly StreamRecord[], slaves: readonly Slave[]): void {
  const sources = new Set(records.map((record) => record?.eventSourceARN).filter((arn) => typeof arn === 'string'));
  for (const arn of sources) {
    const source = sourceTableArnOf(arn as string);
    const slave = source && slaves.find((s) => sameTarget(s.target, source));
    if (slave) {
      throw new ReplicationLoopError(
        `the trigger's stream (${arn}) belongs to the slave table ${slave.name} itself: a table cannot replicate onto itself; attach the master table's stream, or correct SLAVE_REGION/SLAVE_TABLE`,
      );
    }
  }
}

function logFailures(logger: Logger, outcome: BatchOutcome): void {
  for (const [record, error] of outcome.failures) {
    const level = error instanceof BlockedByEarlierFailureError ? 'warn' : 'error';
    logger[level]('record not replicated', {
      sequenceNumber: record?.dynamodb?.SequenceNumber,
      eventName: record?.eventName,
      keys: record?.dynamodb?.Keys,
      errorName: error.name,
      reason: error.message,
    });
  }
}

/**
 * The one warning per container and slave that BatchWriteItem is denied (the original package's policy): the
 * replica stays exact, written item by item, so nothing else would tell the user what the missing action costs.
 */
function warnOfDenials(logger: Logger, outcome: BatchOutcome): void {
  for (const { slave, batchWriteDenial } of outcome.slaves) {
    if (!batchWriteDenial) continue;
    const { action, resource, answer } = batchWriteDenial;
    logger.warn(
      `${action} is denied on ${resource}: writing slave ${slave} with one request per item instead of one per 25 (PutItem and DeleteItem); add ${action} to the function's role for the fast path, which is tried again every ${BATCH_WRITE_RECHECK_MS / 60_000} minutes`,
      { slave, missingAction: action, resource, answer },
    );
  }
}

/**
 * Checks the event and replicates its records within the context's remaining time (or {@link DEFAULT_BUDGET_MS}
 * without a usable context), warning once of a denied BatchWriteItem: the handler's work before it reports, shared
 * with the library's process().
 */
export async function replicateEvent(
  event: unknown,
  replication: Replication,
  logger: Logger,
  context?: Context,
): Promise<EventOutcome> {
  const records = recordsOf(event);
  refuseLoops(records, replication.slaves);
  const remainingMs = isUsable(context) ? context.getRemainingTimeInMillis() : DEFAULT_BUDGET_MS;
  const started = performance.now();
  const budget = startBudget(remainingMs);
  try {
    const outcome = await replicateBatch(records, replication, budget);
    warnOfDenials(logger, outcome);
    const overrunMs = performance.now() - started - remainingMs;
    if (overrunMs > 0) logOverrun(logger, overrunMs);
    return { records, outcome };
  } finally {
    budget.dispose();
  }
}

/**
 * The ERROR for an invocation that ended after Lambda's deadline: its process was stopped or starved past it (on
 * Managed Instances a timed-out invocation runs on). Lambda has already timed it out and delivers the batch again.
 */
function logOverrun(logger: Logger, overrunMs: number): void {
  logger.error(
    "this invocation ended after Lambda's deadline, which has timed it out and delivers its batch again: its process was stopped or starved. It sent no request after its cutoff (the deadline less the reserve); a write already in flight then could land after the retry's and leave an older image. If this repeats, give the function more CPU (memory) or fewer concurrent invocations per execution environment, and check the slave with dynamo-replicator verify",
    { overrunMs: Math.round(overrunMs) },
  );
}

/** The error that fails an invocation with failed records when the trigger is not declared to honour partial answers. */
function wholeBatchError(records: readonly StreamRecord[], outcome: BatchOutcome, setting: string): Error {
  return new ReplicationFailedError(
    recordFailuresOf(outcome.failures),
    records.length,
    `The invocation fails so that Lambda retries the whole batch (the records written are written again, harmlessly); to retry only the failed records, turn on ReportBatchItemFailures on the trigger and set ${setting} to true`,
  );
}

/** The ERROR for changes reported failed that the trigger moved past (see ./triggerWatch.ts). */
function logSkippedFailures(logger: Logger, skipped: readonly SkippedFailure[], setting: string): void {
  logger.error(
    `changes this function reported failed were not delivered again: a later change of the same item came without them. ${setting}=true says the trigger has ReportBatchItemFailures on: turn it on, or set ${setting} to false so that a failed record fails the whole invocation; if it is on, the trigger's retry or record-age limit gave up on the batch (see its on-failure destination). The slave may miss these changes: run dynamo-replicator verify --repair`,
    { setting, trigger: 'ReportBatchItemFailures', count: skipped.length, skipped },
  );
}

/** Builds the handler from long-lived parts, so tests can hand it mocked clients. */
export function createHandler({
  replication,
  logger,
  metrics = [],
  partialResponses,
}: HandlerDependencies): ReplicatorHandler {
  const watch = partialResponses.enabled ? new TriggerWatch() : undefined;
  return async (event, context) => {
    if (isUsable(context)) logger.addContext(context);
    const started = Date.now();
    const { records, outcome } = await replicateEvent(event, replication, logger, context);
    logFailures(logger, outcome);
    logger.info('batch replicated', {
      records: records.length,
      puts: outcome.puts,
      deletes: outcome.deletes,
      fetchedFromMaster: outcome.fetched,
      skipped: outcome.skipped,
      failures: outcome.failures.size,
      durationMs: Date.now() - started,
      slaves: outcome.slaves.map(({ batchWriteDenial: _warnedOf, ...summary }) => summary),
    });
    const skipped = watch?.check(records) ?? [];
    if (skipped.length > 0) logSkippedFailures(logger, skipped, partialResponses.setting);
    if (records.length === 0) return { batchItemFailures: [] };
    publishBatchMetrics(metrics, records, outcome, Date.now(), skipped.length);
    if (outcome.failures.size === 0) return { batchItemFailures: [] };
    if (!partialResponses.enabled) throw wholeBatchError(records, outcome, partialResponses.setting);
    watch?.remember(outcome.failures.keys());

    const unreportable = [...outcome.failures.keys()].filter((record) => !record?.dynamodb?.SequenceNumber);
    if (unreportable.length > 0) {
      // Lambda identifies failed records by sequence number only; without one, the only safe answer is to fail the
      // whole invocation so that Lambda retries the batch (the writes that succeeded are idempotent).
      throw new InvalidEventError(
        `${unreportable.length} failed record(s) have no dynamodb.SequenceNumber, so they cannot be reported individually; failing the whole batch so that Lambda retries it`,
      );
    }
    // The verdicts are already made: replicateBatch decided every record's outcome for the batch as a whole, because
    // records must not be processed one by one in parallel (an item's changes apply in stream order, and a failed
    // change holds back the item's later ones). Powertools is kept for its response shape and its partial-failure
    // contract (e.g. FullBatchFailureError when every record failed, so Lambda retries the whole batch); its record
    // handler only replays each record's verdict.
    // Powertools is typed with @types/aws-lambda's record, whose B/BS are not what arrives; the objects are ours.
    const failures = outcome.failures as ReadonlyMap<unknown, Error>;
    const processor = new BatchProcessor(EventType.DynamoDBStreams);
    return processPartialResponse(
      { Records: records as unknown as DynamoDBRecord[] },
      async (record: DynamoDBRecord) => {
        const error = failures.get(record);
        if (error) throw error;
      },
      processor,
      isUsable(context) ? { context } : {},
    ) as Promise<BatchResponse>;
  };
}
