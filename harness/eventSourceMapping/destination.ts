/**
 * The on-failure destination of the stand-in event source mapping: when it gives up a batch, Lambda sends the
 * destination (an SQS queue or SNS topic) a JSON document describing the batch, not the records. This module builds
 * that document as "Retaining discarded batch records for a DynamoDB event source in Lambda"
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html) shows it, and writes it where a test
 * or the soak can read it: a list in memory and optionally a JSON-lines file. The operator's answer to such a
 * document is `verify --repair` (docs/operations.md).
 */
import { appendFileSync } from 'node:fs';
import type { LambdaStreamRecord } from '../lambdaEvent';
import type { OnFailureDestination } from './options';

/** Why a batch was given up (`requestContext.condition`). */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The document Lambda sends to the on-failure destination for a DynamoDB stream batch. */
export interface OnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    /** Invocations made with these records (0 when they expired before any). */
    readonly approximateInvokeCount: number;
  };
  /** The last invocation's answer; absent when the records were never delivered. */
  readonly responseContext?: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** `Unhandled` after a function error; absent when the function answered with failed items. */
    readonly functionError?: string;
  };
  readonly version: '1.0';
  readonly timestamp: string;
  readonly DDBStreamBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

/** The last invocation of a given-up batch, as the document reports it. */
export interface LastInvocation {
  readonly requestId: string;
  readonly functionError: boolean;
}

/** What is known about a batch being given up. */
export interface GivenUpBatch {
  readonly shardId: string;
  readonly streamArn: string;
  readonly functionArn: string;
  readonly records: readonly LambdaStreamRecord[];
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  readonly last?: LastInvocation;
}

/** Lambda writes arrival times in seconds, ISO 8601 without milliseconds. */
function arrival(record: LambdaStreamRecord): string {
  const seconds = record.dynamodb.ApproximateCreationDateTime ?? 0;
  return new Date(Math.floor(seconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The on-failure document for a batch (its records must be in sequence order, at least one). */
export function onFailureRecord(batch: GivenUpBatch, now = new Date()): OnFailureRecord {
  const first = batch.records[0];
  const last = batch.records[batch.records.length - 1];
  return {
    requestContext: {
      requestId: batch.last?.requestId ?? '',
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.invokeCount,
    },
    ...(batch.last && {
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(batch.last.functionError && { functionError: 'Unhandled' }),
      },
    }),
    version: '1.0',
    timestamp: now.toISOString(),
    DDBStreamBatchInfo: {
      shardId: batch.shardId,
      startSequenceNumber: first.dynamodb.SequenceNumber,
      endSequenceNumber: last.dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: batch.records.length,
      streamArn: batch.streamArn,
    },
  };
}

/** Sends a document to the destination: appends it to the list, and to the file as one JSON line. */
export function send(destination: OnFailureDestination, list: OnFailureRecord[], record: OnFailureRecord): void {
  list.push(record);
  if (destination.file) appendFileSync(destination.file, `${JSON.stringify(record)}\n`);
}
