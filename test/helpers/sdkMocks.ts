/** Stubs of slave behaviour for unit tests that mock the SDK with aws-sdk-client-mock, and their retry settings. */

import {
  BatchWriteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { RetryOptions } from '../../src/shared/retry';

/** Tiny backoff so retries take milliseconds; the jitter source is fixed so runs are alike. */
export const FAST_RETRY: RetryOptions = { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.5 };

/** An error as the SDK raises it for a DynamoDB error answer (a server fault for 5xx statuses). */
export function awsError(name: string, message: string, httpStatusCode = 400): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

/**
 * The slave refuses the item whose `pk` is `pk` (as DynamoDB refuses an item over 400 KB): every BatchWriteItem is
 * rejected whole, and the single PutItem of that item fails while the others succeed.
 */
export function refuseItem(ddb: AwsClientStub<DynamoDBClient>, pk: string, message: string): void {
  ddb.on(BatchWriteItemCommand).rejects(awsError('ValidationException', message));
  ddb.on(PutItemCommand).callsFake(async (input: PutItemCommandInput) => {
    if (input.Item?.pk?.S === pk) throw awsError('ValidationException', message);
    return {};
  });
}

/** A client of `region` for tests that mock the SDK: it must never reach a network (the endpoint is a closed port). */
export function unitClient(region: string): DynamoDBClient {
  return new DynamoDBClient({
    region,
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
  });
}
