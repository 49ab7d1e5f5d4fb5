/**
 * create-slave's planning: the master's definition (src/cli/table/definition.ts) and the operator's overrides →
 * the requests that make the slave — CreateTable, then UpdateTimeToLive, UpdateContinuousBackups and TagResource
 * once the table is ACTIVE. Pure: no SDK client calls, so `--dry-run` prints exactly what a real run would send and
 * every rule below is unit-tested.
 */
import type {
  AttributeDefinition,
  CreateTableCommandInput,
  GlobalSecondaryIndex,
  KeySchemaElement,
  LocalSecondaryIndex,
  OnDemandThroughput,
  Projection,
  SSESpecification,
  StreamViewType,
  Tag,
  UpdateContinuousBackupsCommandInput,
  UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { type TableRef, tableNameOf } from '../../shared/tableRef';
import { ToolError, UsageError } from '../errors';
import type { Capacity, IndexDefinition, KeyElement, OnDemandLimits, TableDefinition } from '../table/definition';

/** The AWS-managed DynamoDB key: asking for it means "KMS, without a key id". */
export const AWS_MANAGED_KEY_ALIAS = 'alias/aws/dynamodb';

/** What the operator asks of the slave beyond "like the master". */
export interface SlaveOverrides {
  readonly billingMode?: 'PAY_PER_REQUEST' | 'PROVISIONED';
  readonly readCapacity?: number;
  readonly writeCapacity?: number;
  /** KMS key (ARN, id or alias) for the slave; `alias/aws/dynamodb` for the AWS-managed key. */
  readonly kmsKey?: string;
  /** A stream on the slave (none by default: nothing reads it). */
  readonly stream?: StreamViewType;
  /** Copy the master's tags (`--no-tags`: false). */
  readonly tags: boolean;
}

/** The requests that make the slave, in the order they are sent. */
export interface SlavePlan {
  readonly createTable: CreateTableCommandInput;
  readonly timeToLive?: UpdateTimeToLiveCommandInput;
  readonly continuousBackups?: UpdateContinuousBackupsCommandInput;
  /** Tags for TagResource on the new table's ARN (known once CreateTable answers). */
  readonly tags?: readonly Tag[];
}

const keySchema = (keys: readonly KeyElement[]): KeySchemaElement[] =>
  [...keys]
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'HASH' ? -1 : 1))
    .map((key) => ({ AttributeName: key.name, KeyType: key.role }));

function projection(index: IndexDefinition): Projection {
  const { type, nonKeyAttributes } = index.projection;
  return type === 'INCLUDE'
    ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...nonKeyAttributes] }
    : { ProjectionType: type as Projection['ProjectionType'] };
}

const onDemandThroughput = (limits: OnDemandLimits): OnDemandThroughput => ({
  ...(limits.maxRead === undefined ? {} : { MaxReadRequestUnits: limits.maxRead }),
  ...(limits.maxWrite === undefined ? {} : { MaxWriteRequestUnits: limits.maxWrite }),
});

const throughput = (capacity: Capacity) => ({
  ReadCapacityUnits: capacity.read,
  WriteCapacityUnits: capacity.write,
});

/** The slave's billing: the master's, or the override, with the capacity each needs. */
function billing(
  master: TableDefinition,
  overrides: SlaveOverrides,
): { mode: 'PAY_PER_REQUEST' | 'PROVISIONED'; table?: Capacity; override?: Capacity } {
  const mode = overrides.billingMode ?? master.billingMode;
  const given = overrides.readCapacity !== undefined || overrides.writeCapacity !== undefined;
  if (mode === 'PAY_PER_REQUEST') {
    if (given) {
      throw new UsageError(
        `--read-capacity/--write-capacity apply to provisioned billing; ${overrides.billingMode ? 'with --billing-mode PAY_PER_REQUEST' : `the master ${master.ref.table} is on demand`} they mean nothing: give --billing-mode PROVISIONED with them, or leave them out`,
      );
    }
    return { mode };
  }
  const read = overrides.readCapacity ?? master.provisioned?.read;
  const write = overrides.writeCapacity ?? master.provisioned?.write;
  if (read === undefined || write === undefined) {
    throw new UsageError(
      `--billing-mode PROVISIONED for a slave of an on-demand master needs --read-capacity and --write-capacity (applied to the table and every global secondary index)`,
    );
  }
  return {
    mode,
    table: { read, write },
    ...(given ? { override: { read, write } } : {}),
  };
}

