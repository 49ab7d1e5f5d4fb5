/**
 * Reading one export data file (src/cli/export/dataFile.ts) with S3 mocked: its lines are split on the newline byte
 * over the unzipped stream's chunks, so items survive a chunk boundary inside a multi-byte character, CRLF line ends
 * and blank lines, and a malformed line is named by its number however deep in the file it is.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { dataFilePages, md5Base64 } from '../../../src/cli/export/dataFile';
import { S3Objects } from '../../../src/cli/export/s3Objects';
import { itemToJson } from '../../../src/cli/table/attributeJson';
import { itemsEqual } from '../../../src/cli/verify/valueEquality';
import type { Item } from '../../../src/shared/item';

const s3 = mockClient(S3Client);
const KEY = 'exports/AWSDynamoDB/01700000000000-abcdef12/data/00000.json.gz';

/** Reads `text`, gzipped, as the data file of a table keyed by `pk` (S), `pageSize` items a page. */
async function readFile(text: string, pageSize = 1000): Promise<Item[][]> {
  const bytes = gzipSync(text);
  s3.on(GetObjectCommand, { Bucket: 'exports', Key: KEY }).resolves({
    Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never,
  });
  const pages: Item[][] = [];
  const source = {
    objects: new S3Objects(new S3Client({ region: 'us-east-1' }), { region: 'us-east-1' }),
    bucket: 'exports',
    file: { key: KEY, md5: md5Base64(bytes), itemCount: 0 },
    keySchema: { partitionKey: { name: 'pk', type: 'S' as const } },
    pageSize,
  };
  for await (const page of dataFilePages(source)) pages.push(page);
  return pages;
}

/** An item with multi-byte characters in a string long enough that a file of a few thousand spans many chunks. */
function item(index: number): Item {
  return {
    pk: { S: `item-${index}-é` },
    text: { S: `${'🙂é'.repeat(index % 97)}${'x'.repeat(40)}` },
    blob: { B: new Uint8Array([index & 0xff, 0, 255]) },
  };
}

const line = (value: Item): string => JSON.stringify({ Item: itemToJson(value) });

beforeEach(() => s3.reset());

describe('export data file', () => {
  test('items come back whole across unzip chunk boundaries inside multi-byte characters, CRLF ends and blank lines', async () => {
    // Prepare: over 1 MB of text (the stream hands it out in chunks of 256 KiB), CRLF, blank lines, no final newline
    const items = Array.from({ length: 4000 }, (_, index) => item(index));
    const text = items.map((value, index) => (index % 500 === 0 ? `\r\n${line(value)}` : line(value))).join('\r\n');
    expect(Buffer.byteLength(text)).toBeGreaterThan(1_000_000);

    // Act
    const pages = await readFile(text, 1500);

    // Assess
    expect(pages.map((page) => page.length)).toEqual([1500, 1500, 1000]);
    const read = pages.flat();
    expect(read.every((value, index) => itemsEqual(value, items[index] as Item))).toBe(true);
    expect(read[3999]?.text?.S).toBe(items[3999]?.text?.S);
  });

  test('a malformed line deep in the file is named by its number, with the attribute path at fault', async () => {
    // Prepare: line 3001 holds a number as a string's value
    const lines = Array.from({ length: 3500 }, (_, index) => line(item(index)));
    lines[3000] = '{"Item":{"pk":{"S":"bad"},"text":{"L":[{"S":"a"},{"S":5}]}}}';

    // Act
    const reading = readFile(`${lines.join('\n')}\n`);

    // Assess
    await expect(reading).rejects.toThrow(
      /data\/00000\.json\.gz line 3001 is not an \{"Item": …\} line of DynamoDB JSON \(TypeError: Item\.text\.L\[1\]\.S: expected a string\)/,
    );
  });
});
