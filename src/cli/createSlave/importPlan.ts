/**
 * create-slave --with-data's planning: the master's definition and create-slave's plan (plan.ts) → the export of the
 * master (ExportTableToPointInTime: full, DYNAMODB_JSON) and the ImportTable that creates the slave from it, with
 * what ImportTable cannot set sent after it (TTL, point-in-time recovery, tags, and UpdateTable for deletion
 * protection, table class and a stream). Pure, so `--dry-run` prints what a real run sends; and the checks that
 * refuse a master an import cannot copy (LSIs) or whose later changes no stream would carry. A rerun after a crash
 * between the settings leaves out those already in place (settingsStillToSend): DynamoDB refuses to enable TTL or a
 * stream that is already on.
 */
import type {
  CreateTableCommandInput,
  ExportTableToPointInTimeCommandInput,
  ImportTableCommandInput,
  TableDescription,
  UpdateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { formatTableRef } from '../../shared/tableRef';
import type { S3Location } from '../export/s3Url';
import type { DefinitionExtras, TableDefinition } from '../table/definition';
import type { SlavePlan } from './plan';

/** Where the export goes, and who owns the bucket. */
export interface ExportTarget {
  readonly bucket: S3Location;
  /** The bucket's account, when it is not the caller's (`--export-bucket-owner`). */
  readonly owner?: string;
}

/** What the master must have for an export-and-import; every problem in one message, or undefined. */
export function withDataProblems(
  master: TableDefinition,
  facts: { readonly pointInTimeRecovery?: boolean; readonly streamEnabled: boolean },
): string | undefined {
  const name = formatTableRef(master.ref);
  const problems: string[] = [];
  if (facts.pointInTimeRecovery !== true) {
    problems.push(
      `point-in-time recovery is off on the master ${name}, and ExportTableToPointInTime needs it: turn it on with ` +
        `aws dynamodb update-continuous-backups --region ${master.ref.region} --table-name ${master.ref.table} ` +
        '--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true, then run this again',
    );
  }
  if (!facts.streamEnabled) {
    problems.push(
      `the master ${name} has no stream, and the changes made after the export can only come from it: enable it ` +
        `(aws dynamodb update-table --region ${master.ref.region} --table-name ${master.ref.table} ` +
        '--stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES) and attach the function first',
    );
  }
  if (master.localIndexes.length > 0) {
    problems.push(
      `the master has local secondary indexes (${master.localIndexes.map((index) => index.name).join(', ')}), and ` +
        'ImportTable cannot create them: run create-slave without --with-data, then backfill (it can load an export ' +
        'with --from-export)',
    );
  }
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** The ExportTableToPointInTime request: a full export of the master in DYNAMODB_JSON, idempotent by `clientToken`. */
export function exportRequest(
  masterArn: string,
  target: ExportTarget,
  clientToken: string,
): ExportTableToPointInTimeCommandInput {
  return {
    TableArn: masterArn,
    S3Bucket: target.bucket.bucket,
    ...(target.bucket.prefix ? { S3Prefix: target.bucket.prefix } : {}),
    ...(target.owner ? { S3BucketOwner: target.owner } : {}),
    ExportFormat: 'DYNAMODB_JSON',
    ExportType: 'FULL_EXPORT',
    ClientToken: clientToken,
  };
}

/** The export's id: the last part of its ARN (`…:table/Orders/export/01700000000000-abcdef12`). */
export function exportIdOf(exportArn: string): string {
  return exportArn.split('/').pop() ?? exportArn;
}

/** The folder of an export's data files, which ImportTable reads. */
export function exportDataPrefix(target: ExportTarget, exportId: string): string {
  return `${target.bucket.prefix ? `${target.bucket.prefix}/` : ''}AWSDynamoDB/${exportId}/data/`;
}

/**
 * The ImportTable request creating the slave as CreateTable would (keys, the attribute definitions they and the
 * indexes use, GSIs with projections and capacity, billing, SSE), from the export's data files.
 */
export function importRequest(
  create: CreateTableCommandInput,
  target: ExportTarget,
  exportId: string,
  clientToken: string,
): ImportTableCommandInput {
  const { TableName, KeySchema, AttributeDefinitions, BillingMode, ProvisionedThroughput, OnDemandThroughput } = create;
  return {
    ClientToken: clientToken,
    S3BucketSource: {
      S3Bucket: target.bucket.bucket,
      S3KeyPrefix: exportDataPrefix(target, exportId),
      ...(target.owner ? { S3BucketOwner: target.owner } : {}),
    },
    InputFormat: 'DYNAMODB_JSON',
    InputCompressionType: 'GZIP',
    TableCreationParameters: {
      TableName,
      KeySchema,
      AttributeDefinitions,
      BillingMode,
      ...(ProvisionedThroughput ? { ProvisionedThroughput } : {}),
      ...(OnDemandThroughput ? { OnDemandThroughput } : {}),
      ...(create.SSESpecification ? { SSESpecification: create.SSESpecification } : {}),
      ...(create.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: create.GlobalSecondaryIndexes } : {}),
    },
  };
}

/** The UpdateTable of what CreateTable sets and ImportTable cannot: deletion protection, table class, a stream. */
export function settingsAfterImport(create: CreateTableCommandInput): UpdateTableCommandInput | undefined {
  const update: UpdateTableCommandInput = {
    TableName: create.TableName,
    ...(create.DeletionProtectionEnabled ? { DeletionProtectionEnabled: true } : {}),
    ...(create.TableClass ? { TableClass: create.TableClass } : {}),
    ...(create.StreamSpecification ? { StreamSpecification: create.StreamSpecification } : {}),
  };
  return Object.keys(update).length > 1 ? update : undefined;
}

/** The import's plan: the export, the import (once the export's id is known), then the settings. */
export interface ImportPlan {
  readonly exportTable: ExportTableToPointInTimeCommandInput;
  readonly importTable: (exportId: string) => ImportTableCommandInput;
  readonly updateTable?: UpdateTableCommandInput;
  readonly after: Pick<SlavePlan, 'timeToLive' | 'continuousBackups' | 'tags'>;
}

/** The whole plan of an export-and-import for `plan` (create-slave's) of `masterArn`. */
export function planImport(plan: SlavePlan, masterArn: string, target: ExportTarget, clientToken: string): ImportPlan {
  const updateTable = settingsAfterImport(plan.createTable);
  return {
    exportTable: exportRequest(masterArn, target, clientToken),
    importTable: (exportId) => importRequest(plan.createTable, target, exportId, clientToken),
    ...(updateTable ? { updateTable } : {}),
    after: { timeToLive: plan.timeToLive, continuousBackups: plan.continuousBackups, tags: plan.tags },
  };
}

/** The settings sent after the import: `updateTable` and `after` of an {@link ImportPlan}. */
export type SettingsAfterImport = Pick<ImportPlan, 'updateTable' | 'after'>;

/**
 * The settings of `plan` the slave does not have yet, given its description and extras (an extra not read — an
 * endpoint without backups or tagging — counts as not in place). The first run finds none in place; a rerun after a
 * crash between two settings finds the first ones, and must not send them again: UpdateTimeToLive answers
 * "TimeToLive is already enabled" and UpdateTable "Table already has an enabled stream".
 */
export function settingsStillToSend(
  plan: SettingsAfterImport,
  description: TableDescription | undefined,
  extras: DefinitionExtras,
): SettingsAfterImport {
  const { timeToLive, continuousBackups, tags } = plan.after;
  const ttlInPlace = timeToLive?.TimeToLiveSpecification?.AttributeName === extras.ttlAttribute;
  const wantedPeriod = continuousBackups?.PointInTimeRecoverySpecification?.RecoveryPeriodInDays;
  const pitr = extras.pointInTimeRecovery;
  const pitrInPlace =
    pitr?.enabled === true && (wantedPeriod === undefined || pitr.recoveryPeriodInDays === wantedPeriod);
  const has = new Map((extras.tags ?? []).map((tag) => [tag.Key, tag.Value]));
  const missingTags = tags?.filter((tag) => !has.has(tag.Key) || has.get(tag.Key) !== tag.Value);
  return {
    ...(plan.updateTable ? updateStillToSend(plan.updateTable, description) : {}),
    after: {
      ...(timeToLive && !ttlInPlace ? { timeToLive } : {}),
      ...(continuousBackups && !pitrInPlace ? { continuousBackups } : {}),
      ...(missingTags && missingTags.length > 0 ? { tags: missingTags } : {}),
    },
  };
}

/** The parts of `update` (deletion protection, table class, stream) the table described does not have yet. */
function updateStillToSend(
  update: UpdateTableCommandInput,
  description: TableDescription | undefined,
): Pick<ImportPlan, 'updateTable'> {
  const { DeletionProtectionEnabled, TableClass, StreamSpecification } = update;
  const stream = description?.StreamSpecification;
  const left: UpdateTableCommandInput = {
    TableName: update.TableName,
    ...(DeletionProtectionEnabled && description?.DeletionProtectionEnabled !== true
      ? { DeletionProtectionEnabled }
      : {}),
    ...(TableClass && (description?.TableClassSummary?.TableClass ?? 'STANDARD') !== TableClass ? { TableClass } : {}),
    ...(StreamSpecification &&
    !(stream?.StreamEnabled === true && stream.StreamViewType === StreamSpecification.StreamViewType)
      ? { StreamSpecification }
      : {}),
  };
  return Object.keys(left).length > 1 ? { updateTable: left } : {};
}
