/**
 * Writes a table export to S3 in the layout DynamoDB documents for a full export: under
 * `PREFIX/AWSDynamoDB/EXPORT_ID/`, `manifest-summary.json`, `manifest-files.json` (one JSON line per data file, with
 * its item count and base64 MD5) and `data/*.json.gz`, gzip files of `{"Item": …}` lines in DynamoDB JSON with binary
 * as base64. Tests and the benchmark load such exports with `backfill --from-export`; the fields a test overrides
 * (format, type, a wrong checksum) are those the tool must refuse.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { itemToJson } from '../src/cli/table/attributeJson';
import type { Item } from '../src/shared/item';

/** What to export, and what to change in the manifests. */
export interface ExportSpec {
  readonly bucket: string;
  readonly prefix: string;
  readonly exportId: string;
  /** `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME` of the exported table. */
  readonly tableArn: string;
  readonly exportTime: Date;
  readonly items: readonly Item[];
  /** Data files to spread the items over (DynamoDB writes at least one per partition). */
  readonly files: number;
  readonly outputFormat?: string;
  readonly exportType?: string;
  /** Data file positions whose manifest MD5 is wrong. */
  readonly badChecksums?: readonly number[];
}

/** `s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT_ID`, as `backfill --from-export` takes it. */
export function exportUrl(spec: Pick<ExportSpec, 'bucket' | 'prefix' | 'exportId'>): string {
  return `s3://${spec.bucket}/${spec.prefix}/AWSDynamoDB/${spec.exportId}`;
}

/** Writes the export of `spec` to S3 through `client`. */
export async function writeExport(client: S3Client, spec: ExportSpec): Promise<void> {
  const folder = `${spec.prefix}/AWSDynamoDB/${spec.exportId}`;
  const put = (key: string, body: string | Uint8Array): Promise<unknown> =>
    client.send(new PutObjectCommand({ Bucket: spec.bucket, Key: key, Body: body }));
  const lines: string[] = [];
  for (let file = 0; file < spec.files; file += 1) {
    const items = spec.items.filter((_, index) => index % spec.files === file);
    const text = items.map((item) => `${JSON.stringify({ Item: itemToJson(item) })}\n`).join('');
    const body = gzipSync(text);
    const key = `${folder}/data/${String(file).padStart(5, '0')}-${spec.exportId}.json.gz`;
    await put(key, body);
    const md5 = createHash('md5')
      .update(spec.badChecksums?.includes(file) ? Buffer.from('damaged') : body)
      .digest('base64');
    lines.push(JSON.stringify({ itemCount: items.length, md5Checksum: md5, etag: 'local', dataFileS3Key: key }));
  }
  await put(`${folder}/manifest-files.json`, `${lines.join('\n')}\n`);
  const time = spec.exportTime.toISOString();
  const summary = {
    version: '2020-06-30',
    exportArn: `${spec.tableArn}/export/${spec.exportId}`,
    startTime: time,
    endTime: time,
    tableArn: spec.tableArn,
    tableId: 'local',
    exportTime: time,
    s3Bucket: spec.bucket,
    s3Prefix: spec.prefix,
    s3SseAlgorithm: 'AES256',
    s3SseKmsKeyId: null,
    manifestFilesS3Key: `${folder}/manifest-files.json`,
    billedSizeBytes: 0,
    itemCount: spec.items.length,
    outputFormat: spec.outputFormat ?? 'DYNAMODB_JSON',
    exportType: spec.exportType ?? 'FULL_EXPORT',
  };
  await put(`${folder}/manifest-summary.json`, JSON.stringify(summary));
}
