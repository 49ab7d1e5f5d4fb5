/**
 * The one batched write path: how up to 25 item writes reach a table, for the function, the library and the tools
 * alike. It is the only code that sends BatchWriteItem; each side gives it a {@link WritePolicy} (how a call is
 * retried, what an unfixable error means) and gets back which items failed and why.
 *
 * - A chunk goes out as one BatchWriteItem; `UnprocessedItems` (throttling) are sent again by the side's retry loop.
 * - DynamoDB rejects a whole call for one invalid item (too large, wrong key type, …): that call's items are then
 *   written one by one, so only the bad item fails, with DynamoDB's message, and its batch-mates land.
 * - A role without `dynamodb:BatchWriteItem` (the original npm package's policy grants PutItem and DeleteItem only)
 *   gets its items written one by one with PutItem and DeleteItem; ./batchWriteAccess.ts keeps the denied call from
 *   being sent with every chunk, and the first denial is reported once (`WriteResult.batchWriteDenial`).
 * - Any other error retrying cannot fix fails the chunk's items with the policy's message, or stops the caller when
 *   the policy says so (the tools, for a missing table or permission).
 * Single writes run side by side; the client's socket pool bounds how many are in flight.
 */
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { ACCESS_DENIED, asAwsError, describe } from './awsErrors';
import { entryOf } from './batchLimits';
import { BatchWriteAccess } from './batchWriteAccess';
import { type Budget, guardCommand } from './budget';
import type { Item } from './item';
import { itemKeyOf, pickKey } from './key';
import type { RetryOutcome } from './retry';

/** A write a table can apply: put this item, or delete the item with this key (`itemKey`: its identity). */
export type WriteChange =
  | { readonly kind: 'put'; readonly itemKey: string; readonly key: Item; readonly item: Item }
  | { readonly kind: 'delete'; readonly itemKey: string; readonly key: Item };

/** The DynamoDB actions of the write path, as errors and messages name them. */
export type WriteAction = 'BatchWriteItem' | 'PutItem' | 'DeleteItem';

/** BatchWriteItem was denied, so the items go out one by one: what the one warning says. */
export interface BatchWriteDenial {
  /** The IAM action the role lacks. */
  readonly action: 'dynamodb:BatchWriteItem';
  /** The table's ARN as DynamoDB's message names it, else `table T in region R`. */
  readonly resource: string;
  /** DynamoDB's answer, `Name: message`. */
  readonly answer: string;
}

/** Why one item was not written. */
export interface WriteFailure {
  /** What to tell the user. */
  readonly reason: string;
  /** DynamoDB's error, when there was one. */
  readonly cause?: unknown;
}

/** What writing chunks did; one per session (a batch of the function, a page of the tools). */
export interface WriteResult {
  /** Failed items by item key; an item not here was written. */
  readonly failures: Map<string, WriteFailure>;
  /** Requests sent (BatchWriteItem calls, and single writes). */
  requests: number;
  /** Calls sent again after throttling, unprocessed items or a transient error. */
  retries: number;
  /** PutItem and DeleteItem calls among `requests`. */
  singleWrites: number;
  /** Set in the one result, per writer, whose call found BatchWriteItem denied. */
  batchWriteDenial?: BatchWriteDenial;
}

/** How a side retries and explains: the function within its invocation's budget, the tools a fixed number of times. */
export interface WritePolicy {
  /** Sends one logical call until `attempt` answers true, retrying transient errors and what it answers instead. */
  run(attempt: () => Promise<true | string>, onRetry: () => void): Promise<RetryOutcome>;
  /** Aborts calls in flight (the invocation's budget, the run's Ctrl-C). */
  readonly signal?: AbortSignal;
  /** The invocation's budget: no attempt is sent once it is spent ({@link guardCommand}). The tools have none. */
  readonly budget?: Budget;
  /** The reason for items still unwritten when the retry loop ran out; `lastAnswer` says what kept it retrying. */
  ranOut(lastAnswer: string): string;
  /** The reason items fail with for an error retrying cannot fix. */
  explain(error: unknown, action: WriteAction): string;
  /** An error to throw instead, stopping the caller (the tools' missing table or permission); none by default. */
  stop?(error: unknown, action: WriteAction): Error | undefined;
}

/** Error names for which DynamoDB rejected the whole call because of its content: isolate the culprit. */
const REJECTED_CALL = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

/**
 * Whether an error says the role may not make the call: AccessDeniedException, or UnrecognizedClientException, which
 * DynamoDB also answers for an action the caller's policy does not grant. Not a role that could not be assumed (STS's
 * AccessDenied for sts:AssumeRole): no DynamoDB call would go through then.
 */
function isDenied(error: unknown): boolean {
  const { name = '', message = '' } = asAwsError(error);
  return (ACCESS_DENIED.has(name) || name === 'UnrecognizedClientException') && !message.includes('sts:AssumeRole');
}

/** Turns one pending change into the write request BatchWriteItem takes. */
function toWriteRequest(change: WriteChange): WriteRequest {
  return change.kind === 'put' ? { PutRequest: { Item: change.item } } : { DeleteRequest: { Key: change.key } };
}

