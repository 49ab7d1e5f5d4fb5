/**
 * Master and slave tables in DynamoDB Local for tests, the demo and the benchmark: create them, read them whole,
 * and compare two tables item by item.
 *
 * The comparison is exact on purpose: binary values byte for byte and numbers digit for digit, so a replica that
 * rounds a 38-digit number or re-encodes a binary value counts as different. Numbers compare by exact decimal value,
 * not by spelling, because DynamoDB Local spells one stored number differently depending on the request that wrote
 * it (`6.79E-87` after an UpdateItem, `0.0…0679` after a PutItem) where DynamoDB is consistent. Sets compare as
 * sets, because DynamoDB does not keep the order of set elements.
 */

import { randomBytes } from 'node:crypto';
import {
  type AttributeValue,
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type GlobalSecondaryIndex,
  type ScalarAttributeType,
  ScanCommand,
  type StreamViewType,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from './dynamodbLocal';

/** An item as the SDK returns it. */
export type Item = Record<string, AttributeValue>;

/** A DynamoDB client for DynamoDB Local in one region (each region is a separate database there). */
export function localClient(endpoint: string, region: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: LOCAL_CREDENTIALS });
}

/** A table name no other test file uses: `prefix` plus random hex. */
export function uniqueTableName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Key and stream layout of a table; the partition key is `pk`, the optional sort key `sk`. */
export interface TableSpec {
  name: string;
  partitionKeyType?: ScalarAttributeType;
  /** Type of the sort key `sk`; no sort key when absent. `B` gives the binary sort key variant. */
  sortKeyType?: ScalarAttributeType;
  /** Enables a stream with this view type. */
  streamViewType?: StreamViewType;
  /** Extra attribute definitions, for index keys. */
  extraAttributes?: Array<{ name: string; type: ScalarAttributeType }>;
  globalSecondaryIndexes?: GlobalSecondaryIndex[];
}

/** A created table; `streamArn` is set when the spec asked for a stream. */
export interface CreatedTable {
  name: string;
  streamArn?: string;
}

/** Creates an on-demand table and waits until it is ACTIVE. */
export async function createTable(client: DynamoDBClient, spec: TableSpec): Promise<CreatedTable> {
  const attributes = [{ name: 'pk', type: spec.partitionKeyType ?? 'S' }];
  if (spec.sortKeyType) attributes.push({ name: 'sk', type: spec.sortKeyType });
  attributes.push(...(spec.extraAttributes ?? []));
  const created = await client.send(
    new CreateTableCommand({
      TableName: spec.name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        ...(spec.sortKeyType ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : []),
      ],
      GlobalSecondaryIndexes: spec.globalSecondaryIndexes,
      StreamSpecification: spec.streamViewType
        ? { StreamEnabled: true, StreamViewType: spec.streamViewType }
        : undefined,
    }),
  );
  await waitForActive(client, spec.name);
  const streamArn = created.TableDescription?.LatestStreamArn;
  if (spec.streamViewType && !streamArn) throw new Error(`table ${spec.name} was created without a stream`);
  return { name: spec.name, streamArn };
}

/** Creates a master table with a stream (NEW_IMAGE unless told otherwise) and returns its stream ARN. */
export async function createMasterTable(
  client: DynamoDBClient,
  spec: TableSpec,
): Promise<CreatedTable & { streamArn: string }> {
  const table = await createTable(client, { streamViewType: 'NEW_IMAGE', ...spec });
  return { name: table.name, streamArn: table.streamArn ?? '' };
}

/**
 * What makes a slave reject some items, for the tests of failed records: an index keyed on `g` as a string, so an
 * item whose `g` is a number (fine on a master without the index) gets DynamoDB's ValidationException, until the
 * operator drops the index ({@link dropIndexOnG}).
 */
export const INDEX_ON_G_AS_STRING: Pick<TableSpec, 'extraAttributes' | 'globalSecondaryIndexes'> = {
  extraAttributes: [{ name: 'g', type: 'S' }],
  globalSecondaryIndexes: [
    { IndexName: 'by-g', KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } },
  ],
};

/** Drops {@link INDEX_ON_G_AS_STRING}'s index, as an operator fixes the cause, and waits until the table is ACTIVE. */
export async function dropIndexOnG(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-g' } }] }),
  );
  await waitForActive(client, tableName);
}

/**
 * Enables a stream on an existing table (it then carries only later changes, as on a table that has run for a
 * while) and waits until the table is ACTIVE again; the stream's ARN.
 */
export async function enableStream(
  client: DynamoDBClient,
  tableName: string,
  viewType: StreamViewType = 'NEW_IMAGE',
): Promise<string> {
  const enabled = await client.send(
    new UpdateTableCommand({
      TableName: tableName,
      StreamSpecification: { StreamEnabled: true, StreamViewType: viewType },
    }),
  );
  await waitForActive(client, tableName);
  return enabled.TableDescription?.LatestStreamArn ?? '';
}

