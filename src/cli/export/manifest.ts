/**
 * An export's manifests, read and checked before any item is loaded: `manifest-summary.json` (what was exported,
 * when, in which format) and `manifest-files.json` (one line per gzip data file, with its item count and MD5), in
 * the layout DynamoDB writes under `PREFIX/AWSDynamoDB/EXPORT_ID/`. What `backfill --from-export` cannot load — an
 * ION or incremental export, a manifest that is missing or unreadable — is refused here with a message naming it.
 */
import { sourceTableOf, type TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import type { S3Objects } from './s3Objects';
import { type ExportLocation, formatS3Object } from './s3Url';

/** One data file of an export. */
export interface ExportDataFile {
  /** Its key in the export's bucket. */
  readonly key: string;
  /** The MD5 of the gzip object, base64, as the manifest gives it. */
  readonly md5: string;
  readonly itemCount: number;
}

/** What a full DYNAMODB_JSON export holds, as its manifests say. */
export interface ExportManifest {
  readonly exportArn: string;
  /** The point in time the export's items are from. */
  readonly exportTime: Date;
  /** The exported table's region and name (from its ARN). */
  readonly table: TableRef;
  readonly itemCount: number;
  readonly files: readonly ExportDataFile[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string, object: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ToolError(`${object} is not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/**
 * The key of a file the manifest names, in the bucket the export is read from: as given when it lies under the
 * export's folder, else re-rooted there (an export copied to another bucket or prefix keeps its old keys inside).
 */
function keyInLocation(location: ExportLocation, key: string): string {
  if (key.startsWith(`${location.folder}/`)) return key;
  const at = key.indexOf(`AWSDynamoDB/${location.exportId}/`);
  if (at < 0) return key;
  return `${location.prefix ? `${location.prefix}/` : ''}${key.slice(at)}`;
}

/** The summary's checks: every problem that makes the export unloadable, in one message. */
function checkSummary(summary: Record<string, unknown>, object: string): { exportTime: Date; table: TableRef } {
  const problems: string[] = [];
  if (summary.outputFormat !== 'DYNAMODB_JSON') {
    problems.push(
      `its format is ${String(summary.outputFormat)}; backfill --from-export loads DYNAMODB_JSON exports: export ` +
        'again with --export-format DYNAMODB_JSON',
    );
  }
  if (summary.exportType !== undefined && summary.exportType !== 'FULL_EXPORT') {
    problems.push(
      `it is an ${String(summary.exportType)}: its files hold changes, not the table; load a full export and let the ` +
        "master's stream bring what changed since",
    );
  }
  const exportTime = new Date(String(summary.exportTime));
  if (typeof summary.exportTime !== 'string' || Number.isNaN(exportTime.getTime()))
    problems.push(`it has no exportTime (got ${JSON.stringify(summary.exportTime)})`);
  const table = typeof summary.tableArn === 'string' ? sourceTableOf(summary.tableArn) : undefined;
  if (!table) problems.push(`it names no table ARN (got ${JSON.stringify(summary.tableArn)})`);
  if (problems.length > 0 || !table)
    throw new ToolError(`export summary ${object} cannot be loaded: ${problems.join('; ')}`);
  return { exportTime, table };
}

/** The lines of manifest-files.json, each checked to name a data file with its MD5. */
function parseFiles(text: string, object: string, location: ExportLocation): ExportDataFile[] {
  const files: ExportDataFile[] = [];
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  for (const [index, line] of lines.entries()) {
    const entry = parseJson(line, `${object} line ${index + 1}`);
    if (!isRecord(entry) || typeof entry.dataFileS3Key !== 'string' || typeof entry.md5Checksum !== 'string') {
      throw new ToolError(`${object} line ${index + 1} names no data file with its md5Checksum: ${line.slice(0, 200)}`);
    }
    files.push({
      key: keyInLocation(location, entry.dataFileS3Key),
      md5: entry.md5Checksum,
      itemCount: Number(entry.itemCount) || 0,
    });
  }
  return files;
}

/** Reads and checks the manifests of the export at `location`; throws a ToolError naming what is wrong. */
export async function readExportManifest(objects: S3Objects, location: ExportLocation): Promise<ExportManifest> {
  const summaryKey = `${location.folder}/manifest-summary.json`;
  const summaryObject = formatS3Object(location.bucket, summaryKey);
  const summaryBytes = await objects.read(location.bucket, summaryKey, 'the export summary (no export there?)');
  const summary = parseJson(summaryBytes.toString('utf8'), `export summary ${summaryObject}`);
  if (!isRecord(summary)) throw new ToolError(`export summary ${summaryObject} is not a JSON object`);
  const { exportTime, table } = checkSummary(summary, summaryObject);
  const filesKey = keyInLocation(
    location,
    typeof summary.manifestFilesS3Key === 'string'
      ? summary.manifestFilesS3Key
      : `${location.folder}/manifest-files.json`,
  );
  const filesObject = formatS3Object(location.bucket, filesKey);
  const filesText = (await objects.read(location.bucket, filesKey, 'the export files manifest')).toString('utf8');
  const files = parseFiles(filesText, filesObject, location);
  return {
    exportArn: String(summary.exportArn ?? `${location.folder}`),
    exportTime,
    table,
    itemCount: Number(summary.itemCount) || files.reduce((sum, file) => sum + file.itemCount, 0),
    files,
  };
}
