/**
 * The replicator as a library: the same replication as the zip (planning, per-item order, hooks, retries within a
 * time budget) for users who write their own Lambda entry, as the original npm package's README told them to.
 * `handler` answers Lambda exactly as the zip does; `process` answers the original package's promise contract.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { type BatchResponse, createHandler, replicateEvent, SERVICE_NAME } from '../function/handler';
import { createReplication } from '../function/replication';
import { settingName } from '../function/settings';
import { ReplicationFailedError, recordFailuresOf } from '../replicator/errors';
import { checkOptions, type ReplicatorOptions } from './options';

export { type RecordFailure, ReplicationFailedError } from '../replicator/errors';

/**
 * What the library reads of a Lambda context: the remaining time, when there is one (Lambda's own `Context` fits).
 * Without it a batch gets 60 seconds.
 */
export interface LambdaContext {
  getRemainingTimeInMillis?(): number;
}

/** A replicator: made once per container (its clients are reused), called once per batch. */
export interface Replicator {
  /**
   * A Lambda handler for the master's stream trigger, answering as the zip's does: with `reportBatchItemFailures`
   * (and ReportBatchItemFailures on the trigger) `{ batchItemFailures }`; without, a batch with a failed record fails
   * the invocation, after everything else was written, so that Lambda retries it.
   */
  handler(event: unknown, context?: LambdaContext): Promise<BatchResponse>;
  /**
   * Replicates the event's records: resolves when every record is on every slave; rejects with a
   * {@link ReplicationFailedError} naming the records not replicated, after writing everything it could (so the
   * original wrapper's `context.fail` makes Lambda retry the whole batch, which is idempotent). A replicator made by
   * the original factory (`require('dynamo-replicator')(options)`) throws a `LegacyHandlerError` instead, at once
   * and writing nothing, on a runtime without context.succeed/fail/done (nodejs24.x and later, Managed Instances).
   */
  process(event: unknown, context?: LambdaContext): Promise<void>;
}

/**
 * Creates a replicator: checks `options` whole (throwing one ConfigError that lists every problem) and creates its
 * clients once, with the function's settings.
 */
export function createReplicator(options: ReplicatorOptions): Replicator {
  const { config, hooks, logger } = checkOptions(options);
  const replication = createReplication(config, {
    ...(hooks ? { hooks } : {}),
    excludeSetting: settingName('excludeAttributes', 'options'),
  });
  const log = logger ?? new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME });
  const handler = createHandler({
    replication,
    logger: log,
    partialResponses: {
      enabled: config.reportBatchItemFailures,
      setting: settingName('reportBatchItemFailures', 'options'),
    },
  });
  const replicate = async (event: unknown, context: LambdaContext | undefined): Promise<void> => {
    const { records, outcome } = await replicateEvent(event, replication, log, context as Context | undefined);
    if (outcome.failures.size > 0) throw new ReplicationFailedError(recordFailuresOf(outcome.failures), records.length);
  };
  return {
    // A context without getRemainingTimeInMillis is not used: the handler then takes its default budget.
    handler: (event, context) => handler(event, context as Context | undefined),
    process: (event, context) => replicate(event, context),
  };
}
