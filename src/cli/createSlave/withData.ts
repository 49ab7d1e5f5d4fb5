/**
 * create-slave --with-data: the slave is created by DynamoDB's own engine, already holding the master's items —
 * ExportTableToPointInTime of the master to S3 (no read capacity), then ImportTable in the slave's region and account
 * (no write capacity), each waited for with progress, then what ImportTable cannot set. The changes made after the
 * export's time come from the master's stream once the function is attached with TRIM_HORIZON, which must happen
 * before the stream drops them: the run prints that deadline (the export's time + 24 h, less a margin) and says so
 * when the import finished after it. The export and import ARNs and the ClientToken are kept in a state file, so a
 * rerun waits for the same export and import instead of starting new ones, and a request retried after a crash is
 * idempotent. The export is written with the master side's credentials, the import reads with the slave side's.
 * The state file is removed only once every setting is sent, so a rerun after a crash among them sends the settings
 * again — only those the slave does not have yet (importPlan.ts, settingsStillToSend).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { ExportDescription, ImportTableDescription, TableDescription } from '@aws-sdk/client-dynamodb';
import { sleep } from '../../shared/sleep';
import { formatTableRef, type TableRef } from '../../shared/tableRef';
import { EXPORT_AGE_MARGIN_MS, STREAM_RETENTION_MS } from '../backfill/exportSource';
import { ToolError } from '../errors';
import type { ProgressOptions } from '../progress';
import type { DefinitionAccess } from '../table/definitionAccess';
import {
  type ExportTarget,
  exportIdOf,
  type ImportPlan,
  type SettingsAfterImport,
  settingsStillToSend,
} from './importPlan';

/** What --with-data adds to create-slave's settings. */
export interface WithDataSettings {
  readonly target: ExportTarget;
  /** Where the export's and import's ARNs are kept for a rerun. */
  readonly stateFile: string;
  /** Milliseconds between DescribeExport / DescribeImport calls. */
  readonly pollMs: number;
}

/** What the export and import came to. */
export interface WithDataReport {
  readonly exportArn: string;
  readonly exportTime: string;
  /** Attach the function with TRIM_HORIZON before this time, or changes made since the export are lost. */
  readonly deadline: string;
  readonly importArn: string;
  readonly importedItems?: number;
  /** The import finished after the deadline: run backfill (or verify --repair) once the function is attached. */
  readonly late: boolean;
}

/** The state file: the run's ClientToken, and the export and import once started. */
interface ImportState {
  format: string;
  master: string;
  slave: string;
  clientToken: string;
  exportArn?: string;
  importArn?: string;
}

const STATE_FORMAT = 'dynamo-replicator/create-slave-import@1';

function loadImportState(path: string, master: string, slave: string): ImportState {
  if (!existsSync(path)) return { format: STATE_FORMAT, master, slave, clientToken: randomUUID() };
  let state: ImportState;
  try {
    state = JSON.parse(readFileSync(path, 'utf8')) as ImportState;
  } catch (error) {
    throw new ToolError(`state file ${path} is not readable JSON (${String(error)}); remove it to start over`);
  }
  if (state.format !== STATE_FORMAT || state.master !== master || state.slave !== slave) {
    throw new ToolError(
      `state file ${path} belongs to another run (${state.master} → ${state.slave}); remove it or run from another folder`,
    );
  }
  return state;
}

function saveImportState(path: string, state: ImportState): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

/** The deadline for attaching the function: the export's time plus the stream's retention, less the margin. */
export function attachDeadline(exportTime: Date): Date {
  return new Date(exportTime.getTime() + STREAM_RETENTION_MS - EXPORT_AGE_MARGIN_MS);
}

/** Polls `describe` until `done` says it ended, showing `what` as it goes; throws for a failed job. */
async function waitFor<T>(
  what: string,
  describe: () => Promise<T>,
  state: (answer: T) => { status: string; failure?: string },
  options: {
    progress: ProgressOptions;
    pollMs: number;
    signal?: AbortSignal;
    resume: string;
    /** A job that failed is not waited for again: the next run starts anew. */
    onFailure: () => string;
  },
): Promise<T> {
  const started = performance.now();
  let lastLine = 0;
  for (;;) {
    const answer = await describe();
    const { status, failure } = state(answer);
    if (status === 'COMPLETED') return answer;
    if (failure !== undefined) throw new ToolError(`${what} ${status}: ${failure}; ${options.onFailure()}`);
    const seconds = Math.round((performance.now() - started) / 1000);
    const line = `create-slave: ${what}: ${status}, ${seconds} s`;
    if (options.progress.mode === 'bar') options.progress.write(`\r${line}`);
    else if (options.progress.mode === 'lines' && performance.now() - lastLine >= 60_000) {
      options.progress.write(`${line}\n`);
      lastLine = performance.now();
    }
    if (options.signal?.aborted)
      throw new ToolError(`interrupted while waiting: ${what} is ${status}; ${options.resume}`);
    await sleep(options.pollMs, options.signal);
  }
}

