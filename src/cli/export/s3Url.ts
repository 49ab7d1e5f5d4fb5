/**
 * `s3://BUCKET/PREFIX` locations as the operator types them: where an export lies (`backfill --from-export`) and
 * where one is to be written (`create-slave --export-bucket`). Pure, so the command line checks them before any call.
 */

/** A bucket and a key prefix (without leading or trailing slash; empty for the bucket's root). */
export interface S3Location {
  readonly bucket: string;
  readonly prefix: string;
}

/** An export's folder: `s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT_ID`. */
export interface ExportLocation extends S3Location {
  /** The export's id, the folder under `AWSDynamoDB/`. */
  readonly exportId: string;
  /** The key of the export's folder: `PREFIX/AWSDynamoDB/EXPORT_ID` (no trailing slash). */
  readonly folder: string;
}

/** Bucket names as S3 accepts them: 3 to 63 lowercase letters, digits, dots and hyphens. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** `s3://BUCKET/PREFIX` split, or a message saying what is wrong with `text` (named `option`). */
export function parseS3Location(text: string, option: string): S3Location | string {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(text.trim());
  if (!match) return `${option} must be an S3 location like s3://my-bucket/exports, got "${text}"`;
  const bucket = match[1] as string;
  if (!BUCKET.test(bucket))
    return `${option}: "${bucket}" is not an S3 bucket name (3-63 lowercase letters, digits, . and -)`;
  return { bucket, prefix: (match[2] as string).replace(/^\/+|\/+$/g, '') };
}

/**
 * `s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT_ID` split, or a message naming what is missing: the folder DynamoDB wrote,
 * which holds manifest-summary.json, not the prefix above it (one prefix may hold many exports).
 */
export function parseExportLocation(text: string, option: string): ExportLocation | string {
  const location = parseS3Location(text, option);
  if (typeof location === 'string') return location;
  const parts = location.prefix.split('/');
  const marker = parts.lastIndexOf('AWSDynamoDB');
  const exportId = parts[marker + 1];
  if (marker < 0 || exportId === undefined || parts.length !== marker + 2) {
    return (
      `${option} must name one export's folder, s3://BUCKET/PREFIX/AWSDynamoDB/EXPORT_ID (the folder holding ` +
      `manifest-summary.json), got "${text}"`
    );
  }
  return {
    bucket: location.bucket,
    prefix: parts.slice(0, marker).join('/'),
    exportId,
    folder: location.prefix,
  };
}

/** `s3://bucket/key`, as messages show an object. */
export function formatS3Object(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}
