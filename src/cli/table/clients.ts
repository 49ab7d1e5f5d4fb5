/**
 * SDK clients for the tools. Credentials, region endpoints and `AWS_ENDPOINT_URL_DYNAMODB` come from the SDK's
 * default chain; `--endpoint-url` overrides the endpoint for both tables (DynamoDB Local, a VPC endpoint).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';

/** How to build a client. */
export interface ClientOptions {
  /** Explicit endpoint for every table; otherwise the SDK's (including AWS_ENDPOINT_URL_DYNAMODB). */
  readonly endpoint?: string;
  /** Calls in flight at once: the keep-alive socket pool is sized to it. */
  readonly maxSockets: number;
}

/**
 * A DynamoDB client for `region`. The SDK retries throttling and transient errors itself (adaptive mode also slows
 * the client down when DynamoDB throttles); the tools retry on top with longer backoff. `AWS_MAX_ATTEMPTS` and
 * `AWS_RETRY_MODE`, when set, win over these defaults.
 */
export function createClient(region: string, options: ClientOptions): DynamoDBClient {
  const agent = { keepAlive: true, maxSockets: options.maxSockets };
  return new DynamoDBClient({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 6 }),
    ...(process.env.AWS_RETRY_MODE ? {} : { retryMode: 'adaptive' }),
    requestHandler: { httpAgent: agent, httpsAgent: agent, connectionTimeout: 5000, requestTimeout: 30_000 },
  });
}

/**
 * A DynamoDB Streams client for `region` (the `watched` backfill reads the master's stream). `--endpoint-url` serves
 * both APIs (DynamoDB Local does); otherwise the SDK's default, including `AWS_ENDPOINT_URL_DYNAMODB_STREAMS`.
 */
export function createStreamsClient(region: string, options: { readonly endpoint?: string }): DynamoDBStreamsClient {
  const agent = { keepAlive: true, maxSockets: 4 };
  return new DynamoDBStreamsClient({
    region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(process.env.AWS_MAX_ATTEMPTS ? {} : { maxAttempts: 6 }),
    requestHandler: { httpAgent: agent, httpsAgent: agent, connectionTimeout: 5000, requestTimeout: 30_000 },
  });
}
