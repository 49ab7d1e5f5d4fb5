/**
 * Writing planned changes to one slave table: the only I/O on the write path.
 *
 * Every item's final state goes out as BatchWriteItem calls of up to 25 writes, all in flight together (bounded by
 * the configured concurrency), so a batch costs about one round trip to the slave's region. Around that:
 * - `UnprocessedItems` (throttling) are sent again with capped exponential backoff and full jitter, as long as the
 *   invocation's time budget allows; what is left is reported failed, item by item.
 * - DynamoDB rejects a whole BatchWriteItem for one invalid item (too large, wrong key type, …). Then that call's
 *   items are written one by one, so only the bad item fails, with DynamoDB's message, and its batch-mates land.
 * - A role without `dynamodb:BatchWriteItem` (the original package's policy grants PutItem and DeleteItem only) gets
 *   its items written one by one with PutItem and DeleteItem; ./batchWriteAccess.ts keeps the denied call from being
 *   sent with every batch, and the first denial is reported once (`SlaveResult.batchWriteDenial`).
 * - Errors that retrying cannot fix (table missing, access denied to the single writes too) fail the call's items
 *   with a message that says what to change.
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ACCESS_DENIED, asAwsError, describe } from '../shared/awsErrors';
import { BATCH_WRITE_LIMIT } from '../shared/batchLimits';
import type { Budget } from '../shared/budget';
import { itemKeyOf, pickKey } from '../shared/key';
import { Limiter } from '../shared/limiter';
import { DEFAULT_RETRY, type RetryOptions, retryWithinBudget } from '../shared/retry';
import { BatchWriteAccess } from './batchWriteAccess';
import { SlaveWriteError } from './errors';
import type { SlaveTarget, WriteChange } from './types';

export type { RetryOptions } from '../shared/retry';

/** What writing a set of changes to a slave did. */
export interface SlaveResult {
  /** Failed items by item key; an item not here was written. */
  readonly failures: Map<string, SlaveWriteError>;
  /** Requests sent (BatchWriteItem calls, and single writes while isolating a rejected call). */
  requests: number;
  /** Calls sent again after throttling, unprocessed items or a transient error. */
  retries: number;
  /** PutItem and DeleteItem calls among `requests` (BatchWriteItem denied, or an item DynamoDB rejected isolated). */
  singleWrites: number;
  /** Set in the one result, per container, whose call found BatchWriteItem denied on this slave. */
  batchWriteDenial?: BatchWriteDenial;
}

/** BatchWriteItem was denied on a slave, so its items go out one by one: what the one warning says. */
export interface BatchWriteDenial {
  /** The IAM action the role lacks. */
  readonly action: 'dynamodb:BatchWriteItem';
  /** The slave table's ARN as DynamoDB's message names it, else `table T in region R`. */
  readonly resource: string;
  /** DynamoDB's answer, `Name: message`. */
  readonly answer: string;
}

/** Changes being written to one slave: add them one by one, then wait for the outcome. */
export interface SlaveWriteSession {
  /** Adds one change (at most one per item per session); sends a BatchWriteItem whenever 25 are waiting. */
  add(change: WriteChange): void;
  /** Sends what is left and resolves when every write has succeeded or failed. */
  finish(): Promise<SlaveResult>;
}

/** Error names for which DynamoDB rejected the whole call because of its content: isolate the culprit. */
const REJECTED_CALL = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

/**
 * Whether an error says the role may not make the call: AccessDeniedException, or UnrecognizedClientException, which
 * DynamoDB also answers for an action the caller's policy does not grant.
 */
function isDenied(error: unknown): boolean {
  const { name = '' } = asAwsError(error);
  return ACCESS_DENIED.has(name) || name === 'UnrecognizedClientException';
}

/** The reason given for writes left when the time budget ends. */
function outOfTime(lastAnswer: string): string {
  return `not written before the invocation's time budget ran out; last answer: ${lastAnswer}`;
}

/** Turns one pending change into the write request BatchWriteItem takes. */
function toWriteRequest(change: WriteChange): WriteRequest {
  return change.kind === 'put' ? { PutRequest: { Item: change.item } } : { DeleteRequest: { Key: change.key } };
}

/** A slave table, and how to write changes to it. */
export class Slave {
  /** `region/table`, as logs and errors name the slave. */
  public readonly name: string;
  /** What this slave's answers showed of its BatchWriteItem permission, for the container's life. */
  private readonly batchWrites: BatchWriteAccess;

  public constructor(
    private readonly client: DynamoDBClient,
    public readonly target: SlaveTarget,
    private readonly concurrency: number,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
    batchWrites: BatchWriteAccess = new BatchWriteAccess(),
  ) {
    this.name = `${target.region}/${target.table}`;
    this.batchWrites = batchWrites;
  }

  /**
   * Starts writing changes as they come: every 25 added go out as one BatchWriteItem at once (up to the
   * concurrency limit), so the first writes are on their way while the caller still plans the rest.
   */
  public startWriting(budget: Budget): SlaveWriteSession {
    const result: SlaveResult = { failures: new Map(), requests: 0, retries: 0, singleWrites: 0 };
    const queue = new Limiter(this.concurrency);
    let chunk: WriteChange[] = [];
    const send = (): void => {
      const full = chunk;
      chunk = [];
      queue.push(() =>
        this.writeChunk(full, budget, result).catch((error: unknown) =>
          this.failAll(full, result, describe(error), error),
        ),
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
        return result;
      },
    };
  }

