/**
 * Shapes the benchmark works with: the Lambda DynamoDB Streams event as JSON (binary as base64 strings, as Lambda
 * sends it) and the handler's contract. Only types come from `src/` and the test helpers: the benchmark runs nothing
 * but the built bundle.
 */

import type { LambdaContext } from '../../harness/context';
import type { StreamAttributeValue, StreamImage } from '../../src/shared/item';

/** An attribute value in Lambda's JSON form (the handler's own wire type: types only, nothing of src/ runs here). */
export type JsonAttributeValue = StreamAttributeValue;

/** An item or key in Lambda's JSON form. */
export type JsonImage = StreamImage;

/** One stream record exactly as Lambda delivers it. */
export interface BenchStreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: JsonImage;
    NewImage?: JsonImage;
    OldImage?: JsonImage;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: 'NEW_AND_OLD_IMAGES';
  };
  eventSourceARN: string;
}

/** The Lambda event of a DynamoDB Streams trigger. */
export interface BenchStreamEvent {
  Records: BenchStreamRecord[];
}

/** The Lambda context the handler is invoked with. */
export type LambdaContextLike = LambdaContext;

/** What the handler returns (Lambda partial batch response). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The handler exported by `dist/index.js`. */
export type Handler = (event: BenchStreamEvent, context: LambdaContextLike) => Promise<BatchResponse>;
