/**
 * An item's size as DynamoDB bills it, to pace writes under `--max-wcu` before DynamoDB reports what they consumed.
 *
 * Follows the published rules: attribute names and strings by UTF-8 length, binary by bytes, numbers about one byte
 * per two significant digits plus one, booleans and nulls one byte, and three bytes of overhead plus one per element
 * for lists and maps. It is an estimate for pacing, not an invoice.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../shared/item';
import { canonicalNumber } from '../../shared/key';

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

function numberSize(text: string): number {
  const digits = canonicalNumber(text).replace(/^-/, '').replace(/e.*$/, '');
  return Math.ceil(digits.length / 2) + 1;
}

/** Bytes DynamoDB counts for one value (without its attribute name). */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, member) => sum + utf8(member), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, member) => sum + numberSize(member), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, member) => sum + member.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, element) => sum + 1 + valueSize(element), 0);
  if (value.M !== undefined) {
    return 3 + Object.entries(value.M).reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueSize(element), 0);
  }
  return 0;
}

/** Bytes DynamoDB counts for an item. */
export function itemSize(item: Item): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += utf8(name) + valueSize(value);
  return size;
}

/** Write capacity units one write of `item` consumes: one per started kilobyte. */
export function writeUnits(item: Item): number {
  return Math.max(1, Math.ceil(itemSize(item) / 1024));
}
