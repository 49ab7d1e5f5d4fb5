/**
 * Reading items' current state from the master, for streams that carry no new image (`KEYS_ONLY`, `OLD_IMAGE`).
 *
 * Such a record says only that an item changed. The replicator then reads the item as it is now — strongly
 * consistent, batched with BatchGetItem — and puts it on the slave, or deletes it there when the master no longer has
 * it. The slave converges to the master's latest state rather than stepping through every intermediate version;
 * per-item order still holds, because a later read can only see a later state.
 */
import { BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { accessDeniedMessage, asAwsError, describe, missingTableMessage } from '../shared/awsErrors';
import { BATCH_GET_LIMIT, chunk } from '../shared/batchLimits';
import { type Budget, guardCommand } from '../shared/budget';
import type { Item } from '../shared/item';
import { itemKeyOf, pickKey } from '../shared/key';
import { forEachLimited } from '../shared/limiter';
import { DEFAULT_RETRY, type RetryOptions, type RetryOutcome, retryWithinBudget } from '../shared/retry';
import type { TableRef } from '../shared/tableRef';
import { MasterReadError } from './errors';
import type { WriteChange } from './types';

/** An item to read: its key, and the table it lives in (from the record's `eventSourceARN`). */
export interface FetchRequest {
  readonly itemKey: string;
  readonly key: Item;
  readonly table: TableRef;
}

/** What reading did: the write each item needs on the slave, or why it could not be read. */
export interface FetchResult {
  readonly writes: Map<string, WriteChange>;
  readonly failures: Map<string, MasterReadError>;
  requests: number;
}

/** Gives the DynamoDB client for a region; the handler's implementation creates each one once and keeps it. */
export type ClientForRegion = (region: string) => DynamoDBClient;

/** Reads items from master tables. */
export class MasterReader {
  public constructor(
    private readonly clientFor: ClientForRegion,
    private readonly concurrency: number,
    private readonly retry: RetryOptions = DEFAULT_RETRY,
  ) {}

  /** Reads every requested item and turns each into a put (found) or a delete (gone). */
  public async read(requests: readonly FetchRequest[], budget: Budget): Promise<FetchResult> {
    const result: FetchResult = { writes: new Map(), failures: new Map(), requests: 0 };
    const byTable = new Map<string, FetchRequest[]>();
    for (const request of requests) {
      const id = `${request.table.region}/${request.table.table}`;
      const list = byTable.get(id);
      if (list) list.push(request);
      else byTable.set(id, [request]);
    }
    const chunks = [...byTable.values()].flatMap((list) => chunk(list, BATCH_GET_LIMIT));
    await forEachLimited(chunks, this.concurrency, (chunk) => this.readChunk(chunk, budget, result));
    return result;
  }

  private async readChunk(chunk: readonly FetchRequest[], budget: Budget, result: FetchResult): Promise<void> {
    const { region, table } = (chunk[0] as FetchRequest).table;
    const client = this.clientFor(region);
    const keyNames = Object.keys((chunk[0] as FetchRequest).key);
    let pending = chunk;
    const outcome = await retryWithinBudget(budget, this.retry, async () => {
      result.requests += 1;
      const output = await client.send(
        guardCommand(
          new BatchGetItemCommand({
            RequestItems: { [table]: { Keys: pending.map((request) => request.key), ConsistentRead: true } },
          }),
          budget,
        ),
        { abortSignal: budget.signal },
      );
      const found = new Map(
        (output.Responses?.[table] ?? []).map((item) => [itemKeyOf(pickKey(item, keyNames)), item]),
      );
      const unprocessed = new Set((output.UnprocessedKeys?.[table]?.Keys ?? []).map((key) => itemKeyOf(key)));
      for (const request of pending) {
        if (unprocessed.has(request.itemKey)) continue;
        const item = found.get(request.itemKey);
        result.writes.set(
          request.itemKey,
          item
            ? { kind: 'put', itemKey: request.itemKey, key: request.key, item }
            : { kind: 'delete', itemKey: request.itemKey, key: request.key },
        );
      }
      pending = pending.filter((request) => unprocessed.has(request.itemKey));
      return pending.length === 0 || 'UnprocessedKeys (throttled)';
    });
    if (outcome.ended === 'done') return;
    const reason = this.explain(region, table, outcome);
    for (const request of pending) {
      result.failures.set(request.itemKey, new MasterReadError(`${region}/${table}`, reason, { cause: outcome.error }));
    }
  }

  private explain(region: string, table: string, outcome: Exclude<RetryOutcome, { ended: 'done' }>): string {
    if (outcome.ended === 'outOfTime')
      return `not read before the invocation's time budget ran out; last answer: ${outcome.lastAnswer}`;
    const { error } = outcome;
    switch (asAwsError(error).name) {
      case 'AccessDeniedException':
        return accessDeniedMessage(
          {
            when: 'on a stream without new images',
            who: "the function's role",
            needs: 'dynamodb:BatchGetItem',
            on: `table ${table} in ${region}`,
          },
          error,
        );
      case 'ResourceNotFoundException':
        return missingTableMessage(
          {
            side: 'master',
            table,
            region,
            fix: "the records' stream (eventSourceARN) belongs to this table: it was deleted, or the stream is another account's",
          },
          error,
        );
      default:
        return describe(error);
    }
  }
}