/** A new, empty result. */
export function emptyWriteResult(): WriteResult {
  return { failures: new Map(), requests: 0, retries: 0, singleWrites: 0 };
}

/** Writes chunks of changes to one table; made once per table and kept, so what it learns of the role lasts. */
export class BatchWriter {
  public constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly region: string,
    private readonly batchWrites: BatchWriteAccess = new BatchWriteAccess(),
  ) {}

  /** Writes one chunk of up to 25 changes (at most one per item): as one BatchWriteItem, or item by item. */
  public async write(chunk: readonly WriteChange[], policy: WritePolicy, result: WriteResult): Promise<void> {
    const route = await this.batchWrites.route();
    if (route === 'single') return this.writeOneByOne(chunk, policy, result);
    let pending = chunk;
    let outcome: RetryOutcome;
    try {
      outcome = await policy.run(
        async () => {
          result.requests += 1;
          const output = await this.client.send(
            guardCommand(
              new BatchWriteItemCommand({ RequestItems: { [this.table]: pending.map(toWriteRequest) } }),
              policy.budget,
            ),
            { abortSignal: policy.signal },
          );
          this.batchWrites.allowed();
          pending = stillPending(pending, entryOf(output.UnprocessedItems, this.table) ?? []);
          return pending.length === 0 || 'UnprocessedItems (throttled)';
        },
        () => (result.retries += 1),
      );
    } finally {
      if (route === 'probe') this.batchWrites.settle();
    }
    if (outcome.ended === 'done') return;
    if (outcome.ended === 'outOfTime') {
      fail(pending, result, policy.ranOut(outcome.lastAnswer), outcome.error);
    } else if (isDenied(outcome.error)) {
      if (this.batchWrites.denied()) result.batchWriteDenial = this.denialOf(outcome.error);
      await this.writeOneByOne(pending, policy, result);
    } else if (REJECTED_CALL.has(asAwsError(outcome.error).name ?? '')) {
      this.batchWrites.allowed();
      if (pending.length > 1) await this.writeOneByOne(pending, policy, result);
      else this.failOrStop(pending, result, policy, outcome.error, 'BatchWriteItem');
    } else {
      this.failOrStop(pending, result, policy, outcome.error, 'BatchWriteItem');
    }
  }

  /** Writes each change with its own call, so one invalid item fails alone. */
  private async writeOneByOne(changes: readonly WriteChange[], policy: WritePolicy, result: WriteResult) {
    await Promise.all(changes.map((change) => this.writeSingle(change, policy, result)));
  }

  private async writeSingle(change: WriteChange, policy: WritePolicy, result: WriteResult): Promise<void> {
    const options = { abortSignal: policy.signal };
    const TableName = this.table;
    const action: WriteAction = change.kind === 'put' ? 'PutItem' : 'DeleteItem';
    const outcome = await policy.run(
      async () => {
        result.requests += 1;
        result.singleWrites += 1;
        if (change.kind === 'put')
          await this.client.send(
            guardCommand(new PutItemCommand({ TableName, Item: change.item }), policy.budget),
            options,
          );
        else
          await this.client.send(
            guardCommand(new DeleteItemCommand({ TableName, Key: change.key }), policy.budget),
            options,
          );
        return true;
      },
      () => (result.retries += 1),
    );
    if (outcome.ended === 'outOfTime') fail([change], result, policy.ranOut(outcome.lastAnswer), outcome.error);
    else if (outcome.ended === 'failed') this.failOrStop([change], result, policy, outcome.error, action);
  }

  /** Fails `changes` with the policy's reason, or throws the error the policy stops on. */
  private failOrStop(
    changes: readonly WriteChange[],
    result: WriteResult,
    policy: WritePolicy,
    error: unknown,
    action: WriteAction,
  ): void {
    const stop = policy.stop?.(error, action);
    if (stop) throw stop;
    fail(changes, result, policy.explain(error, action), error);
  }

  /** The one warning's content: the action, the table's ARN where DynamoDB's message names it, the answer. */
  private denialOf(error: unknown): BatchWriteDenial {
    const { message = '' } = asAwsError(error);
    const arn = /\bon resource: (arn:\S+?)(?=[\s,;]|$)/.exec(message)?.[1];
    return {
      action: 'dynamodb:BatchWriteItem',
      resource: arn ?? `table ${this.table} in region ${this.region}`,
      answer: describe(error),
    };
  }
}

function fail(changes: readonly WriteChange[], result: WriteResult, reason: string, cause?: unknown): void {
  for (const change of changes) result.failures.set(change.itemKey, { reason, cause });
}

/** The changes among `pending` whose writes came back in `UnprocessedItems`. */
function stillPending(pending: readonly WriteChange[], unprocessed: readonly WriteRequest[]): WriteChange[] {
  if (unprocessed.length === 0) return [];
  const keyNames = Object.keys((pending[0] as WriteChange).key);
  const left = new Set(
    unprocessed.map((request) =>
      itemKeyOf(request.DeleteRequest?.Key ?? pickKey(request.PutRequest?.Item ?? {}, keyNames)),
    ),
  );
  return pending.filter((change) => left.has(change.itemKey));
}
