/**
 * One stream record → what it asks of the slave (pure: no I/O, no SDK client).
 *
 * INSERT and MODIFY put the record's `NewImage` (or, on a stream without new images, copy the item from the master);
 * REMOVE deletes the record's `Keys`. A record that cannot say what to write fails with a message naming what to
 * change, rather than being skipped.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../shared/item';
import { itemKeyOf, pickKey } from '../shared/key';
import { InvalidRecordError } from './errors';
import { checkImage, toItem } from './image';
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
 * A record as the planner groups it: its sequence number and its item, read once from `Keys`. Its image is decoded
 * later, by {@link decodeChange}, when its item is planned: so the first writes of a batch leave while later items'
 * images are still to be decoded, and no part of a record is decoded twice.
 */
export interface IdentifiedRecord {
  readonly record: StreamRecord;
  /** The record's sequence number when it has a valid one (see {@link sequenceNumberOf}). */
  readonly sequenceNumber: string | undefined;
  /**
   * The identity of the item the record is about; `undefined` when it has no usable `Keys`. Set even when the record
   * is otherwise unusable (no sequence number, bad image): the planner then needs the item to hold back the item's
   * later changes.
   */
  readonly itemKey: string | undefined;
  /** The decoded `Keys`, when usable. */
  readonly key: Item | undefined;
  /** Why the record cannot be written, when reading its identity already shows it. */
  readonly error: Error | undefined;
}

/** What a record asks of the slave, or why it cannot say. */
export type DecodedChange = { readonly change: Change; readonly error?: undefined } | { readonly error: Error };

/**
 * Whether `image` (decoded, or Lambda's JSON once checked) holds every attribute of `key` with the same text: the
 * same S, or N written the same way. Such an image has the record's key; any other is compared as DynamoDB does.
 */
function hasKeyText(image: Record<string, unknown>, key: Item): boolean {
  for (const name of Object.keys(key)) {
    if (!Object.hasOwn(image, name)) return false;
    const value = image[name] as { S?: unknown; N?: unknown };
    const expected = key[name] as AttributeValue;
    if (expected.S !== undefined ? value.S !== expected.S : expected.N === undefined || value.N !== expected.N) {
      return false;
    }
  }
  return true;
}

function checkNewImageHasKey(item: Item, key: Item, itemKey: string): void {
  if (hasKeyText(item, key)) return;
  const names = Object.keys(key);
  const missing = names.filter((name) => !Object.hasOwn(item, name));
  if (missing.length > 0) {
    throw new InvalidRecordError(`NewImage lacks the key attribute(s) ${missing.join(', ')} given in Keys`);
  }
  if (itemKeyOf(pickKey(item, names)) !== itemKey) {
    throw new InvalidRecordError('NewImage key attributes differ from the record Keys');
  }
}

/** The decoded `Keys` of a record's dynamodb section and their identity, or why they are unusable. */
function identityOf(dynamodb: Record<string, unknown>): { key: Item; itemKey: string } | Error {
  if (!isObject(dynamodb.Keys)) return new InvalidRecordError('record has no dynamodb.Keys');
  let key: Item;
  try {
    key = toItem(dynamodb.Keys, 'dynamodb.Keys');
  } catch (error) {
    return error instanceof Error ? error : new InvalidRecordError(String(error));
  }
  if (Object.keys(key).length === 0) return new InvalidRecordError('record has empty dynamodb.Keys');
  return { key, itemKey: itemKeyOf(key) };
}

/**
 * The change a record with a valid sequence number and usable `Keys` asks for; throws when it cannot say. When only
 * `checking` (a change a later one of its item supersedes), the same checks, with the same errors, and no change
 * built: its image is checked, not converted.
 */
function changeOf(
  eventName: unknown,
  dynamodb: Record<string, unknown>,
  key: Item,
  itemKey: string,
  checking: boolean,
): Change | undefined {
  switch (eventName) {
    case 'INSERT':
    case 'MODIFY': {
      // KEYS_ONLY and OLD_IMAGE streams carry no new image: the item's state has to be read from the master.
      if (dynamodb.NewImage === undefined) return { kind: 'fetch', itemKey, key };
      if (checking) {
        checkImage(dynamodb.NewImage, 'dynamodb.NewImage');
        if (!hasKeyText(dynamodb.NewImage as Record<string, unknown>, key)) {
          checkNewImageHasKey(toItem(dynamodb.NewImage, 'dynamodb.NewImage'), key, itemKey);
        }
        return undefined;
      }
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new InvalidRecordError(String(error));
}

/**
 * Reads a record's sequence number and item (its `Keys`), and whatever already makes it unusable. Never throws: a
 * bad record fails alone, with its reason; the checks run in the order their messages are documented.
 */
export function identifyRecord(record: StreamRecord): IdentifiedRecord {
  const sequenceNumber = sequenceNumberOf(record);
  const raw: unknown = record;
  const refused = (error: Error, key?: Item, itemKey?: string): IdentifiedRecord => ({
    record,
    sequenceNumber,
    itemKey,
    key,
    error,
  });
  if (!isObject(raw)) return refused(new InvalidRecordError('record is not an object'));
  if (!isObject(raw.dynamodb)) return refused(new InvalidRecordError('record has no dynamodb section'));
  const identity = identityOf(raw.dynamodb);
  const known = identity instanceof Error ? undefined : identity;
  if (sequenceNumber === undefined) {
    const error = new InvalidRecordError('record has no valid dynamodb.SequenceNumber (a string of digits)');
    return refused(error, known?.key, known?.itemKey);
  }
  if (identity instanceof Error) return refused(identity);
  return { record, sequenceNumber, itemKey: identity.itemKey, key: identity.key, error: undefined };
}

/** Runs {@link changeOf} on an identified record, turning what it throws into the record's error. */
function changeOfIdentified(identified: IdentifiedRecord, checking: boolean): DecodedChange | { error?: undefined } {
  const { record, key, itemKey, error } = identified;
  if (error) return { error };
  const raw = record as unknown as { eventName?: unknown; dynamodb: Record<string, unknown> };
  try {
    const change = changeOf(raw.eventName, raw.dynamodb, key as Item, itemKey as string, checking);
    return change ? { change } : {};
  } catch (failure) {
    return { error: asError(failure) };
  }
}

/** The change an identified record asks for (decoding its image), or the error that makes it unusable. */
export function decodeChange(identified: IdentifiedRecord): DecodedChange {
  return changeOfIdentified(identified, false) as DecodedChange;
}

/**
 * Why a record cannot be written, or `undefined` when it can: the checks of {@link decodeChange}, with its errors,
 * without decoding the image into an item, for a record whose change a later one of its item supersedes.
 */
export function checkChange(identified: IdentifiedRecord): Error | undefined {
  return changeOfIdentified(identified, true).error;
}

/** Whether a record is a delete made by DynamoDB's TTL process rather than by a user or application. */
export function isTtlDelete(record: StreamRecord): boolean {
  return (
    record?.eventName === 'REMOVE' &&
    record.userIdentity?.type === 'Service' &&
    record.userIdentity.principalId === 'dynamodb.amazonaws.com'
  );
}
