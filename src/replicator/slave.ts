/**
 * Writing planned changes to one slave table: the only I/O on the write path, through the one batched write path
 * (src/shared/batchWriter.ts: 25 writes per BatchWriteItem, a rejected call's items isolated one by one, a role
 * without BatchWriteItem written item by item).
 *
 * Every item's final state goes out as BatchWriteItem calls, all in flight together (bounded by the configured
 * concurrency), so a batch costs about one round trip to the slave's region. The function's policy on top of it:
 * - `UnprocessedItems` (throttling) and transient errors are retried with capped exponential backoff and full
 *   jitter, as long as the invocation's time budget allows; what is left is reported failed, item by item.
 * - Errors that retrying cannot fix (table missing, access denied to the single writes too) fail the call's items
 *   with a message that says what to change.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { accessDeniedMessage, asAwsError, describe, missingTableMessage } from '../shared/awsErrors';
import { BATCH_WRITE_LIMIT } from '../shared/batchLimits';
import type { BatchWriteAccess } from '../shared/batchWriteAccess';
import { type BatchWriteDenial, BatchWriter, emptyWriteResult, type WritePolicy } from '../shared/batchWriter';
import type { Budget } from '../shared/budget';
import { Limiter } from '../shared/limiter';
import { DEFAULT_RETRY, type RetryOptions, retryWithinBudget } from '../shared/retry';
import { formatTableRef } from '../shared/tableRef';
import { SlaveWriteError } from './errors';
import type { SlaveTarget, WriteChange } from './types';

export type { BatchWriteDenial } from '../shared/batchWriter';
export type { RetryOptions } from '../shared/retry';

/** What writing a set of changes to a slave did. */
export interface SlaveResult {
  /** Failed items by item key; an item not here was written. */
  readonly failures: Map<string, SlaveWriteError>;
  /** Requests sent (BatchWriteItem calls, and single writes). */
  requests: number;
  /** Calls sent again after throttling, unprocessed items or a transient error. */
  retries: number;
  /** PutItem and DeleteItem calls among `requests` (BatchWriteItem denied, or an item DynamoDB rejected isolated). */
  singleWrites: number;
  /** Set in the one result, per container, whose call found BatchWriteItem denied on this slave. */
  batchWriteDenial?: BatchWriteDenial;
}

/** Changes being written to one slave: add them one by one, then wait for the outcome. */
export interface SlaveWriteSession {
  /** Adds one change (at most one per item per session); sends a BatchWriteItem whenever 25 are waiting. */
  add(change: WriteChange): void;
  /** Sends what is left and resolves when every write has succeeded or failed. */
  finish(): Promise<SlaveResult>;
}

/** A slave table, and how to write changes to it. */
export class Slave {
  /** `region/table`, or the table's ARN when it is given by one: as logs, metrics and errors name the slave. */
  public readonly name: string;
  /** The slave's one writer, kept for the container's life (it remembers the role's BatchWriteItem permission). */
  private readonly writer: BatchWriter;

  public constructor(
    client: DynamoDBClient,
    public readonly target: SlaveTarget,
    private readonly concurrency: number,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
    batchWrites?: BatchWriteAccess,
  ) {
    this.name = formatTableRef(target);
    this.writer = new BatchWriter(client, target.table, target.region, batchWrites);
  }

  /**
   * Starts writing changes as they come: every 25 added go out as one BatchWriteItem at once (up to the
   * concurrency limit), so the first writes are on their way while the caller still plans the rest.
   */
  public startWriting(budget: Budget): SlaveWriteSession {
    const written = emptyWriteResult();
    const policy = this.policyWithin(budget);
    const queue = new Limiter(this.concurrency);
    let chunk: WriteChange[] = [];
    const send = (): void => {
      const full = chunk;
      chunk = [];
      queue.push(() =>
        this.writer.write(full, policy, written).catch((error: unknown) => {
          for (const change of full) written.failures.set(change.itemKey, { reason: describe(error), cause: error });
        }),
      );
    };
    return {
      add: (change) => {
        chunk.push(change);
        if (chunk.length === BATCH_WRITE_LIMIT) send();
      },
      finish: async () => {
        if (chunk.length > 0) send();
        await queue.drained();
        const failures = new Map<string, SlaveWriteError>();
        for (const [itemKey, { reason, cause }] of written.failures) {
          failures.set(itemKey, new SlaveWriteError(this.name, reason, { cause }));
        }
        return { ...written, failures };
      },
    };
  }

  /** The function's policy: retries within the invocation's budget, failures explained for the function's role. */
  private policyWithin(budget: Budget): WritePolicy {
    return {
      run: (attempt, onRetry) => retryWithinBudget(budget, this.retry, attempt, onRetry),
      signal: budget.signal,
      budget,
      ranOut: (lastAnswer) => `not written before the invocation's time budget ran out; last answer: ${lastAnswer}`,
      explain: (error) => this.explain(error),
    };
  }

  /** A message for an error retrying cannot fix, saying what to change where we know. */
  private explain(error: unknown): string {
    const { name = 'Error' } = asAwsError(error);
    const { region, table } = this.target;
    switch (name) {
      case 'ResourceNotFoundException':
        return missingTableMessage(
          {
            side: 'slave',
            table,
            region,
            fix:
              "create it with the master's key schema (dynamo-replicator create-slave), or correct the slave's table " +
              "and region (SLAVE_TABLE/SLAVE_REGION, SLAVES, or createReplicator's slaves)",
          },
          error,
        );
      case 'AccessDeniedException':
      case 'UnrecognizedClientException':
        return accessDeniedMessage(
          {
            who: "the function's role",
            needs: 'dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem',
            on: `table ${table} in ${region}`,
          },
          error,
        );
      default:
        return describe(error);
    }
  }
}
