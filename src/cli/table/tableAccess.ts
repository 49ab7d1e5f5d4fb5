/**
 * Every DynamoDB call the tools make on one table, with the retrying and error translation around it.
 *
 * - Transient errors (throttling, 5xx, dropped connections) are retried here (the SDK makes one attempt), with
 *   exponential backoff and full jitter up to 20 s, so a throttled production table slows the run down instead of
 *   failing it: the shared retry policy of src/shared/retry.ts, which also states the most requests a call sends.
 * - `UnprocessedKeys` of BatchGetItem are sent again with the same backoff; puts go through the one batched write
 *   path (src/shared/batchWriter.ts: `UnprocessedItems` sent again, a rejected call's items one by one, item by item
 *   where BatchWriteItem is denied), with the same retry policy.
 * - Errors no retry can fix (missing table, missing permission, rejected credentials, unreachable endpoint) become a
 *   `ToolError` naming the table, region and IAM action; they stop the run.
 * - Everything else (an item DynamoDB rejects) is thrown as is, for the caller to count against that item.
 * Read capacity DynamoDB reports is charged to the read pacer (`--max-rcu`), and each read waits while the reads
 * before it have used more than the cap allows so far.
 */
import {
  BatchGetItemCommand,
  type ConsumedCapacity,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type KeysAndAttributes,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, isConditionFailed } from '../../shared/awsErrors';
import { BATCH_GET_LIMIT, BATCH_WRITE_LIMIT, chunk, entryOf } from '../../shared/batchLimits';
import { BatchWriter, emptyWriteResult, type WriteChange, type WriteFailure } from '../../shared/batchWriter';
import type { Item } from '../../shared/item';
import { itemKeyOf, pickKey } from '../../shared/key';
import { backoff, PATIENT_RETRY, type PatientRetryOptions, retryCounted, retryPatiently } from '../../shared/retry';
import type { TableRef } from '../../shared/tableRef';
import { type CallSite, fatalAwsError } from '../errors';
import { absentCondition, unchangedCondition } from './conditions';
import type { Pacer } from './rateLimiter';
import { type KeySchema, keyNames, type TableInfo, tableInfoFrom } from './tableInfo';

/** The run was interrupted (Ctrl-C) while a call waited to be retried; the work it belonged to is not done. */
export class InterruptedError extends Error {
  public constructor() {
    super('interrupted');
    this.name = 'InterruptedError';
  }
}

/** One page of a Scan. */
export interface ScanPage {
  readonly items: Item[];
  /** Where the next page starts; undefined after the last page of the segment. */
  readonly lastKey?: Item;
}

/** What a Scan request reads. */
export interface ScanRequest {
  readonly segment: number;
  readonly totalSegments: number;
  readonly startKey?: Item;
  readonly limit: number;
  /** Read only the key attributes (cheaper to transfer; DynamoDB still charges by item size). */
  readonly keysOnly?: boolean;
  readonly consistent?: boolean;
}

/** Outcome of a conditional write. */
export type ConditionalOutcome = 'written' | 'conflict';

