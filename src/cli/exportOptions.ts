/**
 * The command-line options about exports, apart from options.ts: `backfill --from-export` (an export to load) and
 * `create-slave --with-data --export-bucket [--export-bucket-owner]` (where to export the master for ImportTable).
 * Each refuses, as a usage error, what does not go with it.
 */
import { join } from 'node:path';
import type { TableRef } from '../shared/tableRef';
import type { WithDataSettings } from './createSlave/withData';
import { UsageError } from './errors';
import { type ExportLocation, parseExportLocation, parseS3Location } from './export/s3Url';

/** `--from-export`: the export's folder; a scan's segment options do not go with it (its data files are the units). */
export function exportOption(values: {
  readonly 'from-export'?: string;
  readonly segment?: string;
  readonly segments?: string;
  readonly 'total-segments'?: string;
}): ExportLocation | undefined {
  const text = values['from-export'];
  if (text === undefined) return undefined;
  const location = parseExportLocation(text, '--from-export');
  if (typeof location === 'string') throw new UsageError(location);
  const scanOptions = (['segment', 'segments', 'total-segments'] as const).filter((name) => values[name] !== undefined);
  if (scanOptions.length > 0) {
    throw new UsageError(
      `--${scanOptions[0]} divides a scan of the master; --from-export loads the export's data files instead, all in one run`,
    );
  }
  return location;
}

/** Milliseconds between DescribeExport / DescribeImport calls: exports and imports take minutes to hours. */
const IMPORT_POLL_MS = 20_000;

/** `--with-data --export-bucket s3://BUCKET/PREFIX [--export-bucket-owner ACCOUNT]`, as create-slave's settings. */
export function withDataOption(
  values: {
    readonly 'with-data'?: boolean;
    readonly 'export-bucket'?: string;
    readonly 'export-bucket-owner'?: string;
  },
  cwd: string,
  tables: { readonly master: TableRef; readonly slave: TableRef },
): { withData?: WithDataSettings } {
  const bucketText = values['export-bucket'];
  const owner = values['export-bucket-owner'];
  if (values['with-data'] !== true) {
    if (bucketText !== undefined || owner !== undefined)
      throw new UsageError('--export-bucket and --export-bucket-owner go with --with-data');
    return {};
  }
  if (bucketText === undefined)
    throw new UsageError('--with-data needs --export-bucket s3://BUCKET/PREFIX: where the master is exported to');
  const bucket = parseS3Location(bucketText, '--export-bucket');
  if (typeof bucket === 'string') throw new UsageError(bucket);
  if (owner !== undefined && !/^\d{12}$/.test(owner))
    throw new UsageError(`--export-bucket-owner must be a 12-digit AWS account id, got "${owner}"`);
  const { master, slave } = tables;
  const name = `create-slave-${master.region}.${master.table}-to-${slave.region}.${slave.table}`;
  return {
    withData: {
      target: { bucket, ...(owner === undefined ? {} : { owner }) },
      stateFile: join(cwd, `${name}.state.json`),
      pollMs: IMPORT_POLL_MS,
    },
  };
}
