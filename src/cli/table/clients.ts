/**
 * The tools' client settings, for the factory in src/shared/clients.ts. Credentials and region endpoints come from
 * the SDK's default chain; `--endpoint-url` overrides the endpoint of both APIs (DynamoDB Local, a VPC endpoint).
 * Timeouts are more generous than the Lambda's: a tool has no invocation deadline to meet.
 */
import type { ClientSettings } from '../../shared/clients';
import { PATIENT_SDK_ATTEMPTS } from '../../shared/retry';

/**
 * DynamoDB clients of a run: `maxSockets` sized to the calls in flight. The SDK makes one attempt per call and
 * TableAccess's loop does the retrying (src/shared/retry.ts says why, and the most requests a call can send);
 * adaptive mode still slows the client down when DynamoDB throttles. `AWS_MAX_ATTEMPTS` and `AWS_RETRY_MODE`, when
 * set, win over these.
 */
export function toolClientSettings(options: {
  readonly endpoint?: string;
  readonly maxSockets: number;
}): ClientSettings {
  return {
    maxSockets: options.maxSockets,
    endpoint: options.endpoint,
    connectionTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    maxAttempts: PATIENT_SDK_ATTEMPTS,
    retryMode: 'adaptive',
  };
}

/**
 * The Streams client of a `watched` backfill (a few shards read at a time). Stream reads have no retry loop of
 * ours, so the SDK retries them itself: 6 attempts unless `AWS_MAX_ATTEMPTS` is set.
 */
export function toolStreamsSettings(options: { readonly endpoint?: string }): ClientSettings {
  return {
    maxSockets: 4,
    endpoint: options.endpoint,
    connectionTimeoutMs: 5000,
    requestTimeoutMs: 30_000,
    maxAttempts: 6,
  };
}
