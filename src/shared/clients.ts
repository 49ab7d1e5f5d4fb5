/**
 * The one place SDK clients are made, for both sides, each with its own settings: the Lambda (made once per
 * container and kept, so every invocation reuses their keep-alive sockets and cached role credentials) and the
 * tools (made per run, pointed at `--endpoint-url` when given). Settings say what differs; everything else —
 * keep-alive socket pool, timeouts, endpoint, assumed role, the SDK's retry settings and their environment
 * overrides — is done the same way here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** Session name of assumed roles, as it appears in the slave account's CloudTrail. */
export const ROLE_SESSION_NAME = 'dynamo-replicator';

/** A role to assume for a client's calls (the Lambda's slave in another account). */
export interface AssumedRole {
  readonly roleArn?: string;
  readonly externalId?: string;
}

/** How one side builds its clients. */
export interface ClientSettings {
  /** Keep-alive sockets of the pool: at most this many calls in flight per client. */
  readonly maxSockets: number;
  /** Milliseconds to open a connection. */
  readonly connectionTimeoutMs: number;
  /** Milliseconds a call may wait for its answer. */
  readonly requestTimeoutMs: number;
  /**
   * Fail a call that exceeds `requestTimeoutMs`: without it the SDK (smithy node-http-handler 4.x) only logs a
   * warning and keeps waiting, so a hung call would hold the Lambda's batch until its time budget ends.
   */
  readonly throwOnRequestTimeout?: boolean;
  /** Explicit endpoint (DynamoDB Local, a VPC endpoint); otherwise the SDK's, including AWS_ENDPOINT_URL_DYNAMODB. */
  readonly endpoint?: string;
  /** SDK attempts per call unless `AWS_MAX_ATTEMPTS` is set; the SDK's default (3) when not given. */
  readonly maxAttempts?: number;
  /** SDK retry mode unless `AWS_RETRY_MODE` is set; the SDK's default (standard) when not given. */
  readonly retryMode?: 'standard' | 'adaptive';
}

/** The client configuration both client classes share. */
function baseConfig(region: string, settings: ClientSettings) {
  const agent = { keepAlive: true, maxSockets: settings.maxSockets };
  return {
    region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    // The environment wins over a side's default, as the SDK's own settings do.
    ...(settings.maxAttempts !== undefined && !process.env.AWS_MAX_ATTEMPTS
      ? { maxAttempts: settings.maxAttempts }
      : {}),
    ...(settings.retryMode !== undefined && !process.env.AWS_RETRY_MODE ? { retryMode: settings.retryMode } : {}),
    requestHandler: {
      httpAgent: agent,
      httpsAgent: agent,
      connectionTimeout: settings.connectionTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      ...(settings.throwOnRequestTimeout ? { throwOnRequestTimeout: true } : {}),
    },
  };
}

/** A DynamoDB client for `region`, signing as `role` when one is given (and as the default chain otherwise). */
export function createClient(region: string, settings: ClientSettings, role?: AssumedRole): DynamoDBClient {
  return new DynamoDBClient({
    ...baseConfig(region, settings),
    // The provider assumes the role on first use, caches the credentials and assumes it again before they expire.
    ...(role?.roleArn
      ? {
          credentials: fromTemporaryCredentials({
            params: { RoleArn: role.roleArn, ExternalId: role.externalId, RoleSessionName: ROLE_SESSION_NAME },
            // STS in the function's own region (always enabled for its account), not the slave's: an opt-in
            // slave region may not be enabled for the function's account.
            clientConfig: { region: process.env.AWS_REGION || region },
          }),
        }
      : {}),
  });
}

/**
 * A DynamoDB Streams client for `region` (the `watched` backfill reads the master's stream). An explicit endpoint
 * serves both APIs (DynamoDB Local does); otherwise the SDK's, including AWS_ENDPOINT_URL_DYNAMODB_STREAMS.
 */
export function createStreamsClient(region: string, settings: ClientSettings): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient(baseConfig(region, settings));
}

/**
 * DynamoDB clients by region, each made on first use and then reused: for the Lambda's master, whose region only
 * the stream's records tell, and for the tools' master and slave, which share a client when in one region.
 */
export class RegionalClients {
  private readonly clients = new Map<string, DynamoDBClient>();

  public constructor(private readonly settings: ClientSettings) {}

  /** The client for `region`, made the first time it is asked for. */
  public readonly forRegion = (region: string): DynamoDBClient => {
    let client = this.clients.get(region);
    if (!client) {
      client = createClient(region, this.settings);
      this.clients.set(region, client);
    }
    return client;
  };

  /** Releases every client's sockets (the tools, at the end of a run). */
  public destroy(): void {
    for (const client of this.clients.values()) client.destroy();
  }
}
