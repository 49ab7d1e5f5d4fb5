/**
 * The ideal plan's writer: every final write of a batch sent at once as 25-item BatchWriteItem requests, all in
 * flight together. This is the physical limit the handler is compared with: one round trip for the whole batch.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import type { FinalWrite } from './plan';

/** Most operations one BatchWriteItem takes. */
export const BATCH_LIMIT = 25;

function toRequest(write: FinalWrite): WriteRequest {
  return write.kind === 'put' ? { PutRequest: { Item: write.item } } : { DeleteRequest: { Key: write.key } };
}

/** Splits `values` into lists of at most `size`. */
export function chunk<T>(values: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
}

/** Sends every write to `table` in parallel 25-item batches (retrying unprocessed items); resolves with the request count. */
export async function writeIdealPlan(
  client: DynamoDBClient,
  table: string,
  writes: readonly FinalWrite[],
): Promise<number> {
  let requests = 0;
  const send = async (batch: WriteRequest[]): Promise<void> => {
    let pending = batch;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      if (attempt > 10) throw new Error(`ideal plan: ${pending.length} items still unprocessed after 10 retries`);
      requests += 1;
      const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = output.UnprocessedItems?.[table] ?? [];
    }
  };
  await Promise.all(chunk(writes.map(toRequest), BATCH_LIMIT).map(send));
  return requests;
}
