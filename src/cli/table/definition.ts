/**
 * A table's definition as the tools reason about it — key schema, indexes, capacity, class, protection, encryption,
 * TTL, point-in-time recovery, tags — read from DescribeTable and its sibling calls, and the one comparison of two
 * definitions. `create-slave` uses the comparison to decide whether an existing slave already matches the master,
 * `verify` to warn about index, projection and TTL differences beside the item differences. Pure: no SDK client
 * calls, so every field is unit-testable from plain DescribeTable answers.
 */
import type {
  GlobalSecondaryIndexDescription,
  KeySchemaElement,
  LocalSecondaryIndexDescription,
  Projection,
  ScalarAttributeType,
  StreamViewType,
  TableDescription,
  Tag,
} from '@aws-sdk/client-dynamodb';
import type { TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';

/** Read and write capacity units of provisioned capacity. */
export interface Capacity {
  readonly read: number;
  readonly write: number;
}

/** On-demand throughput limits (request units per second); a limit that is not set is absent. */
export interface OnDemandLimits {
  readonly maxRead?: number;
  readonly maxWrite?: number;
}

/** One key element of a table or index: `pk` as `HASH`, `sk` as `RANGE`. */
export interface KeyElement {
  readonly name: string;
  readonly role: 'HASH' | 'RANGE';
}

/** A global or local secondary index. */
export interface IndexDefinition {
  readonly name: string;
  readonly keys: readonly KeyElement[];
  readonly projection: { readonly type: string; readonly nonKeyAttributes: readonly string[] };
  /** A GSI's provisioned capacity (provisioned tables only). */
  readonly provisioned?: Capacity;
  /** A GSI's on-demand limits (on-demand tables only, when set). */
  readonly onDemand?: OnDemandLimits;
}

/** How a table is encrypted at rest: AWS-owned key (the default), or a KMS key DescribeTable names. */
export type Encryption = { readonly kind: 'AWS_OWNED' } | { readonly kind: 'KMS'; readonly keyArn?: string };

/** Everything `create-slave` copies and `verify` compares. */
export interface TableDefinition {
  readonly ref: TableRef;
  readonly arn?: string;
  readonly keys: readonly KeyElement[];
  /** Types of the attributes the table's and its indexes' keys use (AttributeDefinitions). */
  readonly attributeTypes: Readonly<Record<string, ScalarAttributeType>>;
  readonly billingMode: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly provisioned?: Capacity;
  readonly onDemand?: OnDemandLimits;
  readonly tableClass: string;
  readonly deletionProtection: boolean;
  readonly encryption: Encryption;
  readonly stream?: StreamViewType;
  readonly globalIndexes: readonly IndexDefinition[];
  readonly localIndexes: readonly IndexDefinition[];
  /** The TTL attribute when TTL is enabled (or being enabled); undefined without TTL. */
  readonly ttlAttribute?: string;
  /** Point-in-time recovery: undefined when it could not be read (DynamoDB Local has no such API). */
  readonly pointInTimeRecovery?: { readonly enabled: boolean; readonly recoveryPeriodInDays?: number };
  /** The table's tags: undefined when they were not read (`--no-tags`, or an endpoint without tagging). */
  readonly tags?: readonly Tag[];
}

/** What DescribeTable does not say: TTL, point-in-time recovery and tags, from their own calls. */
export interface DefinitionExtras {
  readonly ttlAttribute?: string;
  readonly pointInTimeRecovery?: TableDefinition['pointInTimeRecovery'];
  readonly tags?: readonly Tag[];
}

function keysOf(schema: readonly KeySchemaElement[] | undefined): KeyElement[] {
  return (schema ?? []).flatMap((element) =>
    element.AttributeName && (element.KeyType === 'HASH' || element.KeyType === 'RANGE')
      ? [{ name: element.AttributeName, role: element.KeyType }]
      : [],
  );
}

function projectionOf(projection: Projection | undefined): IndexDefinition['projection'] {
  return {
    type: projection?.ProjectionType ?? 'ALL',
    nonKeyAttributes: [...(projection?.NonKeyAttributes ?? [])],
  };
}

/** On-demand limits that are set: DynamoDB reports an unset limit as -1 (or leaves it out). */
function limitsOf(limits: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number } | undefined) {
  const maxRead = (limits?.MaxReadRequestUnits ?? 0) > 0 ? limits?.MaxReadRequestUnits : undefined;
  const maxWrite = (limits?.MaxWriteRequestUnits ?? 0) > 0 ? limits?.MaxWriteRequestUnits : undefined;
  if (maxRead === undefined && maxWrite === undefined) return undefined;
  return { ...(maxRead === undefined ? {} : { maxRead }), ...(maxWrite === undefined ? {} : { maxWrite }) };
}

function indexOf(
  index: GlobalSecondaryIndexDescription | LocalSecondaryIndexDescription,
  provisioned: boolean,
): IndexDefinition {
  const throughput = 'ProvisionedThroughput' in index ? index.ProvisionedThroughput : undefined;
  const limits = 'OnDemandThroughput' in index ? limitsOf(index.OnDemandThroughput) : undefined;
  return {
    name: index.IndexName ?? '',
    keys: keysOf(index.KeySchema),
    projection: projectionOf(index.Projection),
    ...(provisioned && throughput
      ? { provisioned: { read: throughput.ReadCapacityUnits ?? 0, write: throughput.WriteCapacityUnits ?? 0 } }
      : {}),
    ...(!provisioned && limits ? { onDemand: limits } : {}),
  };
}

