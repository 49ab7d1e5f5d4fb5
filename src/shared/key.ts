/**
 * Item identity: one string per item, whatever form its key arrives in.
 *
 * Two changes belong to one item when their key attributes are equal as DynamoDB compares them. The string is built
 * from attribute names in sorted order (JSON key order is not meaningful), numbers in a canonical form ("1.50" and
 * "15e-1" are one number to DynamoDB) and binary as bytes. It works on SDK values, so a key read back from
 * `UnprocessedItems` maps to the same item as the key planned from the stream.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from './item';

const NUMBER_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
/** An integer already in canonical digits: no sign but `-`, no leading or trailing zero (the usual numeric key). */
const PLAIN_INTEGER = /^-?[1-9](?:\d*[1-9])?$/;

/** Canonical text of a DynamoDB number: equal numbers give equal strings ("1.50", "15e-1", "+1.5" → "15e-1"). */
export function canonicalNumber(text: string): string {
  // Every record's key passes through here: the common integer needs no parsing.
  if (PLAIN_INTEGER.test(text)) return `${text}e0`;
  const parts = NUMBER_PARTS.exec(text);
  if (!parts) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = parts;
  let digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  let scale = Number(exponent) - fraction.length;
  const trailing = /0+$/.exec(digits);
  if (trailing) {
    digits = digits.slice(0, -trailing[0].length);
    scale += trailing[0].length;
  }
  return `${sign === '-' ? '-' : ''}${digits}e${scale}`;
}

function keyPart(value: AttributeValue): string {
  if (value.S !== undefined) return `S:${value.S}`;
  if (value.N !== undefined) return `N:${canonicalNumber(value.N)}`;
  if (value.B !== undefined) return `B:${Buffer.from(value.B).toString('base64')}`;
  // Key attributes are S, N or B; anything else cannot be a key, but still gets a stable text.
  return `?:${JSON.stringify(value)}`;
}

/** The identity of the item with this key: equal for equal keys, different otherwise. */
export function itemKeyOf(key: Item): string {
  const names = Object.keys(key);
  // Keys have one or two attributes: two in order need no sort.
  if (names.length > 2 || (names.length === 2 && (names[0] as string) > (names[1] as string))) names.sort();
  // Length-prefixed parts: unambiguous whatever characters names and values hold, and cheap to build.
  let text = '';
  for (const name of names) {
    const part = keyPart(key[name] as AttributeValue);
    text += `${name.length}:${name}${part.length}:${part}`;
  }
  return text;
}

/** The key attributes of `item`, given the names of the key attributes (called for every item written: a plain loop). */
export function pickKey(item: Item, keyNames: readonly string[]): Item {
  const key: Item = {};
  for (const name of keyNames) if (Object.hasOwn(item, name)) key[name] = item[name] as AttributeValue;
  return key;
}
