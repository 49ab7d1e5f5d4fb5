/**
 * The one place SDK clients are made, for both sides, each with its own settings: the Lambda (made once per
 * container and kept, so every invocation reuses their keep-alive sockets and cached role credentials) and the
 * tools (made per run, pointed at `--endpoint-url` when given; a Streams and a KMS client besides). Settings say
 * what differs; everything else — keep-alive socket pool, timeouts, endpoint, whose credentials sign (an assumed
 * role, a named profile, or the default chain), the SDK's retry settings and their environment overrides — is done
 * the same way here. The other services' client classes are passed in by the tools ({@link createServiceClient}),
 * so the function and the library, which only talk to DynamoDB, load nothing else.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { fromIni, fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** Session name of assumed roles, as it appears in the slave account's CloudTrail. */
export const ROLE_SESSION_NAME = 'dynamo-replicator';

/** A role to assume for a client's calls (the Lambda's slave in another account). */
export interface AssumedRole {
  readonly roleArn?: string;
  readonly externalId?: string;
}

/**
 * Whose credentials sign a client's calls: a role to assume, a named profile of the shared config and credentials
 * files, or (neither) the SDK's default chain. The operator tools give each side of a run its own, so a master and
 * a slave in two accounts are each read or written with their own credentials.
 */
export interface ClientAccess extends AssumedRole {
  /** A profile of AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (~/.aws/config, ~/.aws/credentials). */
  readonly profile?: string;
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

/**
 * The credentials provider of `access`, or undefined for the SDK's default chain. A role is assumed with the
 * profile's credentials when both are given, else with the default chain's; the provider assumes it on first use,
 * caches the credentials and assumes it again before they expire.
 */
function credentialsOf(region: string, access: ClientAccess | undefined) {
  const profile = access?.profile ? fromIni({ profile: access.profile }) : undefined;
  if (!access?.roleArn) return profile;
  return fromTemporaryCredentials({
    params: { RoleArn: access.roleArn, ExternalId: access.externalId, RoleSessionName: ROLE_SESSION_NAME },
    ...(profile ? { masterCredentials: profile } : {}),
    // STS in the caller's own region (always enabled for its account), not the table's: an opt-in table region
    // may not be enabled for the caller's account.
    clientConfig: { region: process.env.AWS_REGION || region },
  });
}

/** A DynamoDB client for `region`, signing as `access` says (the default chain when it says nothing). */
export function createClient(region: string, settings: ClientSettings, access?: ClientAccess): DynamoDBClient {
  const credentials = credentialsOf(region, access);
  return new DynamoDBClient({ ...baseConfig(region, settings), ...(credentials ? { credentials } : {}) });
}

/** The configuration {@link createServiceClient} gives a client class: what every SDK v3 client accepts. */
export type ServiceClientConfig = ReturnType<typeof baseConfig> & Pick<DynamoDBClientConfig, 'credentials'>;

/**
 * A client of another service (`DynamoDBStreamsClient` for the `watched` backfill, `KMSClient` for create-slave),
 * made like {@link createClient}: same sockets, timeouts, retries and signing. An explicit `settings.endpoint` is
 * used as given, so leave it out for a service the endpoint does not serve (DynamoDB Local serves Streams, not KMS).
 */
export function createServiceClient<C>(
  Client: new (config: ServiceClientConfig) => C,
  region: string,
  settings: ClientSettings,
  access?: ClientAccess,
): C {
  const credentials = credentialsOf(region, access);
  return new Client({ ...baseConfig(region, settings), ...(credentials ? { credentials } : {}) });
}

/**
 * DynamoDB clients by region, each made on first use and then reused: for the Lambda's master, whose region only
 * the stream's records tell.
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
}