function consumed(capacity: ConsumedCapacity | ConsumedCapacity[] | undefined): number {
  if (!capacity) return 0;
  const list = Array.isArray(capacity) ? capacity : [capacity];
  return list.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** Names of key attributes as a projection (placeholders, so reserved words work). */
function keyProjection(names: readonly string[]): {
  ProjectionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
} {
  const placeholders: Record<string, string> = {};
  names.forEach((name, index) => {
    placeholders[`#p${index}`] = name;
  });
  return { ProjectionExpression: Object.keys(placeholders).join(', '), ExpressionAttributeNames: placeholders };
}

/** DynamoDB access to one table. */
export class TableAccess {
  private schema: KeySchema | undefined;
  /** The table's one batched writer, kept for the run (it remembers whether BatchWriteItem is allowed). */
  private readonly writer: BatchWriter;

  public constructor(
    public readonly ref: TableRef,
    private readonly client: DynamoDBClient,
    /** The pacing, retries and cancellation of the calls, and the call site their stopping errors name. */
    private readonly options: CallSite & {
      readonly readPacer?: Pacer;
      readonly signal?: AbortSignal;
      readonly retry?: PatientRetryOptions;
    } = {},
  ) {
    this.writer = new BatchWriter(client, ref.table, ref.region);
  }

  /** Key schema learnt by `describe()`; the data calls need it. */
  public get keySchema(): KeySchema {
    if (!this.schema) throw new Error(`describe() ${this.ref.table} first`);
    return this.schema;
  }

  /** DescribeTable: key schema and approximate item count. */
  public async describe(): Promise<TableInfo> {
    const output = await this.call('DescribeTable', () =>
      this.client.send(new DescribeTableCommand({ TableName: this.ref.table })),
    );
    const info = tableInfoFrom(output.Table, this.ref);
    this.schema = info.keySchema;
    return info;
  }

  /** One page of one scan segment. */
  public async scanPage(request: ScanRequest): Promise<ScanPage> {
    await this.readTurn();
    const output = await this.call('Scan', () =>
      this.client.send(
        new ScanCommand({
          TableName: this.ref.table,
          Segment: request.segment,
          TotalSegments: request.totalSegments,
          ExclusiveStartKey: request.startKey,
          Limit: request.limit,
          ConsistentRead: request.consistent ?? false,
          ReturnConsumedCapacity: 'TOTAL',
          ...(request.keysOnly ? keyProjection(keyNames(this.keySchema)) : {}),
        }),
      ),
    );
    this.options.readPacer?.charge(consumed(output.ConsumedCapacity));
    return { items: output.Items ?? [], lastKey: output.LastEvaluatedKey };
  }

  /**
   * The items with these keys that exist, as a map from item identity (`itemKeyOf`) to item. `keysOnly` reads only
   * the key attributes (to learn presence). Keys are sent 100 per call, `UnprocessedKeys` again after backoff.
   */
  public async batchGet(
    keys: readonly Item[],
    options: { consistent: boolean; keysOnly?: boolean },
  ): Promise<Map<string, Item>> {
    const found = new Map<string, Item>();
    const unique = new Map(keys.map((key) => [itemKeyOf(key), key]));
    await Promise.all(
      chunk([...unique.values()], BATCH_GET_LIMIT).map(async (keysOfCall) => {
        let request: KeysAndAttributes | undefined = {
          Keys: keysOfCall,
          ConsistentRead: options.consistent,
          ...(options.keysOnly ? keyProjection(keyNames(this.keySchema)) : {}),
        };
        for (let round = 0; request?.Keys && request.Keys.length > 0; round += 1) {
          if (round > 0) await this.backoff(round);
          await this.readTurn();
          const current: KeysAndAttributes = request;
          const output = await this.call('BatchGetItem', () =>
            this.client.send(
              new BatchGetItemCommand({ RequestItems: { [this.ref.table]: current }, ReturnConsumedCapacity: 'TOTAL' }),
            ),
          );
          this.options.readPacer?.charge(consumed(output.ConsumedCapacity));
          for (const item of entryOf(output.Responses, this.ref.table) ?? [])
            found.set(itemKeyOf(pickKey(item, keyNames(this.keySchema))), item);
          request = entryOf(output.UnprocessedKeys, this.ref.table);
        }
      }),
    );
    return found;
  }

  /** The item with this key, read with a strongly consistent GetItem; undefined when there is none. */
  public async get(key: Item): Promise<Item | undefined> {
    await this.readTurn();
    const output = await this.call('GetItem', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.ref.table,
          Key: key,
          ConsistentRead: true,
          ReturnConsumedCapacity: 'TOTAL',
        }),
      ),
    );
    this.options.readPacer?.charge(consumed(output.ConsumedCapacity));
    return output.Item;
  }

  /** PutItem only where the table has no item with this key: 'conflict' means it already has one. */
  public async putIfAbsent(item: Item): Promise<ConditionalOutcome> {
    return this.conditional('PutItem', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.ref.table,
          Item: item,
          ...absentCondition(this.keySchema.partitionKey.name),
        }),
      ),
    );
  }

  /** PutItem only while the table's item still equals `snapshot`: 'conflict' means it changed meanwhile. */
  public async putIfUnchanged(item: Item, snapshot: Item): Promise<ConditionalOutcome> {
    const condition = unchangedCondition(snapshot, keyNames(this.keySchema), Object.keys(item));
    return this.conditional('PutItem', () =>
      this.client.send(new PutItemCommand({ TableName: this.ref.table, Item: item, ...condition })),
    );
  }

  /** DeleteItem only while the table's item still equals `snapshot`: 'conflict' means it changed meanwhile. */
  public async deleteIfUnchanged(snapshot: Item): Promise<ConditionalOutcome> {
    const condition = unchangedCondition(snapshot, keyNames(this.keySchema));
    return this.conditional('DeleteItem', () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.ref.table,
          Key: pickKey(snapshot, keyNames(this.keySchema)),
          ...condition,
        }),
      ),
    );
  }

  /**
   * Unconditional puts of up to 25 items through the one batched write path. Resolves with the items that were not
   * written, by item identity (`itemKeyOf` of the key), and why: one DynamoDB rejects (isolated from its batch-mates),
   * or one still unprocessed or failing after the retries. A missing table, permission or credentials stops the run
   * (ToolError), as for every other call.
   */
  public async batchPut(items: readonly Item[]): Promise<Map<string, WriteFailure>> {
    if (items.length > BATCH_WRITE_LIMIT) throw new RangeError(`at most ${BATCH_WRITE_LIMIT} items per BatchWriteItem`);
    const names = keyNames(this.keySchema);
    const changes = items.map((item): WriteChange => {
      const key = pickKey(item, names);
      return { kind: 'put', itemKey: itemKeyOf(key), key, item };
    });
    const result = emptyWriteResult();
    const retry = this.options.retry ?? PATIENT_RETRY;
    await this.writer.write(
      changes,
      {
        run: (attempt, onRetry) => retryCounted(retry.retries, (number) => this.backoff(number), attempt, onRetry),
        ranOut: (lastAnswer) => `not written after ${retry.retries} retries; last answer: ${lastAnswer}`,
        explain: (error) => describe(error),
        stop: (error, action) => fatalAwsError(error, action, this.ref, this.options),
      },
      result,
    );
    return result.failures;
  }

  /**
   * Waits while the read pacer is in debt. A read's cost is known only from its answer (it is charged then), so
   * the cap is kept by holding the next read back until the refill has paid for the previous ones.
   */
  private async readTurn(): Promise<void> {
    await this.options.readPacer?.take(0, this.options.signal);
    if (this.options.signal?.aborted) throw new InterruptedError();
  }

  private async conditional(action: string, send: () => Promise<unknown>): Promise<ConditionalOutcome> {
    try {
      await this.call(action, send);
      return 'written';
    } catch (error) {
      if (isConditionFailed(error)) return 'conflict';
      throw error;
    }
  }

  /** Runs one call: transient errors retried with backoff, fatal ones translated, others thrown as they are. */
  private call<T>(action: string, send: () => Promise<T>): Promise<T> {
    return retryPatiently(
      send,
      (this.options.retry ?? PATIENT_RETRY).retries,
      (attempt) => this.backoff(attempt),
      (error) => fatalAwsError(error, action, this.ref, this.options),
    );
  }

  /** Waits before retry `attempt` (1-based); throws InterruptedError when the run is interrupted meanwhile. */
  private async backoff(attempt: number): Promise<void> {
    await backoff(attempt, this.options.retry ?? PATIENT_RETRY, this.options.signal);
    if (this.options.signal?.aborted) throw new InterruptedError();
  }
}
