/**
 * SDK clients of the benchmark: the admin client that sets tables up directly against DynamoDB Local (no latency,
 * not counted), and the comparison clients that write through the latency proxy like the handler does.
 */

import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';

/** A client for `region` at `endpoint` with a keep-alive pool of `maxSockets` connections. */
export function benchClient(endpoint: string, region: string, maxSockets: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets }) },
  });
}