/** The account and region a KMS key ARN names, or undefined for an id or alias. */
function keyHome(arn: string): { region: string; account: string } | undefined {
  const match = /^arn:aws[a-z-]*:kms:([^:]+):(\d+):key\//.exec(arn);
  return match ? { region: match[1] as string, account: match[2] as string } : undefined;
}

const accountOf = (arn: string | undefined): string | undefined => arn?.split(':')[4];

/** Who manages a KMS key, as KMS DescribeKey's `KeyMetadata.KeyManager` says. */
export type KeyManager = 'AWS' | 'CUSTOMER';

/** What create-slave knows of the slave's home and the master's key beyond the two definitions. */
export interface SlaveContext {
  /** The slave's account when the tools know it (the account of `--to-role-arn`); else taken as the master's. */
  readonly account?: string;
  /** Who manages the master's KMS key (asked only when {@link masterKeyToDescribe} names the key). */
  readonly masterKeyManager?: KeyManager;
}

/**
 * The master's KMS key when its slave cannot simply reuse it — the slave lives in another region or account and no
 * `--kms-key` says what to use — so create-slave must ask KMS (DescribeKey) whether it is AWS-managed; otherwise
 * undefined and nothing is asked.
 */
export function masterKeyToDescribe(
  master: TableDefinition,
  slave: TableRef,
  overrides: SlaveOverrides,
  context: SlaveContext = {},
): string | undefined {
  if (overrides.kmsKey !== undefined || master.encryption.kind !== 'KMS') return undefined;
  const keyArn = master.encryption.keyArn;
  if (keyArn === undefined) return undefined;
  const home = keyHome(keyArn);
  const slaveAccount = context.account ?? accountOf(master.arn);
  return home && home.region === slave.region && home.account === slaveAccount ? undefined : keyArn;
}

/**
 * The slave's encryption. AWS-owned stays AWS-owned (no SSESpecification). A KMS key belongs to one region and
 * account: the master's key is reused when the slave is in the same region and account (whether AWS-managed or
 * customer-managed, it is the same key). Elsewhere an AWS-managed master key (KMS DescribeKey says so) becomes the
 * AWS-managed key of the slave's region and account (KMS without a key id); a customer-managed one cannot follow,
 * so `--kms-key` must name a key there.
 */
function encryption(
  master: TableDefinition,
  slave: TableRef,
  overrides: SlaveOverrides,
  context: SlaveContext,
): SSESpecification | undefined {
  const { kmsKey } = overrides;
  if (kmsKey === AWS_MANAGED_KEY_ALIAS) return { Enabled: true, SSEType: 'KMS' };
  if (kmsKey !== undefined) return { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: kmsKey };
  if (master.encryption.kind === 'AWS_OWNED') return undefined;
  const keyArn = master.encryption.keyArn;
  if (keyArn === undefined) return { Enabled: true, SSEType: 'KMS' };
  if (masterKeyToDescribe(master, slave, overrides, context) === undefined) {
    return { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn };
  }
  if (context.masterKeyManager === 'AWS') return { Enabled: true, SSEType: 'KMS' };
  const home = keyHome(keyArn);
  const kind = context.masterKeyManager === 'CUSTOMER' ? 'customer-managed KMS key' : 'KMS key';
  throw new ToolError(
    `the master ${master.ref.region}/${master.ref.table} is encrypted with the ${kind} ${keyArn}, which belongs to ` +
      `${home ? `region ${home.region}, account ${home.account}` : 'another region or account'}; a slave in ${slave.region}${context.account ? ` (account ${context.account})` : ''} cannot use it: ` +
      `give --kms-key <arn|alias> of a key in ${slave.region} (--kms-key ${AWS_MANAGED_KEY_ALIAS} for the AWS-managed key)`,
  );
}

