/**
 * The items of `backfill --from-export`: an export of the master in S3 instead of a scan of the master. Opening it
 * reads and checks the manifests (export/manifest.ts) and refuses, before any write, an export the run cannot load
 * safely: one of another table (the changes since the export come from the master's stream, so the export must be
 * the master's), and — where the run is to be safe next to the replicator — one older than the stream's 24-hour
 * retention (less a margin) or older than the stream itself, since then some change made after the export is in no
 * stream the run can read. Each data file is one unit of progress: the state file records the files loaded whole.
 */
import type { Item } from '../../shared/item';
import { formatTableRef, sameTable, type TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import { dataFilePages } from '../export/dataFile';
import { type ExportManifest, readExportManifest } from '../export/manifest';
import { openS3Client, S3Objects, type S3Side } from '../export/s3Objects';
import type { ExportLocation } from '../export/s3Url';
import type { KeySchema } from '../table/tableInfo';

/** A stream keeps records for 24 hours; an export must be younger than that by this margin to be loaded safely. */
export const STREAM_RETENTION_MS = 24 * 3600_000;
export const EXPORT_AGE_MARGIN_MS = 3600_000;

/** An export opened for loading. */
export interface ExportSource {
  readonly manifest: ExportManifest;
  /** The items of data file `index` (its position in the manifest), a page at a time. */
  pages(index: number): AsyncIterable<Item[]>;
  close(): void;
}

/** What opening an export checks it against. */
export interface ExportChecks {
  readonly master: TableRef;
  /** The slave's key schema, which every item must carry. */
  readonly keySchema: KeySchema;
  /** The master's stream ARN, when the run must be safe next to the replicator (the `watched` mode). */
  readonly streamArn?: string;
  readonly pageSize: number;
  readonly now?: Date;
}

/** The time in a stream ARN's label (`…/stream/2024-05-01T12:00:00.000`), when it has one. */
function streamCreated(streamArn: string): Date | undefined {
  const label = streamArn.split('/stream/')[1];
  const time = label ? new Date(label.endsWith('Z') ? label : `${label}Z`) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

/** Why the export cannot be loaded next to the replicator, or undefined when it can. */
export function exportTimeProblem(exportTime: Date, streamArn: string, now: Date): string | undefined {
  const age = now.getTime() - exportTime.getTime();
  const limit = STREAM_RETENTION_MS - EXPORT_AGE_MARGIN_MS;
  if (age > limit) {
    return (
      `the export is from ${exportTime.toISOString()}, ${(age / 3600_000).toFixed(1)} hours ago: the master's stream ` +
      `keeps changes for 24 hours, so changes made since the export may be gone (exports up to ${limit / 3600_000} ` +
      'hours old are loaded). Export the master again, or run the backfill without --from-export (it scans the master)'
    );
  }
  const created = streamCreated(streamArn);
  if (created && created.getTime() > exportTime.getTime()) {
    return (
      `the master's stream was enabled at ${created.toISOString()}, after the export's time ${exportTime.toISOString()}: ` +
      'changes made in between are in no stream. Export the master again now that its stream is on'
    );
  }
  return undefined;
}

/** Opens the export at `location` with `side`'s access and checks it; throws a ToolError naming what is wrong. */
export async function openExportSource(
  location: ExportLocation,
  side: S3Side,
  checks: ExportChecks,
  filesInFlight: number,
): Promise<ExportSource> {
  const client = openS3Client(side, filesInFlight + 2);
  try {
    const objects = new S3Objects(client, side);
    const manifest = await readExportManifest(objects, location);
    if (!sameTable(manifest.table, checks.master)) {
      throw new ToolError(
        `the export ${manifest.exportArn} is of table ${formatTableRef(manifest.table)}, not of the master ` +
          `${formatTableRef(checks.master)}: the changes made since an export come from the master's stream, so ` +
          'load an export of the master',
      );
    }
    const problem =
      checks.streamArn && exportTimeProblem(manifest.exportTime, checks.streamArn, checks.now ?? new Date());
    if (problem) throw new ToolError(problem);
    return {
      manifest,
      pages: (index) => {
        const file = manifest.files[index];
        if (!file) throw new RangeError(`the export has no data file ${index}`);
        const source = {
          objects,
          bucket: location.bucket,
          file,
          keySchema: checks.keySchema,
          pageSize: checks.pageSize,
        };
        return dataFilePages(source);
      },
      close: () => client.destroy(),
    };
  } catch (error) {
    client.destroy();
    throw error;
  }
}