/** The definition a DescribeTable answer (and the extras) describe. */
export function tableDefinition(
  description: TableDescription | undefined,
  ref: TableRef,
  extras: DefinitionExtras = {},
): TableDefinition {
  const keys = keysOf(description?.KeySchema);
  if (!description || !keys.some((key) => key.role === 'HASH')) {
    throw new ToolError(`table ${ref.table} in ${ref.region}: DescribeTable returned no key schema`);
  }
  // A table created provisioned and never switched has no BillingModeSummary.
  const billingMode =
    description.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST' ? 'PAY_PER_REQUEST' : 'PROVISIONED';
  const provisioned = billingMode === 'PROVISIONED';
  const throughput = description.ProvisionedThroughput;
  const sse = description.SSEDescription;
  const kms =
    sse?.SSEType === 'KMS' && (sse.Status === 'ENABLED' || sse.Status === 'ENABLING' || sse.Status === 'UPDATING');
  const limits = provisioned ? undefined : limitsOf(description.OnDemandThroughput);
  return {
    ref,
    ...(description.TableArn ? { arn: description.TableArn } : {}),
    keys,
    attributeTypes: Object.fromEntries(
      (description.AttributeDefinitions ?? []).flatMap((entry) =>
        entry.AttributeName && entry.AttributeType ? [[entry.AttributeName, entry.AttributeType]] : [],
      ),
    ),
    billingMode,
    ...(provisioned
      ? { provisioned: { read: throughput?.ReadCapacityUnits ?? 0, write: throughput?.WriteCapacityUnits ?? 0 } }
      : {}),
    ...(limits ? { onDemand: limits } : {}),
    tableClass: description.TableClassSummary?.TableClass ?? 'STANDARD',
    deletionProtection: description.DeletionProtectionEnabled === true,
    encryption: kms
      ? { kind: 'KMS', ...(sse.KMSMasterKeyArn ? { keyArn: sse.KMSMasterKeyArn } : {}) }
      : { kind: 'AWS_OWNED' },
    ...(description.StreamSpecification?.StreamEnabled && description.StreamSpecification.StreamViewType
      ? { stream: description.StreamSpecification.StreamViewType }
      : {}),
    globalIndexes: (description.GlobalSecondaryIndexes ?? []).map((index) => indexOf(index, provisioned)),
    localIndexes: (description.LocalSecondaryIndexes ?? []).map((index) => indexOf(index, provisioned)),
    ...extras,
  };
}

/** `pk (S), sk (N)`: an index's or table's keys with their types, as differences show them. */
export function formatKeys(keys: readonly KeyElement[], types: Readonly<Record<string, string>>): string {
  const ordered = [...keys].sort((a, b) => (a.role === b.role ? 0 : a.role === 'HASH' ? -1 : 1));
  return ordered.map((key) => `${key.name} (${types[key.name] ?? '?'})`).join(', ');
}

/** `INCLUDE [a, b]`, `KEYS_ONLY`, `ALL`: non-key attributes sorted. */
export function formatProjection(projection: IndexDefinition['projection']): string {
  // Order does not matter to DynamoDB: sorted, so the same attributes in another order compare equal.
  return projection.nonKeyAttributes.length > 0
    ? `${projection.type} [${[...projection.nonKeyAttributes].sort().join(', ')}]`
    : projection.type;
}

function indexDifferences(kind: 'global' | 'local', master: TableDefinition, slave: TableDefinition): string[] {
  const label = `${kind} secondary index`;
  const of = (table: TableDefinition): readonly IndexDefinition[] =>
    kind === 'global' ? table.globalIndexes : table.localIndexes;
  const slaveIndexes = new Map(of(slave).map((index) => [index.name, index]));
  const differences: string[] = [];
  for (const index of of(master)) {
    const copy = slaveIndexes.get(index.name);
    if (!copy) {
      differences.push(`${label} ${index.name} is missing on the slave`);
      continue;
    }
    const keys = formatKeys(index.keys, master.attributeTypes);
    const copyKeys = formatKeys(copy.keys, slave.attributeTypes);
    if (keys !== copyKeys)
      differences.push(`${label} ${index.name}: keys ${keys} on the master, ${copyKeys} on the slave`);
    const projection = formatProjection(index.projection);
    const copyProjection = formatProjection(copy.projection);
    if (projection !== copyProjection) {
      differences.push(
        `${label} ${index.name}: projection ${projection} on the master, ${copyProjection} on the slave`,
      );
    }
  }
  const masterNames = new Set(of(master).map((index) => index.name));
  for (const index of of(slave)) {
    if (!masterNames.has(index.name)) differences.push(`${label} ${index.name} exists on the slave only`);
  }
  return differences;
}

/**
 * How the slave's definition differs from the master's where a replica must be the same — key schema, every index
 * with its keys and projection, the TTL attribute — one sentence per difference, empty when they match. Capacity,
 * billing mode, table class, encryption, protection, stream and tags may differ on purpose (a replica with other
 * capacity, its own key), so they are not compared.
 */
export function definitionDifferences(master: TableDefinition, slave: TableDefinition): string[] {
  const differences: string[] = [];
  const keys = formatKeys(master.keys, master.attributeTypes);
  const slaveKeys = formatKeys(slave.keys, slave.attributeTypes);
  if (keys !== slaveKeys) differences.push(`key schema: ${keys} on the master, ${slaveKeys} on the slave`);
  differences.push(...indexDifferences('global', master, slave), ...indexDifferences('local', master, slave));
  if (master.ttlAttribute !== slave.ttlAttribute) {
    const show = (name: string | undefined): string => (name === undefined ? 'TTL off' : name);
    differences.push(
      `TTL attribute: ${show(master.ttlAttribute)} on the master, ${show(slave.ttlAttribute)} on the slave`,
    );
  }
  return differences;
}