  /** Writes one chunk of up to 25 changes: as one BatchWriteItem, or item by item where that is denied. */
  private async writeChunk(chunk: readonly WriteChange[], budget: Budget, result: SlaveResult): Promise<void> {
    const route = await this.batchWrites.route();
    if (route === 'single') return this.writeOneByOne(chunk, budget, result);
    let pending = chunk;
    let outcome: Awaited<ReturnType<typeof retryWithinBudget>>;
    try {
      outcome = await retryWithinBudget(
        budget,
        this.retry,
        async () => {
          result.requests += 1;
          const output = await this.client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.target.table]: pending.map(toWriteRequest) } }),
            { abortSignal: budget.signal },
          );
          this.batchWrites.allowed();
          pending = this.stillPending(pending, output.UnprocessedItems?.[this.target.table] ?? []);
          return pending.length === 0 || 'UnprocessedItems (throttled)';
        },
        () => (result.retries += 1),
      );
    } finally {
      if (route === 'probe') this.batchWrites.settle();
    }
    if (outcome.ended === 'done') return;
    if (outcome.ended === 'outOfTime') {
      this.failAll(pending, result, outOfTime(outcome.lastAnswer), outcome.error);
    } else if (isDenied(outcome.error)) {
      if (this.batchWrites.denied()) result.batchWriteDenial = this.denialOf(outcome.error);
      await this.writeOneByOne(pending, budget, result);
    } else if (REJECTED_CALL.has(asAwsError(outcome.error).name ?? '')) {
      this.batchWrites.allowed();
      if (pending.length > 1) await this.writeOneByOne(pending, budget, result);
      else this.failAll(pending, result, this.explain(outcome.error), outcome.error);
    } else {
      this.failAll(pending, result, this.explain(outcome.error), outcome.error);
    }
  }

  /** The one warning's content: the action, the slave's ARN where DynamoDB's message names it, the answer. */
  private denialOf(error: unknown): BatchWriteDenial {
    const { message = '' } = asAwsError(error);
    const arn = /\bon resource: (arn:\S+?)(?=[\s,;]|$)/.exec(message)?.[1];
    return {
      action: 'dynamodb:BatchWriteItem',
      resource: arn ?? `table ${this.target.table} in region ${this.target.region}`,
      answer: describe(error),
    };
  }

  /** The changes among `pending` whose writes came back in `UnprocessedItems`. */
  private stillPending(pending: readonly WriteChange[], unprocessed: readonly WriteRequest[]): WriteChange[] {
    if (unprocessed.length === 0) return [];
    const keyNames = Object.keys((pending[0] as WriteChange).key);
    const left = new Set(
      unprocessed.map((request) =>
        itemKeyOf(request.DeleteRequest?.Key ?? pickKey(request.PutRequest?.Item ?? {}, keyNames)),
      ),
    );
    return pending.filter((change) => left.has(change.itemKey));
  }

  /** Writes each change with its own call, so one invalid item fails alone. */
  private async writeOneByOne(changes: readonly WriteChange[], budget: Budget, result: SlaveResult): Promise<void> {
    await Promise.all(changes.map((change) => this.writeSingle(change, budget, result)));
  }

  private async writeSingle(change: WriteChange, budget: Budget, result: SlaveResult): Promise<void> {
    const options = { abortSignal: budget.signal };
    const TableName = this.target.table;
    const outcome = await retryWithinBudget(
      budget,
      this.retry,
      async () => {
        result.requests += 1;
        result.singleWrites += 1;
        if (change.kind === 'put')
          await this.client.send(new PutItemCommand({ TableName, Item: change.item }), options);
        else await this.client.send(new DeleteItemCommand({ TableName, Key: change.key }), options);
        return true;
      },
      () => (result.retries += 1),
    );
    if (outcome.ended === 'outOfTime') this.failAll([change], result, outOfTime(outcome.lastAnswer), outcome.error);
    else if (outcome.ended === 'failed') this.failAll([change], result, this.explain(outcome.error), outcome.error);
  }

  private failAll(changes: readonly WriteChange[], result: SlaveResult, reason: string, cause?: unknown): void {
    for (const change of changes) {
      result.failures.set(change.itemKey, new SlaveWriteError(this.name, reason, { cause }));
    }
  }

  /** A message for an error retrying cannot fix, saying what to change where we know. */
  private explain(error: unknown): string {
    const { name = 'Error', message = '' } = asAwsError(error);
    const { region, table } = this.target;
    switch (name) {
      case 'ResourceNotFoundException':
        return `table ${table} not found in region ${region}: create it with the master's key schema, or correct SLAVE_TABLE/SLAVE_REGION (${message})`;
      case 'AccessDeniedException':
      case 'UnrecognizedClientException':
        return `access denied: the function's role needs dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem on table ${table} in ${region} (${name}: ${message})`;
      default:
        return describe(error);
    }
  }
}
