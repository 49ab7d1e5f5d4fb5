/**
 * Shapes the benchmark works with: the Lambda DynamoDB Streams event as JSON (binary as base64 strings, as Lambda
 * sends it) and the handler's contract. Declared here rather than imported from `src/` so the benchmark measures the
 * built bundle as a black box.
 */

/** An attribute value in Lambda's JSON form. */
export type JsonAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: JsonImage }
  | { L: JsonAttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

/** An item or key in Lambda's JSON form. */
export type JsonImage = { [name: string]: JsonAttributeValue };

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

/** The parts of a Lambda context the handler may read. */
export interface LambdaContextLike {
  callbackWaitsForEmptyEventLoop: boolean;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  getRemainingTimeInMillis(): number;
  done(): void;
  fail(): void;
  succeed(): void;
}

/** What the handler returns (Lambda partial batch response). */
export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The handler exported by `dist/index.js`. */
export type Handler = (event: BenchStreamEvent, context: LambdaContextLike) => Promise<BatchResponse>;
