/**
 * Items for copying tests and benches: a generator of items whose binary, nested and number values a careless copy
 * gets wrong, and a parallel BatchWriteItem loader. Used by the operator-tool tests and the backfill benches.
 */
import { BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BATCH_WRITE_LIMIT, chunk } from '../src/shared/batchLimits';
import type { Item } from '../src/shared/item';

/** The package's item type, for the tests and benches that take items from here. */
export type { Item };

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values.map((value) => value & 0xff));

/**
 * Item `index` with binary, nested and number values that a careless copy gets wrong. `keys` picks the key layout:
 * a string partition key, or a binary partition key with a number sort key.
 */
export function richItem(index: number, keys: 'S' | 'B+N' = 'S'): Item {
  const key: Item =
    keys === 'S'
      ? { pk: { S: `item-${index}` } }
      : { pk: { B: bytes(index >> 8, index, 0x00, 0xff) }, sk: { N: `${index % 13}.${index % 7}5` } };
  return {
    ...key,
    version: { N: '1' },
    price: { N: `${index}.50` },
    blob: { B: bytes(index, 0, 255, index >> 3) },
    nested: {
      M: {
        list: { L: [{ N: '1e2' }, { BS: [bytes(1, index), bytes(2)] }, { M: { deep: { B: bytes(index, 7) } } }] },
        tags: { SS: [`t${index % 5}`, 'all'] },
        empty: { M: {} },
      },
    },
    flag: { BOOL: index % 2 === 0 },
    nothing: { NULL: true },
  };
}

/** Writes `items` with parallel BatchWriteItem calls. */
export async function putItems(client: DynamoDBClient, table: string, items: readonly Item[]): Promise<void> {
  const chunks = chunk(items, BATCH_WRITE_LIMIT);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < chunks.length) {
      const writes = chunks[next] as Item[];
      next += 1;
      let pending = writes.map((Item) => ({ PutRequest: { Item } }));
      while (pending.length > 0) {
        const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
        pending = (output.UnprocessedItems?.[table] ?? []).flatMap((request) =>
          request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}
