/**
 * Item equality by value, as DynamoDB means it — not by the text or order the SDK happens to return.
 *
 * - Numbers compare as numbers, exactly: "1.50" equals "1.5" and "1e2" equals "100". No float conversion, so two
 *   38-digit numbers differing in the last digit stay different.
 * - Sets (SS, NS, BS) compare without order; number sets as numbers, binary sets by bytes.
 * - Binary compares by bytes; maps key by key; lists element by element, in order.
 * - Values of different types are different (the number 1 is not the string "1").
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../shared/item';
import { canonicalNumber } from '../../shared/key';

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Set equality on canonical members (duplicates, which DynamoDB forbids anyway, do not change the result). */
function setsEqual(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  if (left.size !== right.size) return false;
  for (const member of left) if (!right.has(member)) return false;
  return true;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** True when two attribute values are equal by value. */
export function valuesEqual(a: AttributeValue, b: AttributeValue): boolean {
  if (a.S !== undefined) return b.S !== undefined && a.S === b.S;
  if (a.N !== undefined) return b.N !== undefined && canonicalNumber(a.N) === canonicalNumber(b.N);
  if (a.B !== undefined) return b.B !== undefined && bytesEqual(a.B, b.B);
  if (a.BOOL !== undefined) return b.BOOL !== undefined && a.BOOL === b.BOOL;
  if (a.NULL !== undefined) return b.NULL !== undefined;
  if (a.SS !== undefined) return b.SS !== undefined && setsEqual(a.SS, b.SS);
  if (a.NS !== undefined) return b.NS !== undefined && setsEqual(a.NS.map(canonicalNumber), b.NS.map(canonicalNumber));
  if (a.BS !== undefined) return b.BS !== undefined && setsEqual(a.BS.map(hex), b.BS.map(hex));
  if (a.L !== undefined) {
    const other = b.L;
    return (
      other !== undefined &&
      a.L.length === other.length &&
      a.L.every((v, i) => valuesEqual(v, other[i] as AttributeValue))
    );
  }
  if (a.M !== undefined) return b.M !== undefined && itemsEqual(a.M, b.M);
  // An unknown shape (a newer SDK type): equal only if it serialises identically.
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The top-level attribute names whose values differ (present on one side only, or unequal), sorted. */
export function differingAttributes(a: Item, b: Item): string[] {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differing: string[] = [];
  for (const name of names) {
    const left = a[name];
    const right = b[name];
    if (left === undefined || right === undefined || !valuesEqual(left, right)) differing.push(name);
  }
  return differing.sort();
}

/** True when two items (or maps) have the same attribute names with equal values. */
export function itemsEqual(a: Item, b: Item): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => {
    const right = b[name];
    return right !== undefined && valuesEqual(a[name] as AttributeValue, right);
  });
}
