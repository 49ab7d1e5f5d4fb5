/**
 * `create-slave`: makes the slave table from the master's definition, so a replica does not start with a forgotten
 * index, another projection or no TTL. Reads the master (DescribeTable, DescribeTimeToLive,
 * DescribeContinuousBackups, ListTagsOfResource); when the slave exists, compares instead of creating and changes
 * nothing; otherwise sends the plan of plan.ts — CreateTable, waits until the table and its indexes are ACTIVE, then
 * UpdateTimeToLive, UpdateContinuousBackups and TagResource. `dryRun` stops after planning. The clients come from
 * table/sideClients.ts, the calls from table/definitionAccess.ts; a KMS-encrypted master whose key cannot follow the
 * slave as it is is asked about in masterKey.ts (KMS DescribeKey). With `withData`, the slave is created by an export
 * of the master and ImportTable instead of CreateTable (importPlan.ts, withData.ts).
 */
import { existsSync } from 'node:fs';
import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { sleep } from '../../shared/sleep';
import { formatTableRef, sameTable, type TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import type { ProgressOptions } from '../progress';
import { definitionDifferences, type TableDefinition, tableDefinition } from '../table/definition';
import { DefinitionAccess } from '../table/definitionAccess';
import { openSideClients, type SideAccess } from '../table/sideClients';
import { exportIdOf, type ImportPlan, planImport, withDataProblems } from './importPlan';
import { masterKeyManager } from './masterKey';
import { masterKeyToDescribe, planSlave, type SlaveContext, type SlaveOverrides, type SlavePlan } from './plan';
import { refuseSlaveOfAnotherAccount } from './slaveAccount';
import {
  exportAndImport,
  sendSettingsAfterImport,
  streamEnabled,
  type WithDataReport,
  type WithDataSettings,
} from './withData';

/** Settings of a create-slave run. */
export interface CreateSlaveConfig {
  readonly master: TableRef;
  readonly slave: TableRef;
  readonly endpoint?: string;
  /** Whose credentials read the master (`--from-role-arn`/`--from-profile`); the default chain's if unset. */
  readonly masterAccess?: SideAccess;
  /** Whose credentials create and configure the slave (`--to-role-arn`/`--to-profile`); the default chain's if unset. */
  readonly slaveAccess?: SideAccess;
  readonly overrides: SlaveOverrides;
  /** Print the requests instead of sending them. */
  readonly dryRun: boolean;
  /** Only a terminal ('bar') shows the wait for ACTIVE; other modes print nothing. */
  readonly progress: ProgressOptions;
  /** Milliseconds between DescribeTable calls while waiting for ACTIVE. */
  readonly pollMs: number;
  /** Create the slave from an export of the master (`--with-data --export-bucket`). */
  readonly withData?: WithDataSettings;
}

/** One request create-slave sent (or, in a dry run, would send). */
export interface SentRequest {
  readonly action:
    | 'CreateTable'
    | 'UpdateTimeToLive'
    | 'UpdateContinuousBackups'
    | 'TagResource'
    | 'DescribeTable'
    | 'DescribeContinuousBackups'
    | 'ExportTableToPointInTime'
    | 'ImportTable'
    | 'UpdateTable';
  readonly input: object;
}

/** What a create-slave run did. */
export interface CreateSlaveSummary {
  readonly command: 'create-slave';
  readonly master: string;
  readonly slave: string;
  /** created; would-create (dry run); already-matches (exit 0); differs (exit 2, nothing changed). */
  readonly outcome: 'created' | 'would-create' | 'already-matches' | 'differs';
  readonly requests: readonly SentRequest[];
  /** How an existing slave differs from the master (outcome `differs`). */
  readonly differences: readonly string[];
  /** What could not be copied and why (an endpoint without backups or tagging). */
  readonly warnings: readonly string[];
  /** With `--with-data`: the master's size, and the export and import (not in a dry run). */
  readonly withData?: { readonly masterItems: number; readonly masterBytes: number } & Partial<WithDataReport>;
  readonly seconds: number;
}

/** The placeholder a dry run shows where TagResource takes the ARN CreateTable returns. */
export const NEW_TABLE_ARN = '<ARN of the new table>';

/** The plan as the list of requests, in the order they are sent. */
export function planRequests(plan: SlavePlan, slaveArn: string): SentRequest[] {
  return [
    { action: 'CreateTable', input: plan.createTable },
    ...(plan.timeToLive ? [{ action: 'UpdateTimeToLive' as const, input: plan.timeToLive }] : []),
    ...(plan.continuousBackups ? [{ action: 'UpdateContinuousBackups' as const, input: plan.continuousBackups }] : []),
    ...(plan.tags ? [{ action: 'TagResource' as const, input: { ResourceArn: slaveArn, Tags: plan.tags } }] : []),
  ];
}

/** The requests of an export-and-import, in order; `exportId` stands for the export's id until it is known. */
export function importRequests(master: TableRef, plan: ImportPlan, exportId: string, slaveArn: string): SentRequest[] {
  const { timeToLive, continuousBackups, tags } = plan.after;
  return [
    { action: 'DescribeTable', input: { TableName: master.table } },
    { action: 'DescribeContinuousBackups', input: { TableName: master.table } },
    { action: 'ExportTableToPointInTime', input: plan.exportTable },
    { action: 'ImportTable', input: plan.importTable(exportId) },
    ...(timeToLive ? [{ action: 'UpdateTimeToLive' as const, input: timeToLive }] : []),
    ...(continuousBackups ? [{ action: 'UpdateContinuousBackups' as const, input: continuousBackups }] : []),
    ...(tags ? [{ action: 'TagResource' as const, input: { ResourceArn: slaveArn, Tags: tags } }] : []),
    ...(plan.updateTable ? [{ action: 'UpdateTable' as const, input: plan.updateTable }] : []),
  ];
}

/** The master's whole definition; a ToolError naming it when it does not exist. */
async function readMaster(
  access: DefinitionAccess,
  tags: boolean,
): Promise<{
  definition: TableDefinition;
  warnings: string[];
  arn: string | undefined;
  description: TableDescription;
}> {
  const description = await access.describeTable();
  const ref = access.ref;
  if (!description) {
    throw new ToolError(
      `the master table ${ref.table} was not found in region ${ref.region}: check the name and the region (create-slave copies its definition)`,
    );
  }
  const extras = await access.extras({ arn: description.TableArn, backups: true, tags });
  const warnings: string[] = [];
  if (extras.pointInTimeRecovery === undefined) {
    warnings.push(
      'point-in-time recovery not copied: the endpoint does not implement DescribeContinuousBackups (DynamoDB Local does not)',
    );
  }
  if (tags && extras.tags === undefined) {
    warnings.push('tags not copied: the endpoint does not implement ListTagsOfResource (DynamoDB Local does not)');
  }
  return { definition: tableDefinition(description, ref, extras), warnings, arn: description.TableArn, description };
}

/**
 * What planning needs beyond the definitions: the slave's account when `--to-role-arn` names it, and — when the
 * master's KMS key cannot simply be reused there — whether that key is AWS-managed (KMS DescribeKey).
 */
async function slaveContext(
  master: TableDefinition,
  config: CreateSlaveConfig,
  signal: AbortSignal | undefined,
): Promise<SlaveContext> {
  const account = config.slaveAccess?.roleArn?.split(':')[4] || undefined;
  const where: SlaveContext = account ? { account } : {};
  const keyArn = masterKeyToDescribe(master, config.slave, config.overrides, where);
  if (keyArn === undefined) return where;
  const manager = await masterKeyManager({
    keyArn,
    master: config.master,
    slave: config.slave,
    masterAccess: config.masterAccess,
    signal,
  });
  return { ...where, masterKeyManager: manager };
}

/** Where the table is on its way to ACTIVE, e.g. `table CREATING, indexes 1/2 ACTIVE`. */
function creationState(description: TableDescription | undefined): { active: boolean; text: string } {
  const indexes = description?.GlobalSecondaryIndexes ?? [];
  const activeIndexes = indexes.filter((index) => index.IndexStatus === 'ACTIVE').length;
  const status = description?.TableStatus ?? 'CREATING';
  return {
    active: status === 'ACTIVE' && activeIndexes === indexes.length,
    text: `table ${status}${indexes.length > 0 ? `, indexes ${activeIndexes}/${indexes.length} ACTIVE` : ''}`,
  };
}

/** Polls DescribeTable until the table and its global indexes are ACTIVE; the last description. */
async function waitUntilActive(
  access: DefinitionAccess,
  config: CreateSlaveConfig,
  signal: AbortSignal | undefined,
): Promise<TableDescription | undefined> {
  const started = performance.now();
  const show = config.progress.mode === 'bar';
  let shown = false;
  let longest = 0;
  try {
    for (;;) {
      // Just after CreateTable, DescribeTable may not know the table yet: that is "still creating".
      const description = await access.describeTable();
      const state = creationState(description);
      if (state.active) return description;
      if (show) {
        const seconds = Math.round((performance.now() - started) / 1000);
        const line = `create-slave: waiting for ${formatTableRef(config.slave)}: ${state.text}, ${seconds} s`;
        // Padded over the previous line, which may have been longer.
        config.progress.write(`\r${line.padEnd(longest)}`);
        longest = Math.max(longest, line.length);
        shown = true;
      }
      if (signal?.aborted) {
        throw new ToolError(
          `interrupted while ${formatTableRef(config.slave)} was being created (${state.text}); TTL, point-in-time recovery and tags were not set: run the same command again once it is ACTIVE to see what differs`,
        );
      }
      await sleep(config.pollMs, signal);
    }
  } finally {
    if (shown) config.progress.write('\n');
  }
}

/** Sends the plan: creates the table, waits for ACTIVE, then TTL, point-in-time recovery and tags. */
async function createFromPlan(
  access: DefinitionAccess,
  plan: SlavePlan,
  config: CreateSlaveConfig,
  signal: AbortSignal | undefined,
): Promise<SentRequest[]> {
  if (signal?.aborted)
    throw new ToolError(`interrupted before ${formatTableRef(config.slave)} was created; nothing changed`);
  const created = await access.createTable(plan.createTable);
  const description = await waitUntilActive(access, config, signal);
  const arn = created?.TableArn ?? description?.TableArn ?? NEW_TABLE_ARN;
  if (plan.timeToLive) await access.updateTimeToLive(plan.timeToLive);
  if (plan.continuousBackups) await access.updateContinuousBackups(plan.continuousBackups);
  if (plan.tags) await access.tagResource(arn, plan.tags);
  return planRequests(plan, arn);
}

/**
 * Runs create-slave. Resolves with what it did (a slave that differs is an outcome, not an error); rejects with a
 * ToolError when it cannot go on (missing master, missing permission, a KMS key that cannot follow the slave).
 */
export async function runCreateSlave(config: CreateSlaveConfig, signal?: AbortSignal): Promise<CreateSlaveSummary> {
  if (sameTable(config.master, config.slave)) {
    throw new ToolError(`master and slave are the same table (${formatTableRef(config.master)})`);
  }
  const started = performance.now();
  const clients = openSideClients({
    master: config.master,
    slave: config.slave,
    endpoint: config.endpoint,
    masterAccess: config.masterAccess,
    slaveAccess: config.slaveAccess,
  });
  const settings = { endpoint: config.endpoint, signal };
  const masterAccess = new DefinitionAccess(config.master, clients.master, {
    ...settings,
    identity: clients.masterIdentity,
    side: 'master',
  });
  const slaveAccess = new DefinitionAccess(config.slave, clients.slave, {
    ...settings,
    identity: clients.slaveIdentity,
    side: 'slave',
  });
  const summary = (
    outcome: CreateSlaveSummary['outcome'],
    details: Pick<CreateSlaveSummary, 'requests' | 'differences' | 'warnings' | 'withData'>,
  ): CreateSlaveSummary => ({
    command: 'create-slave',
    master: formatTableRef(config.master),
    slave: formatTableRef(config.slave),
    outcome,
    ...details,
    seconds: (performance.now() - started) / 1000,
  });
  try {
    const master = await readMaster(masterAccess, config.overrides.tags);
    refuseSlaveOfAnotherAccount(config, master.arn);
    const existing = await slaveAccess.describeTable();
    // A rerun of an import in progress resumes it, though the slave exists already (being imported).
    const resumingImport = config.withData !== undefined && existsSync(config.withData.stateFile);
    if (existing && !resumingImport) {
      const extras = await slaveAccess.extras({ backups: false, tags: false });
      const differences = definitionDifferences(master.definition, tableDefinition(existing, config.slave, extras));
      return summary(differences.length === 0 ? 'already-matches' : 'differs', {
        requests: [],
        differences,
        warnings: [],
      });
    }
    const context = await slaveContext(master.definition, config, signal);
    const plan = planSlave(master.definition, config.slave, config.overrides, context);
    if (config.withData) {
      const withData = config.withData;
      const problems = withDataProblems(master.definition, {
        pointInTimeRecovery: master.definition.pointInTimeRecovery?.enabled,
        streamEnabled: streamEnabled(master.description),
      });
      if (problems) throw new ToolError(problems);
      const size = {
        masterItems: Number(master.description.ItemCount ?? 0),
        masterBytes: Number(master.description.TableSizeBytes ?? 0),
      };
      const masterArn = master.description.TableArn ?? formatTableRef(config.master);
      const importPlan = (token: string): ImportPlan => planImport(plan, masterArn, withData.target, token);
      if (config.dryRun) {
        const requests = importRequests(config.master, importPlan('<ClientToken>'), '<EXPORT_ID>', NEW_TABLE_ARN);
        return summary('would-create', { requests, differences: [], warnings: master.warnings, withData: size });
      }
      config.progress.write(
        `create-slave: the master holds about ${size.masterItems} items, ${(size.masterBytes / 1e9).toFixed(2)} GB: ` +
          `exporting it to s3://${withData.target.bucket.bucket}/${withData.target.bucket.prefix}, then importing it as ` +
          `${formatTableRef(config.slave)}\n`,
      );
      let slaveArn = NEW_TABLE_ARN;
      const report = await exportAndImport({
        master: { access: masterAccess, ref: config.master },
        slave: { access: slaveAccess, ref: config.slave },
        plan: importPlan,
        settings: withData,
        progress: config.progress,
        signal,
        sendSettings: async (sent) => {
          const description = await waitUntilActive(slaveAccess, config, signal);
          slaveArn = description?.TableArn ?? NEW_TABLE_ARN;
          await sendSettingsAfterImport(slaveAccess, sent, description, slaveArn);
        },
      });
      const requests = importRequests(
        config.master,
        importPlan('<ClientToken>'),
        exportIdOf(report.exportArn),
        slaveArn,
      );
      const late = report.late
        ? [
            `the import finished after ${report.deadline}, when the stream may have dropped changes made since the export: ` +
              'attach the function, then run backfill (or verify --repair)',
          ]
        : [];
      return summary('created', {
        requests,
        differences: [],
        warnings: [...master.warnings, ...late],
        withData: { ...size, ...report },
      });
    }
    if (config.dryRun) {
      return summary('would-create', {
        requests: planRequests(plan, NEW_TABLE_ARN),
        differences: [],
        warnings: master.warnings,
      });
    }
    const requests = await createFromPlan(slaveAccess, plan, config, signal);
    return summary('created', { requests, differences: [], warnings: master.warnings });
  } finally {
    clients.close();
  }
}
