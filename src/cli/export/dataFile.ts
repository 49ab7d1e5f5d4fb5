/**
 * One data file of an export, read as `backfill --from-export` loads it: the gzip object is fetched whole and its MD5
 * checked against the manifest before a single item is written (a damaged file must not reach the slave), then
 * unzipped as a stream and its `{"Item": …}` lines (DynamoDB JSON, binary as base64) handed out page by page.
 */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Item } from '../../shared/item';
import { ToolError } from '../errors';
import { itemFromJson } from '../table/attributeJson';
import { formatKeySchema, type KeyAttribute, type KeySchema } from '../table/tableInfo';
import type { ExportDataFile } from './manifest';
import type { S3Objects } from './s3Objects';
import { formatS3Object } from './s3Url';

/** Where a data file lies and what its items must carry. */
export interface DataFileSource {
  readonly objects: S3Objects;
  readonly bucket: string;
  readonly file: ExportDataFile;
  /** The slave's key schema: an item without these attributes and types cannot be written there. */
  readonly keySchema: KeySchema;
  readonly pageSize: number;
}

/** The base64 MD5 of `bytes`, as export manifests give it. */
export function md5Base64(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('base64');
}

/** The type of `attribute` in `item`, or what it lacks. */
function keyTypeProblem(item: Item, attribute: KeyAttribute): string | undefined {
  const value = item[attribute.name];
  if (value === undefined) return `has no ${attribute.name}`;
  if (value[attribute.type] === undefined) return `has ${attribute.name} of type ${Object.keys(value).join('')}`;
  return undefined;
}

/** The items of one data file, `pageSize` at a time; throws a ToolError for a checksum or key schema mismatch. */
export async function* dataFilePages(source: DataFileSource): AsyncGenerator<Item[]> {
  const { objects, bucket, file, keySchema, pageSize } = source;
  const object = formatS3Object(bucket, file.key);
  const bytes = await objects.read(bucket, file.key, 'the export data file');
  const md5 = md5Base64(bytes);
  if (md5 !== file.md5) {
    throw new ToolError(
      `checksum mismatch: export data file ${object} has MD5 ${md5}, the manifest says ${file.md5}; the file is ` +
        'damaged or not the one exported: nothing of it was written. Export again, or copy the file again',
    );
  }
  const keys = [keySchema.partitionKey, ...(keySchema.sortKey ? [keySchema.sortKey] : [])];
  const lines = createInterface({
    input: Readable.from([bytes]).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let page: Item[] = [];
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === '') continue;
      page.push(parseLine(line, `${object} line ${number}`, keys, keySchema));
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`export data file ${object} is not readable gzip (${String(error)})`);
  } finally {
    lines.close();
  }
  if (page.length > 0) yield page;
}

/** One `{"Item": …}` line as an SDK item, with the slave's key attributes checked. */
function parseLine(line: string, where: string, keys: readonly KeyAttribute[], keySchema: KeySchema): Item {
  let item: Item;
  try {
    const json = JSON.parse(line) as { Item?: unknown };
    item = itemFromJson(json.Item, 'Item');
  } catch (error) {
    throw new ToolError(`${where} is not an {"Item": …} line of DynamoDB JSON (${String(error)})`);
  }
  for (const key of keys) {
    const problem = keyTypeProblem(item, key);
    if (problem) {
      throw new ToolError(
        `key schema differs: an item of ${where} ${problem}, and the slave's key is ${formatKeySchema(keySchema)}; ` +
          "load an export of a table with the slave's key schema",
      );
    }
  }
  return item;
}
