/**
 * Converts DynamoDB Streams API records into the JSON that Lambda hands to a function.
 *
 * The Streams API (through the SDK) returns binary values as `Uint8Array` and `ApproximateCreationDateTime` as a
 * `Date`; Lambda delivers base64 strings and epoch seconds, adds `eventSourceARN`, and spells `userIdentity` in lower
 * camel case. A handler tested with the SDK's shapes would pass tests and fail in Lambda, so every event goes through
 * this conversion and a JSON round trip.
 */
import type { AttributeValue, _Record as StreamsRecord } from '@aws-sdk/client-dynamodb-streams';
import type { StreamAttributeValue } from '../src/shared/item';

/** An attribute value as Lambda delivers it: `B` and `BS` hold base64 strings (the handler's own wire type). */
export type LambdaAttributeValue = StreamAttributeValue;

/** One record of a Lambda DynamoDB Streams event. */
export interface LambdaStreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventSourceARN: string;
  dynamodb: {
    ApproximateCreationDateTime?: number;
    Keys?: Record<string, LambdaAttributeValue>;
    NewImage?: Record<string, LambdaAttributeValue>;
    OldImage?: Record<string, LambdaAttributeValue>;
    SequenceNumber: string;
    SizeBytes?: number;
    StreamViewType?: string;
  };
  userIdentity?: { type: string; principalId: string };
}

/** The event Lambda passes to a function triggered by a DynamoDB stream. */
export interface LambdaStreamEvent {
  Records: LambdaStreamRecord[];
}

/** Where the records come from, as Lambda reports it. */
export interface EventSource {
  /** Region of the master table (DynamoDB Local reports `ddblocal` in its records; Lambda reports the real one). */
  awsRegion: string;
  /** The stream ARN, as in the event source mapping. */
  eventSourceARN: string;
}

/** Converts one SDK attribute value, at any depth, to Lambda's JSON form. */
export function toLambdaAttributeValue(value: AttributeValue): LambdaAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.M !== undefined) return { M: toLambdaImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toLambdaAttributeValue) };
  if (value.NULL) return { NULL: true };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  // DynamoDB Local's stream images drop the type of an empty map (`{}` where DynamoDB Streams sends `{"M":{}}`);
  // no other value can be empty, so restore what Lambda would deliver.
  if (Object.keys(value).length === 0) return { M: {} };
  throw new Error(`unknown attribute value type: ${JSON.stringify(Object.keys(value))}`);
}

/** Converts an item image (or key map) to Lambda's JSON form. */
export function toLambdaImage(image: Record<string, AttributeValue>): Record<string, LambdaAttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, toLambdaAttributeValue(value)]));
}

/** Converts one Streams API record to the record Lambda delivers. */
export function toLambdaRecord(record: StreamsRecord, source: EventSource): LambdaStreamRecord {
  const stream = record.dynamodb;
  if (!record.eventID || !record.eventName || !stream?.SequenceNumber) {
    throw new Error(`incomplete stream record: ${JSON.stringify(record)}`);
  }
  const dynamodb: LambdaStreamRecord['dynamodb'] = { SequenceNumber: stream.SequenceNumber };
  if (stream.ApproximateCreationDateTime) {
    dynamodb.ApproximateCreationDateTime = Math.floor(stream.ApproximateCreationDateTime.getTime() / 1000);
  }
  if (stream.Keys) dynamodb.Keys = toLambdaImage(stream.Keys);
  if (stream.NewImage) dynamodb.NewImage = toLambdaImage(stream.NewImage);
  if (stream.OldImage) dynamodb.OldImage = toLambdaImage(stream.OldImage);
  if (stream.SizeBytes !== undefined) dynamodb.SizeBytes = stream.SizeBytes;
  if (stream.StreamViewType) dynamodb.StreamViewType = stream.StreamViewType;
  const converted: LambdaStreamRecord = {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: record.eventSource ?? 'aws:dynamodb',
    awsRegion: source.awsRegion,
    eventSourceARN: source.eventSourceARN,
    dynamodb,
  };
  if (record.userIdentity) {
    converted.userIdentity = {
      type: record.userIdentity.Type ?? '',
      principalId: record.userIdentity.PrincipalId ?? '',
    };
  }
  return converted;
}

/** Builds the event Lambda would send for these records, round-tripped through JSON as Lambda's payload is. */
export function toLambdaEvent(records: readonly StreamsRecord[], source: EventSource): LambdaStreamEvent {
  const event: LambdaStreamEvent = { Records: records.map((record) => toLambdaRecord(record, source)) };
  return JSON.parse(JSON.stringify(event)) as LambdaStreamEvent;
}
