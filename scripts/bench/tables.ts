/**
 * Slave tables of the benchmark, managed directly on DynamoDB Local (not through the proxy): created empty before
 * each timed run so every run does the same work, and read back to check what the handler wrote.
 */
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { FinalWrite, SdkItem } from './plan';
import { KEY_SCHEMA } from './workload';

/** One slave table: where it is and what it is called. */
export interface SlaveTable {
  readonly region: string;
  readonly table: string;
}

/** Drops `table` if it exists and creates it empty, with the master's key schema. */
export async function resetTable(admin: DynamoDBClient, table: string): Promise<void> {
  try {
    await admin.send(new DeleteTableCommand({ TableName: table }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await admin.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: KEY_SCHEMA.partitionKey, AttributeType: 'S' },
        { AttributeName: KEY_SCHEMA.sortKey, AttributeType: 'N' },
      ],
      KeySchema: [
        { AttributeName: KEY_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: KEY_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
    }),
  );
}

/** Every item of `table`. */
export async function scanAll(admin: DynamoDBClient, table: string): Promise<SdkItem[]> {
  const items: SdkItem[] = [];
  let start: SdkItem | undefined;
  do {
    const page = await admin.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** A number as DynamoDB gives it back: no leading zeros, no trailing fraction zeros ("012.50" → "12.5"). */
function canonicalNumber(text: string): string {
  const match = /^(-?)0*(\d*?)(?:\.(\d*?)0*)?$/.exec(text.trim());
  if (!match) return text;
  const [, sign = '', whole = '', fraction = ''] = match;
  const body = `${whole || '0'}${fraction ? `.${fraction}` : ''}`;
  return body === '0' ? '0' : `${sign}${body}`;
}

/** A comparable text of a value: binary as base64, numbers canonical, set members sorted (sets have no order). */
function canonical(value: AttributeValue): unknown {
  if (value.N !== undefined) return { N: canonicalNumber(value.N) };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
  if (value.SS !== undefined) return { SS: [...value.SS].sort() };
  if (value.NS !== undefined) return { NS: value.NS.map(canonicalNumber).sort() };
  if (value.M !== undefined) return { M: canonicalItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(canonical) };
  return value;
}

function canonicalItem(item: SdkItem): string {
  return JSON.stringify(
    Object.keys(item)
      .sort()
      .map((name) => [name, canonical(item[name] as AttributeValue)]),
  );
}

/** Checks that `table` holds exactly the items the plan puts; returns a description of the first differences. */
export async function verifyTable(
  admin: DynamoDBClient,
  table: string,
  writes: readonly FinalWrite[],
): Promise<string[]> {
  const expected = new Set(writes.flatMap((write) => (write.kind === 'put' ? [canonicalItem(write.item)] : [])));
  const actual = (await scanAll(admin, table)).map(canonicalItem);
  const problems: string[] = [];
  if (actual.length !== expected.size) problems.push(`${actual.length} items in ${table}, expected ${expected.size}`);
  const unexpected = actual.filter((item) => !expected.has(item)).length;
  if (unexpected > 0) problems.push(`${unexpected} items in ${table} differ from the last change of the batch`);
  return problems;
}
