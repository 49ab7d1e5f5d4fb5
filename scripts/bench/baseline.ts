/**
 * The naive baseline: one write per stream record, one after another (PutItem of the new image, DeleteItem of the
 * key), as a replicator without coalescing or batching does. Run on a small sample and extrapolated, because at one
 * round trip per record a 10,000-record batch would take minutes.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { toSdkItem } from './plan';
import type { BenchStreamRecord } from './types';

/** Writes each record's change to `table` sequentially; resolves with the request count. */
export async function writeSequentially(
  client: DynamoDBClient,
  table: string,
  records: readonly BenchStreamRecord[],
): Promise<number> {
  for (const record of records) {
    const image = record.dynamodb.NewImage;
    if (record.eventName === 'REMOVE' || !image) {
      await client.send(new DeleteItemCommand({ TableName: table, Key: toSdkItem(record.dynamodb.Keys) }));
    } else {
      await client.send(new PutItemCommand({ TableName: table, Item: toSdkItem(image) }));
    }
  }
  return records.length;
}
