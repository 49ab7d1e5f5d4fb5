/**
 * Factories for DynamoDB Streams records as Lambda delivers them (JSON: `B`/`BS` as base64 strings), so unit tests
 * state only what matters to them: the event, the sequence number, the key and the image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamEvent, StreamRecord } from '../src/replicator/types';
import type { StreamImage } from '../src/shared/item';

/** Names of the Lambda events in test/fixtures (modelled on AWS's documented DynamoDB Streams events). */
export type FixtureName =
  | 'insert'
  | 'modify'
  | 'remove'
  | 'binary'
  | 'ttl-remove'
  | 'keys-only-insert'
  | 'numbers-38-digits';

/** A fresh copy of the fixture event `name` (test/fixtures/<name>.json), parsed from its JSON as Lambda's payload is. */
export function loadFixture(name: FixtureName): StreamEvent {
  return JSON.parse(readFileSync(join(__dirname, '..', 'test', 'fixtures', `${name}.json`), 'utf8')) as StreamEvent;
}

/** The stream ARN records carry unless a test names another: the master table `Master` in us-east-1. */
export const MASTER_STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/Master/stream/2024-05-01T12:00:00.000';

/** Options shared by the record factories. */
export interface RecordOptions {
  /** Stream ARN of the record; {@link MASTER_STREAM_ARN} by default. */
  eventSourceARN?: string;
  /** Stream view type the record says it was written with; NEW_AND_OLD_IMAGES by default. */
  streamViewType?: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';
  /** `userIdentity` of the record (Lambda sets it for TTL deletes only). */
  userIdentity?: { type: string; principalId: string };
}

/**
 * A realistic sequence number for position `n` in a shard: a long string of digits (longer than a JS number can hold
 * exactly), growing with `n`, so tests also exercise BigInt ordering.
 */
export function seq(n: number): string {
  return (400000000000000000000000n + BigInt(n)).toString();
}

/** The key `{ pk: { S: id } }` of the default single-attribute string key schema. */
export function keyOf(id: string): StreamImage {
  return { pk: { S: id } };
}

/** A new image for key `id`: the key attribute plus `attributes`. */
export function imageOf(id: string, attributes: StreamImage = {}): StreamImage {
  return { ...keyOf(id), ...attributes };
}

function baseRecord(
  eventName: string,
  sequenceNumber: string,
  options: RecordOptions,
  dynamodb: NonNullable<StreamRecord['dynamodb']>,
): StreamRecord {
  const record: StreamRecord = {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: options.eventSourceARN ?? MASTER_STREAM_ARN,
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1714564800,
      SequenceNumber: sequenceNumber,
      SizeBytes: 64,
      StreamViewType: options.streamViewType ?? 'NEW_AND_OLD_IMAGES',
      ...dynamodb,
    },
  };
  if (options.userIdentity) record.userIdentity = options.userIdentity;
  return record;
}

/** An INSERT record writing `newImage` under `keys`. */
export function insertRecord(
  sequenceNumber: string,
  keys: StreamImage,
  newImage: StreamImage,
  options: RecordOptions = {},
): StreamRecord {
  return baseRecord('INSERT', sequenceNumber, options, { Keys: keys, NewImage: newImage });
}

/** A MODIFY record replacing `oldImage` (when given) by `newImage` under `keys`. */
export function modifyRecord(
  sequenceNumber: string,
  keys: StreamImage,
  newImage: StreamImage,
  oldImage?: StreamImage,
  options: RecordOptions = {},
): StreamRecord {
  return baseRecord('MODIFY', sequenceNumber, options, {
    Keys: keys,
    NewImage: newImage,
    ...(oldImage ? { OldImage: oldImage } : {}),
  });
}

/** A REMOVE record deleting the item with `keys` (with its `oldImage` when given). */
export function removeRecord(
  sequenceNumber: string,
  keys: StreamImage,
  oldImage?: StreamImage,
  options: RecordOptions = {},
): StreamRecord {
  return baseRecord('REMOVE', sequenceNumber, options, { Keys: keys, ...(oldImage ? { OldImage: oldImage } : {}) });
}

/** A KEYS_ONLY INSERT: what a stream without new images delivers (no `NewImage`). */
export function keysOnlyInsertRecord(
  sequenceNumber: string,
  keys: StreamImage,
  options: RecordOptions = {},
): StreamRecord {
  return baseRecord('INSERT', sequenceNumber, { ...options, streamViewType: 'KEYS_ONLY' }, { Keys: keys });
}

/** The Lambda event carrying `records`, round-tripped through JSON as Lambda's payload is. */
export function streamEvent(records: readonly StreamRecord[]): StreamEvent {
  return JSON.parse(JSON.stringify({ Records: records })) as StreamEvent;
}

/**
 * Records of the item with key `{ pk: { S: id } }` at position `n` of the shard ({@link seq}), its image holding the
 * key and `attributes`: the shorthand for tests that only vary the item, the order and what changes.
 */
export const stream = {
  insert: (n: number, id: string, attributes?: StreamImage, options?: RecordOptions): StreamRecord =>
    insertRecord(seq(n), keyOf(id), imageOf(id, attributes), options),
  modify: (n: number, id: string, attributes?: StreamImage, options?: RecordOptions): StreamRecord =>
    modifyRecord(seq(n), keyOf(id), imageOf(id, attributes), undefined, options),
  remove: (n: number, id: string, options?: RecordOptions): StreamRecord =>
    removeRecord(seq(n), keyOf(id), undefined, options),
  keysOnlyInsert: (n: number, id: string, options?: RecordOptions): StreamRecord =>
    keysOnlyInsertRecord(seq(n), keyOf(id), options),
};
