/**
 * The DynamoDB calls about a table's definition rather than its items: DescribeTable, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource for reading it (create-slave, verify), CreateTable,
 * UpdateTimeToLive, UpdateContinuousBackups, TagResource for making a slave (create-slave), and for making it from
 * an export (create-slave --with-data): ExportTableToPointInTime and DescribeExport on the master, ImportTable,
 * DescribeImport and UpdateTable on the slave. Each is retried and its
 * errors translated as TableAccess does the item calls (src/shared/retry.ts, src/cli/errors.ts): a missing
 * permission names the IAM action. Kept apart from TableAccess because these calls have other callers and answers.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeContinuousBackupsCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  type ExportDescription,
  ExportTableToPointInTimeCommand,
  type ExportTableToPointInTimeCommandInput,
  ImportTableCommand,
  type ImportTableCommandInput,
  type ImportTableDescription,
  ListTagsOfResourceCommand,
  type TableDescription,
  type Tag,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  type UpdateContinuousBackupsCommandInput,
  UpdateTableCommand,
  type UpdateTableCommandInput,
  UpdateTimeToLiveCommand,
  type UpdateTimeToLiveCommandInput,
} from '@aws-sdk/client-dynamodb';
import { asAwsError } from '../../shared/awsErrors';
import { backoff, PATIENT_RETRY, type PatientRetryOptions, retryPatiently } from '../../shared/retry';
import type { TableRef } from '../../shared/tableRef';
import { type CallSite, fatalAwsError, ToolError } from '../errors';
import type { DefinitionExtras, TableDefinition } from './definition';

/** An endpoint that does not implement an API answers so (DynamoDB Local: backups and tagging). */
export function isUnsupportedOperation(error: unknown): boolean {
  const { name = '' } = asAwsError(error);
  return name === 'UnknownOperationException';
}

/** Settings of the calls: retries (tests shorten them), cancellation, and the call site their errors name. */
export interface DefinitionAccessOptions extends CallSite {
  readonly retry?: PatientRetryOptions;
  readonly signal?: AbortSignal;
}

/** Definition calls on one table. */
export class DefinitionAccess {
  public constructor(
    public readonly ref: TableRef,
    private readonly client: DynamoDBClient,
    private readonly options: DefinitionAccessOptions = {},
  ) {}

  /** DescribeTable; undefined when the table does not exist (the caller decides whether that is an error). */
  public async describeTable(): Promise<TableDescription | undefined> {
    return this.call('DescribeTable', async () => {
      try {
        const output = await this.client.send(new DescribeTableCommand({ TableName: this.ref.table }));
        return output.Table;
      } catch (error) {
        if (asAwsError(error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    });
  }

  /** The TTL attribute while TTL is enabled or being enabled; undefined without TTL. */
  public async timeToLiveAttribute(): Promise<string | undefined> {
    const output = await this.call('DescribeTimeToLive', () =>
      this.client.send(new DescribeTimeToLiveCommand({ TableName: this.ref.table })),
    );
    const ttl = output.TimeToLiveDescription;
    return ttl?.TimeToLiveStatus === 'ENABLED' || ttl?.TimeToLiveStatus === 'ENABLING' ? ttl.AttributeName : undefined;
  }

  /** Point-in-time recovery; undefined when the endpoint has no backups API (DynamoDB Local). */
  public async pointInTimeRecovery(): Promise<TableDefinition['pointInTimeRecovery']> {
    const output = await this.optional('DescribeContinuousBackups', () =>
      this.client.send(new DescribeContinuousBackupsCommand({ TableName: this.ref.table })),
    );
    if (!output) return undefined;
    const pitr = output.ContinuousBackupsDescription?.PointInTimeRecoveryDescription;
    const enabled = pitr?.PointInTimeRecoveryStatus === 'ENABLED';
    return {
      enabled,
      ...(enabled && pitr?.RecoveryPeriodInDays !== undefined
        ? { recoveryPeriodInDays: pitr.RecoveryPeriodInDays }
        : {}),
    };
  }

  /** Every tag of the table (all pages); undefined when the endpoint has no tagging (DynamoDB Local). */
  public async tags(arn: string): Promise<Tag[] | undefined> {
    const tags: Tag[] = [];
    let next: string | undefined;
    do {
      const token = next;
      const output = await this.optional('ListTagsOfResource', () =>
        this.client.send(new ListTagsOfResourceCommand({ ResourceArn: arn, NextToken: token })),
      );
      if (!output) return undefined;
      tags.push(...(output.Tags ?? []));
      next = output.NextToken;
    } while (next);
    return tags;
  }

  /** The extras of the definition: TTL always, point-in-time recovery and tags when asked for. */
  public async extras(options: { arn?: string; backups: boolean; tags: boolean }): Promise<DefinitionExtras> {
    const [ttlAttribute, pointInTimeRecovery, tags] = await Promise.all([
      this.timeToLiveAttribute(),
      options.backups ? this.pointInTimeRecovery() : undefined,
      options.tags && options.arn ? this.tags(options.arn) : undefined,
    ]);
    return {
      ...(ttlAttribute === undefined ? {} : { ttlAttribute }),
      ...(pointInTimeRecovery === undefined ? {} : { pointInTimeRecovery }),
      ...(tags === undefined ? {} : { tags }),
    };
  }

  /** CreateTable; the new table's description (its ARN for TagResource). */
  public async createTable(input: CreateTableCommandInput): Promise<TableDescription | undefined> {
    const output = await this.call('CreateTable', () => this.client.send(new CreateTableCommand(input)));
    return output.TableDescription;
  }

  public async updateTimeToLive(input: UpdateTimeToLiveCommandInput): Promise<void> {
    await this.call('UpdateTimeToLive', () => this.client.send(new UpdateTimeToLiveCommand(input)));
  }

  public async updateContinuousBackups(input: UpdateContinuousBackupsCommandInput): Promise<void> {
    await this.call('UpdateContinuousBackups', () => this.client.send(new UpdateContinuousBackupsCommand(input)));
  }

  public async tagResource(arn: string, tags: readonly Tag[]): Promise<void> {
    await this.call('TagResource', () =>
      this.client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [...tags] })),
    );
  }