/** The master's stream is on (the changes after the export come from it). */
export function streamEnabled(description: TableDescription): boolean {
  return description.StreamSpecification?.StreamEnabled === true;
}

/**
 * Sends the settings ImportTable cannot set to the imported slave (`description`, ACTIVE; `arn` for its tags), each
 * only when the slave does not have it yet: a rerun after a crash between them finds some in place.
 */
export async function sendSettingsAfterImport(
  access: DefinitionAccess,
  plan: SettingsAfterImport,
  description: TableDescription | undefined,
  arn: string,
): Promise<void> {
  const { continuousBackups, tags } = plan.after;
  const extras = await access.extras({ arn, backups: continuousBackups !== undefined, tags: tags !== undefined });
  const left = settingsStillToSend(plan, description, extras);
  if (left.after.timeToLive) await access.updateTimeToLive(left.after.timeToLive);
  if (left.after.continuousBackups) await access.updateContinuousBackups(left.after.continuousBackups);
  if (left.after.tags) await access.tagResource(arn, left.after.tags);
  if (left.updateTable) await access.updateTable(left.updateTable);
}

/**
 * Exports the master and imports it as the slave, waiting for each, then sends the settings ImportTable cannot set
 * (`sendSettings`, after the table is ACTIVE). Resumes the export and import the state file names.
 */
export async function exportAndImport(options: {
  readonly master: { readonly access: DefinitionAccess; readonly ref: TableRef };
  readonly slave: { readonly access: DefinitionAccess; readonly ref: TableRef };
  readonly plan: (clientToken: string) => ImportPlan;
  readonly settings: WithDataSettings;
  readonly progress: ProgressOptions;
  readonly signal?: AbortSignal;
  readonly sendSettings: (plan: ImportPlan) => Promise<void>;
  readonly now?: () => Date;
}): Promise<WithDataReport> {
  const { master, slave, settings, progress, signal } = options;
  const path = settings.stateFile;
  const state = loadImportState(path, formatTableRef(master.ref), formatTableRef(slave.ref));
  const plan = options.plan(state.clientToken);
  const resume = `run the same command again to wait for it (the state file ${path} names it)`;
  const onFailure = (): string => {
    rmSync(path, { force: true });
    return `the state file ${path} is removed: fix the cause and run the same command again to start anew`;
  };
  const wait = { progress, pollMs: settings.pollMs, signal, resume, onFailure };
  saveImportState(path, state);
  if (!state.exportArn) {
    const started = await master.access.exportToPointInTime(plan.exportTable);
    if (!started.ExportArn) throw new ToolError('ExportTableToPointInTime answered without an export ARN');
    state.exportArn = started.ExportArn;
    saveImportState(path, state);
  }
  const exportArn = state.exportArn;
  const exported = await waitFor<ExportDescription>(
    `exporting ${formatTableRef(master.ref)} (${exportArn})`,
    () => master.access.describeExport(exportArn),
    (answer) => ({
      status: answer.ExportStatus ?? 'IN_PROGRESS',
      ...(answer.ExportStatus === 'FAILED' ? { failure: `${answer.FailureCode}: ${answer.FailureMessage}` } : {}),
    }),
    wait,
  );
  const exportTime = exported.ExportTime ?? exported.StartTime ?? new Date();
  const deadline = attachDeadline(exportTime);
  progress.write(
    `create-slave: export from ${exportTime.toISOString()}: attach the function with TRIM_HORIZON before ` +
      `${deadline.toISOString()}, or the changes made since the export are lost from the stream\n`,
  );
  if (!state.importArn) {
    const started = await slave.access.importTable(plan.importTable(exportIdOf(exportArn)));
    if (!started.ImportArn) throw new ToolError('ImportTable answered without an import ARN');
    state.importArn = started.ImportArn;
    saveImportState(path, state);
  }
  const importArn = state.importArn;
  const imported = await waitFor<ImportTableDescription>(
    `importing into ${formatTableRef(slave.ref)} (${importArn})`,
    () => slave.access.describeImport(importArn),
    (answer) => ({
      status: answer.ImportStatus ?? 'IN_PROGRESS',
      ...(answer.ImportStatus === 'FAILED' || answer.ImportStatus === 'CANCELLED'
        ? { failure: `${answer.FailureCode}: ${answer.FailureMessage}` }
        : {}),
    }),
    wait,
  );
  await options.sendSettings(plan);
  rmSync(path, { force: true });
  const late = (options.now?.() ?? new Date()).getTime() > deadline.getTime();
  return {
    exportArn,
    exportTime: exportTime.toISOString(),
    deadline: deadline.toISOString(),
    importArn,
    ...(imported.ImportedItemCount === undefined ? {} : { importedItems: imported.ImportedItemCount }),
    late,
  };
}
