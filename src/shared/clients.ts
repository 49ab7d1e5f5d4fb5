/**
 * DynamoDB clients, made once per container and kept: each holds keep-alive sockets (and, for an assumed role, cached
 * temporary credentials) that every later invocation reuses.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';

/** Session name of assumed roles, as it appears in the slave account's CloudTrail. */
export const ROLE_SESSION_NAME = 'dynamo-replicator';

/**
 * A client for one region with `sockets` keep-alive connections at most. Timeouts bound a call that hangs; the
 * SDK's retry settings stay its own (AWS_MAX_ATTEMPTS, AWS_RETRY_MODE) and endpoints come from its standard
 * variables (AWS_ENDPOINT_URL_DYNAMODB).
 */
export function createClient(
  region: string,
  sockets: number,
  role?: { readonly roleArn?: string; readonly externalId?: string },
): DynamoDBClient {
  const agent = { keepAlive: true, maxSockets: sockets };
  return new DynamoDBClient({
    region,
    // throwOnRequestTimeout: without it the SDK (smithy node-http-handler 4.x) only logs a warning when a call
    // exceeds requestTimeout and keeps waiting, so a hung call would hold the batch until the time budget ends.
    requestHandler: {
      httpAgent: agent,
      httpsAgent: agent,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      throwOnRequestTimeout: true,
    },
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

/** Clients by region, each made on first use; for the master, whose region only the stream's records tell. */
export class RegionalClients {
  private readonly clients = new Map<string, DynamoDBClient>();

  public constructor(private readonly sockets: number) {}

  /** The client for `region`, made the first time it is asked for. */
  public readonly forRegion = (region: string): DynamoDBClient => {
    let client = this.clients.get(region);
    if (!client) {
      client = createClient(region, this.sockets);
      this.clients.set(region, client);
    }
    return client;
  };
}
