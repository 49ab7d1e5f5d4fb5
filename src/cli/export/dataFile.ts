/**
 * One data file of an export, read as `backfill --from-export` loads it: the gzip object is fetched whole and its MD5
 * checked against the manifest before a single item is written (a damaged file must not reach the slave), then
 * unzipped as a stream and its `{"Item": …}` lines (DynamoDB JSON, binary as base64) handed out page by page.
 */
import { createHash } from 'node:crypto';
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

/** Bytes the gunzip stream hands out at a time: a few hundred lines, parsed in one synchronous loop. */
const UNZIP_CHUNK_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/**
 * The lines of a gzip file's text, a chunk of whole lines at a time. Lines are split on the newline byte, which is
 * never part of a multi-byte UTF-8 character, so a chunk boundary inside a character does no harm; each chunk's
 * lines are then handled in one synchronous loop instead of one promise per line.
 */
async function* lineChunks(bytes: Uint8Array): AsyncGenerator<string[]> {
  const unzip = createGunzip({ chunkSize: UNZIP_CHUNK_BYTES });
  unzip.end(bytes);
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of unzip as AsyncIterable<Buffer>) {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end < 0) {
      rest = Buffer.concat([rest, chunk]);
      continue;
    }
    const whole = rest.length > 0 ? Buffer.concat([rest, chunk.subarray(0, end)]) : chunk.subarray(0, end);
    rest = Buffer.from(chunk.subarray(end + 1));
    yield whole.toString('utf8').split('\n');
  }
  if (rest.length > 0) yield [rest.toString('utf8')];
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
  let page: Item[] = [];
  let number = 0;
  try {
    for await (const lines of lineChunks(bytes)) {
      for (const line of lines) {
        number += 1;
        if (line.trim() === '') continue;
        page.push(parseLine(line, { object, number }, keys, keySchema));
        if (page.length >= pageSize) {
          yield page;
          page = [];
        }
      }
    }
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(`export data file ${object} is not readable gzip (${String(error)})`);
  }
  if (page.length > 0) yield page;
}

/** Where a line is, for messages (its text is built only for one). */
interface LinePlace {
  readonly object: string;
  readonly number: number;
}

/** One `{"Item": …}` line as an SDK item, with the slave's key attributes checked. */
function parseLine(line: string, place: LinePlace, keys: readonly KeyAttribute[], keySchema: KeySchema): Item {
  const where = (): string => `${place.object} line ${place.number}`;
  let item: Item;
  try {
    const json = JSON.parse(line) as { Item?: unknown };
    item = itemFromJson(json.Item, 'Item');
  } catch (error) {
    throw new ToolError(`${where()} is not an {"Item": …} line of DynamoDB JSON (${String(error)})`);
  }
  for (const key of keys) {
    const problem = keyTypeProblem(item, key);
    if (problem) {
      throw new ToolError(
        `key schema differs: an item of ${where()} ${problem}, and the slave's key is ${formatKeySchema(keySchema)}; ` +
          "load an export of a table with the slave's key schema",
      );
    }
  }
  return item;
}