/** Only the attribute definitions the table's and its indexes' keys use (CreateTable refuses any other). */
function attributeDefinitions(master: TableDefinition): AttributeDefinition[] {
  const names = new Set<string>();
  for (const key of keySchema(master.keys)) names.add(key.AttributeName as string);
  for (const index of [...master.globalIndexes, ...master.localIndexes])
    for (const key of index.keys) names.add(key.name);
  return [...names].map((name) => {
    const type = master.attributeTypes[name];
    if (!type) throw new ToolError(`table ${master.ref.table}: DescribeTable gave no type for key attribute ${name}`);
    return { AttributeName: name, AttributeType: type };
  });
}

/**
 * The requests that make `slave` like `master`, with the operator's overrides and what `context` tells of the
 * slave's account and the master's key. Throws a ToolError when it cannot plan.
 */
export function planSlave(
  master: TableDefinition,
  slave: TableRef,
  overrides: SlaveOverrides,
  context: SlaveContext = {},
): SlavePlan {
  const bill = billing(master, overrides);
  const provisioned = bill.mode === 'PROVISIONED';
  const onDemand = !provisioned && master.billingMode === 'PAY_PER_REQUEST';
  const globalIndexes: GlobalSecondaryIndex[] = master.globalIndexes.map((index) => {
    const capacity = bill.override ?? index.provisioned ?? bill.table;
    return {
      IndexName: index.name,
      KeySchema: keySchema(index.keys),
      Projection: projection(index),
      ...(provisioned && capacity ? { ProvisionedThroughput: throughput(capacity) } : {}),
      ...(onDemand && index.onDemand ? { OnDemandThroughput: onDemandThroughput(index.onDemand) } : {}),
    };
  });
  const localIndexes: LocalSecondaryIndex[] = master.localIndexes.map((index) => ({
    IndexName: index.name,
    KeySchema: keySchema(index.keys),
    Projection: projection(index),
  }));
  const sse = encryption(master, slave, overrides, context);
  const createTable: CreateTableCommandInput = {
    TableName: tableNameOf(slave),
    KeySchema: keySchema(master.keys),
    AttributeDefinitions: attributeDefinitions(master),
    BillingMode: bill.mode,
    ...(provisioned && bill.table ? { ProvisionedThroughput: throughput(bill.table) } : {}),
    ...(onDemand && master.onDemand ? { OnDemandThroughput: onDemandThroughput(master.onDemand) } : {}),
    ...(globalIndexes.length > 0 ? { GlobalSecondaryIndexes: globalIndexes } : {}),
    ...(localIndexes.length > 0 ? { LocalSecondaryIndexes: localIndexes } : {}),
    ...(master.tableClass !== 'STANDARD'
      ? { TableClass: master.tableClass as CreateTableCommandInput['TableClass'] }
      : {}),
    ...(master.deletionProtection ? { DeletionProtectionEnabled: true } : {}),
    ...(sse ? { SSESpecification: sse } : {}),
    ...(overrides.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: overrides.stream } } : {}),
  };
  const pitr = master.pointInTimeRecovery;
  return {
    createTable,
    ...(master.ttlAttribute
      ? {
          timeToLive: {
            TableName: tableNameOf(slave),
            TimeToLiveSpecification: { Enabled: true, AttributeName: master.ttlAttribute },
          },
        }
      : {}),
    ...(pitr?.enabled
      ? {
          continuousBackups: {
            TableName: tableNameOf(slave),
            PointInTimeRecoverySpecification: {
              PointInTimeRecoveryEnabled: true,
              ...(pitr.recoveryPeriodInDays === undefined ? {} : { RecoveryPeriodInDays: pitr.recoveryPeriodInDays }),
            },
          },
        }
      : {}),
    ...(overrides.tags && master.tags && master.tags.length > 0 ? { tags: master.tags } : {}),
  };
}