  /** ExportTableToPointInTime of this (the master) table; the export's description (its ARN, status, time). */
  public async exportToPointInTime(input: ExportTableToPointInTimeCommandInput): Promise<ExportDescription> {
    const output = await this.call('ExportTableToPointInTime', () =>
      this.client.send(new ExportTableToPointInTimeCommand(input)),
    );
    return output.ExportDescription ?? {};
  }

  public async describeExport(exportArn: string): Promise<ExportDescription> {
    const output = await this.call('DescribeExport', () =>
      this.client.send(new DescribeExportCommand({ ExportArn: exportArn })),
    );
    return output.ExportDescription ?? {};
  }

  /** ImportTable, creating this (the slave) table from S3; the import's description (its ARN, status). */
  public async importTable(input: ImportTableCommandInput): Promise<ImportTableDescription> {
    const output = await this.call('ImportTable', () => this.client.send(new ImportTableCommand(input)));
    return output.ImportTableDescription ?? {};
  }

  public async describeImport(importArn: string): Promise<ImportTableDescription> {
    const output = await this.call('DescribeImport', () =>
      this.client.send(new DescribeImportCommand({ ImportArn: importArn })),
    );
    return output.ImportTableDescription ?? {};
  }

  public async updateTable(input: UpdateTableCommandInput): Promise<void> {
    await this.call('UpdateTable', () => this.client.send(new UpdateTableCommand(input)));
  }

  /** A read the endpoint may not implement: undefined then, instead of an error. */
  private async optional<T>(action: string, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call(action, send, true);
    } catch (error) {
      if (isUnsupportedOperation(error)) return undefined;
      throw error;
    }
  }

  /**
   * One call, retried; errors no retry fixes become ToolErrors naming the IAM action. An endpoint without the API
   * is a ToolError too, except for the optional reads, which pass it through to become "not read".
   */
  private call<T>(action: string, send: () => Promise<T>, optional = false): Promise<T> {
    const retry = this.options.retry ?? PATIENT_RETRY;
    const table = `${this.ref.region}/${this.ref.table}`;
    return retryPatiently(
      send,
      retry.retries,
      (attempt) => backoff(attempt, retry, this.options.signal),
      (error) => {
        if (!isUnsupportedOperation(error)) return fatalAwsError(error, action, this.ref, this.options);
        if (optional) return undefined;
        return new ToolError(`the endpoint of ${table} does not implement ${action} (DynamoDB Local lacks some APIs)`, {
          cause: error,
        });
      },
    );
  }
}
