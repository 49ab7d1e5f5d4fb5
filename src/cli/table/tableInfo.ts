/**
 * What the tools need to know about a table: its key schema (to compare master and slave, and to cut keys out of
 * items) and its approximate item count (for progress and ETA; DynamoDB refreshes it about every six hours).
 */
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { formatTableRef, type TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';

/** One key attribute: its name and scalar type. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

/** A table's primary key: a partition key and, optionally, a sort key. */
export interface KeySchema {
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/** The facts about a table a run starts from. */
export interface TableInfo {
  readonly ref: TableRef;
  readonly keySchema: KeySchema;
  /** DynamoDB's approximate item count (0 for a table it has not counted yet). */
  readonly itemCount: number;
  readonly status: string;
  /** The table's ARN as DescribeTable gives it: its account tells two same-named tables of two accounts apart. */
  readonly arn?: string;
  /** The table's current stream, when one is enabled (the replicator's trigger, and what `watched` backfills follow). */
  readonly streamArn?: string;
}

function keyAttribute(description: TableDescription, role: 'HASH' | 'RANGE', ref: TableRef): KeyAttribute | undefined {
  const element = description.KeySchema?.find((entry) => entry.KeyType === role);
  if (!element?.AttributeName) return undefined;
  const definition = description.AttributeDefinitions?.find((entry) => entry.AttributeName === element.AttributeName);
  const type = definition?.AttributeType;
  if (type !== 'S' && type !== 'N' && type !== 'B') {
    throw new ToolError(
      `table ${ref.table} in ${ref.region}: key attribute ${element.AttributeName} has no S, N or B type`,
    );
  }
  return { name: element.AttributeName, type };
}

/** The facts of a DescribeTable answer. */
export function tableInfoFrom(description: TableDescription | undefined, ref: TableRef): TableInfo {
  const partitionKey = description && keyAttribute(description, 'HASH', ref);
  if (!description || !partitionKey) {
    throw new ToolError(`table ${ref.table} in ${ref.region}: DescribeTable returned no key schema`);
  }
  const sortKey = keyAttribute(description, 'RANGE', ref);
  return {
    ref,
    keySchema: sortKey ? { partitionKey, sortKey } : { partitionKey },
    itemCount: Math.max(0, Number(description.ItemCount ?? 0)),
    status: description.TableStatus ?? 'UNKNOWN',
    ...(description.TableArn ? { arn: description.TableArn } : {}),
    ...(description.StreamSpecification?.StreamEnabled && description.LatestStreamArn
      ? { streamArn: description.LatestStreamArn }
      : {}),
  };
}

/** E.g. `pk (S) + sk (N)`, as error messages show a key schema. */
export function formatKeySchema(schema: KeySchema): string {
  const part = (key: KeyAttribute): string => `${key.name} (${key.type})`;
  return schema.sortKey ? `${part(schema.partitionKey)} + ${part(schema.sortKey)}` : part(schema.partitionKey);
}

/** Why two tables cannot be compared or copied item for item, or undefined when their keys match. */
export function keySchemaMismatch(master: TableInfo, slave: TableInfo): string | undefined {
  const same = (a?: KeyAttribute, b?: KeyAttribute): boolean => a?.name === b?.name && a?.type === b?.type;
  if (
    same(master.keySchema.partitionKey, slave.keySchema.partitionKey) &&
    same(master.keySchema.sortKey, slave.keySchema.sortKey)
  ) {
    return undefined;
  }
  return (
    `key schemas differ: master ${formatTableRef(master.ref)} has ${formatKeySchema(master.keySchema)}, ` +
    `slave ${formatTableRef(slave.ref)} has ${formatKeySchema(slave.keySchema)}; ` +
    'the slave must have the same key attribute names and types'
  );
}

/** Names of the key attributes, partition key first. */
export function keyNames(schema: KeySchema): string[] {
  return schema.sortKey ? [schema.partitionKey.name, schema.sortKey.name] : [schema.partitionKey.name];
}
