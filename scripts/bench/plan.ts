/**
 * The ideal plan of a batch: only the last change of each item matters to the slave, so the batch collapses to one
 * final write per distinct item (put of the last new image, or delete of the key). Written independently of `src/`
 * so it can serve as the yardstick for the handler.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { BenchStreamRecord, JsonAttributeValue, JsonImage } from './types';

/** An item or key as the SDK takes it (binary as bytes). */
export type SdkItem = Record<string, AttributeValue>;

/** The final write for one item. */
export type FinalWrite = { kind: 'put'; item: SdkItem } | { kind: 'delete'; key: SdkItem };

/** Identity of an item: attribute names sorted, so JSON key order does not matter. */
export function itemKey(keys: JsonImage): string {
  return JSON.stringify(
    Object.keys(keys)
      .sort()
      .map((name) => [name, keys[name]]),
  );
}

/** Converts a JSON attribute value from the stream to the SDK form (base64 binary decoded to bytes). */
export function toSdkValue(value: JsonAttributeValue): AttributeValue {
  if ('B' in value) return { B: Buffer.from(value.B, 'base64') };
  if ('BS' in value) return { BS: value.BS.map((b) => Buffer.from(b, 'base64')) };
  if ('M' in value) return { M: toSdkItem(value.M) };
  if ('L' in value) return { L: value.L.map(toSdkValue) };
  return value;
}

/** Converts a JSON image from the stream to the SDK form. */
export function toSdkItem(image: JsonImage): SdkItem {
  const out: SdkItem = {};
  for (const [name, value] of Object.entries(image)) out[name] = toSdkValue(value);
  return out;
}

/** The last change per item, in order of each item's first appearance. */
export function finalWrites(records: readonly BenchStreamRecord[]): FinalWrite[] {
  const last = new Map<string, BenchStreamRecord>();
  for (const record of records) {
    // A Map keeps the position of a key's first insertion, so the plan is stable across runs.
    last.set(itemKey(record.dynamodb.Keys), record);
  }
  return [...last.values()].map((record): FinalWrite => {
    const image = record.dynamodb.NewImage;
    return record.eventName === 'REMOVE' || !image
      ? { kind: 'delete', key: toSdkItem(record.dynamodb.Keys) }
      : { kind: 'put', item: toSdkItem(image) };
  });
}
