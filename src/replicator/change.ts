/**
 * One stream record → what it asks of the slave (pure: no I/O, no SDK client).
 *
 * INSERT and MODIFY put the record's `NewImage` (or, on a stream without new images, copy the item from the master);
 * REMOVE deletes the record's `Keys`. A record that cannot say what to write fails with a message naming what to
 * change, rather than being skipped.
 */

import type { Item } from '../shared/item';
import { itemKeyOf, pickKey } from '../shared/key';
import { InvalidRecordError } from './errors';
import { toItem } from './image';
import type { Change, StreamRecord } from './types';

const SEQUENCE_NUMBER = /^\d{1,64}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The record's sequence number when it has a valid one (digits only), else `undefined`. */
export function sequenceNumberOf(record: unknown): string | undefined {
  if (!isObject(record) || !isObject(record.dynamodb)) return undefined;
  const sequenceNumber = record.dynamodb.SequenceNumber;
  return typeof sequenceNumber === 'string' && SEQUENCE_NUMBER.test(sequenceNumber) ? sequenceNumber : undefined;
}

/**
 * The key of the item a record is about, and its identity; `undefined` when the record has no usable `Keys`.
 *
 * Separate from {@link toChange} because a record can name its item and still be unusable (no new image): the
 * planner then needs the item to hold back the item's later changes.
 */
export function keyOf(record: unknown): { key: Item; itemKey: string } | undefined {
  if (!isObject(record) || !isObject(record.dynamodb) || !isObject(record.dynamodb.Keys)) return undefined;
  try {
    const key = toItem(record.dynamodb.Keys, 'dynamodb.Keys');
    if (Object.keys(key).length === 0) return undefined;
    return { key, itemKey: itemKeyOf(key) };
  } catch {
    return undefined;
  }
}

function checkNewImageHasKey(item: Item, key: Item, itemKey: string): void {
  const names = Object.keys(key);
  const missing = names.filter((name) => !Object.hasOwn(item, name));
  if (missing.length > 0) {
    throw new InvalidRecordError(`NewImage lacks the key attribute(s) ${missing.join(', ')} given in Keys`);
  }
  if (itemKeyOf(pickKey(item, names)) !== itemKey) {
    throw new InvalidRecordError('NewImage key attributes differ from the record Keys');
  }
}

/** Turns one stream record into the change it asks for; throws {@link InvalidRecordError} when it cannot. */
export function toChange(record: unknown): Change {
  if (!isObject(record)) throw new InvalidRecordError('record is not an object');
  const { eventName, dynamodb } = record;
  if (!isObject(dynamodb)) throw new InvalidRecordError('record has no dynamodb section');
  if (sequenceNumberOf(record) === undefined) {
    throw new InvalidRecordError('record has no valid dynamodb.SequenceNumber (a string of digits)');
  }
  if (!isObject(dynamodb.Keys)) throw new InvalidRecordError('record has no dynamodb.Keys');
  const key = toItem(dynamodb.Keys, 'dynamodb.Keys');
  if (Object.keys(key).length === 0) throw new InvalidRecordError('record has empty dynamodb.Keys');
  const itemKey = itemKeyOf(key);
  switch (eventName) {
    case 'INSERT':
    case 'MODIFY': {
      // KEYS_ONLY and OLD_IMAGE streams carry no new image: the item's state has to be read from the master.
      if (dynamodb.NewImage === undefined) return { kind: 'fetch', itemKey, key };
      const item = toItem(dynamodb.NewImage, 'dynamodb.NewImage');
      checkNewImageHasKey(item, key, itemKey);
      return { kind: 'put', itemKey, key, item };
    }
    case 'REMOVE':
      return { kind: 'delete', itemKey, key };
    default:
      throw new InvalidRecordError(
        `unknown eventName ${JSON.stringify(eventName)}: expected INSERT, MODIFY or REMOVE (is the trigger a DynamoDB stream?)`,
      );
  }
}

/** Whether a record is a delete made by DynamoDB's TTL process rather than by a user or application. */
export function isTtlDelete(record: StreamRecord): boolean {
  return (
    record?.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}