/** Waits until a table and its indexes are ACTIVE (DynamoDB Local is usually at once; AWS takes seconds). */
export async function waitForActive(client: DynamoDBClient, tableName: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`table ${tableName} not ACTIVE after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Reads every item of a table with consistent reads. */
export async function scanAll(client: DynamoDBClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let exclusiveStartKey: Item | undefined;
  do {
    const page = await client.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(page.Items ?? []));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items;
}

/**
 * A canonical text of an attribute value: equal texts mean equal values. Binary becomes hex, numbers become
 * {@link canonicalNumber}, set elements are sorted, map keys are sorted.
 */
function canonicalValue(value: AttributeValue): string {
  return JSON.stringify(canonical(value));
}

/**
 * The exact decimal value of a DynamoDB number as `[-]<digits>E<exponent>` with no leading or trailing zeros in
 * the digits (`0` for zero): `1.50`, `15E-1` and `0.15E1` all give `15E-1`. String arithmetic only, no rounding.
 */
export function canonicalNumber(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not a DynamoDB number: ${JSON.stringify(text)}`);
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  const all = whole + fraction;
  const digits = all.replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  // value = all × 10^(exponent − fraction.length); leading zeros do not change it, each trailing zero removed adds one.
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length);
  return `${sign === '-' ? '-' : ''}${significant}E${scale}`;
}

type Canonical = string | boolean | Canonical[] | { [name: string]: Canonical };

function canonical(value: AttributeValue): Canonical {
  const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: canonicalNumber(value.N) };
  if (value.B !== undefined) return { B: hex(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS].sort() };
  if (value.NS !== undefined) return { NS: value.NS.map(canonicalNumber).sort() };
  if (value.BS !== undefined) return { BS: value.BS.map(hex).sort() };
  if (value.M !== undefined) return { M: canonicalItem(value.M) };
  if (value.L !== undefined) return { L: value.L.map(canonical) };
  if (value.NULL !== undefined) return { NULL: value.NULL };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new Error(`unknown attribute value type: ${JSON.stringify(Object.keys(value))}`);
}

/** A canonical text of a whole item: equal texts mean equal items (attributes sorted, values as {@link canonicalValue}). */
export function canonicalItemText(item: Item): string {
  return JSON.stringify(canonicalItem(item));
}

function canonicalItem(item: Item): { [name: string]: Canonical } {
  return Object.fromEntries(
    Object.keys(item)
      .sort()
      .map((name) => [name, canonical(item[name])]),
  );
}

/** The result of comparing a source table with a replica. */
export interface TableComparison {
  equal: boolean;
  sourceCount: number;
  replicaCount: number;
  /** Keys (canonical text) in the source but not in the replica. */
  missing: string[];
  /** Keys in the replica but not in the source. */
  extra: string[];
  /** Keys present on both sides whose items differ, with the differing attribute names. */
  different: Array<{ key: string; attributes: string[] }>;
}

/** The differences of a comparison alone ({@link NO_DIFFERENCES} when equal): what a failing test should print. */
export function differencesOf({
  missing,
  extra,
  different,
}: TableComparison): Pick<TableComparison, 'missing' | 'extra' | 'different'> {
  return { missing, extra, different };
}

/** {@link differencesOf} two equal tables. */
export const NO_DIFFERENCES = { missing: [], extra: [], different: [] };

/** Compares two tables item by item, exactly (see the file comment); both must have the same key schema. */
export async function compareTables(
  source: { client: DynamoDBClient; table: string },
  replica: { client: DynamoDBClient; table: string },
): Promise<TableComparison> {
  const { Table } = await source.client.send(new DescribeTableCommand({ TableName: source.table }));
  const keyNames = (Table?.KeySchema ?? []).map((element) => element.AttributeName ?? '');
  const [sourceItems, replicaItems] = await Promise.all([
    scanAll(source.client, source.table),
    scanAll(replica.client, replica.table),
  ]);
  return compareItems(sourceItems, replicaItems, keyNames);
}

/** Compares two item lists by key, exactly; `keyNames` are the table's key attributes. */
export function compareItems(sourceItems: Item[], replicaItems: Item[], keyNames: string[]): TableComparison {
  const keyOf = (item: Item): string =>
    keyNames.map((name) => `${name}=${item[name] ? canonicalValue(item[name]) : '?'}`).join(' ');
  const replicaByKey = new Map(replicaItems.map((item) => [keyOf(item), item]));
  const missing: string[] = [];
  const different: TableComparison['different'] = [];
  for (const item of sourceItems) {
    const key = keyOf(item);
    const copy = replicaByKey.get(key);
    replicaByKey.delete(key);
    if (!copy) {
      missing.push(key);
      continue;
    }
    const names = [...new Set([...Object.keys(item), ...Object.keys(copy)])].sort();
    const attributes = names.filter(
      (name) => !item[name] || !copy[name] || canonicalValue(item[name]) !== canonicalValue(copy[name]),
    );
    if (attributes.length > 0) different.push({ key, attributes });
  }
  const extra = [...replicaByKey.keys()];
  return {
    equal: missing.length === 0 && extra.length === 0 && different.length === 0,
    sourceCount: sourceItems.length,
    replicaCount: replicaItems.length,
    missing,
    extra,
    different,
  };
}
