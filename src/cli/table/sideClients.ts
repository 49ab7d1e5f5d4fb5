/**
 * The clients of a run's two sides, each signing with its own credentials: the master (`--from-*`) and the slave
 * (`--to-*`) may live in two accounts, as the replicator's slave behind SLAVE_ROLE_ARN does. Every master-side call —
 * DescribeTable, Scan, GetItem, the `watched` backfill's stream reads — goes through the master's access, every
 * slave-side call through the slave's. Clients are made by the one factory (src/shared/clients.ts) with the tools'
 * settings; the checks of a side's access are here too, so the CLI and the library refuse the same things.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { KMSClient } from '@aws-sdk/client-kms';
import { type ClientAccess, createClient, createServiceClient } from '../../shared/clients';
import { externalIdProblem, roleProblem } from '../../shared/roleChecks';
import type { TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import { toolClientSettings, toolStreamsSettings } from './clients';

/**
 * Whose credentials one side signs with: a role to assume (with its external id), a named profile, or — neither —
 * the SDK's default chain (AWS_PROFILE, the environment, SSO, an instance role).
 */
export interface SideAccess {
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly profile?: string;
}

/** The clients of a run's master and slave. */
export interface SideClients {
  readonly master: DynamoDBClient;
  readonly slave: DynamoDBClient;
  /** Who signs the master's calls, for error messages ({@link sideIdentity}); undefined for the default chain. */
  readonly masterIdentity?: string;
  /** Who signs the slave's calls, for error messages; undefined for the default chain. */
  readonly slaveIdentity?: string;
  /** Releases the clients' sockets. */
  close(): void;
}

/** A side as the command line names it: `from` is the master, `to` the slave. */
type Side = 'from' | 'to';

/** Sockets per client when the caller does not say. */
const DEFAULT_MAX_SOCKETS = 16;

/**
 * Every problem of one side's access, each naming the options concerned: a role and a profile together (two answers
 * to one question), an external id without a role, a malformed role ARN or external id, an empty profile name.
 */
export function sideAccessProblems(side: Side, access: SideAccess | undefined): string[] {
  if (!access) return [];
  const { roleArn, externalId, profile } = access;
  const which = side === 'from' ? 'the master' : 'the slave';
  const problems: Array<string | undefined> = [];
  if (roleArn !== undefined && profile !== undefined) {
    problems.push(
      `--${side}-role-arn and --${side}-profile both say whose credentials reach ${which}; give one (a profile can ` +
        'assume a role itself: role_arn and source_profile in ~/.aws/config)',
    );
  }
  if (externalId !== undefined && roleArn === undefined) {
    problems.push(`--${side}-external-id is sent when assuming a role: it needs --${side}-role-arn`);
  }
  if (roleArn !== undefined) problems.push(roleProblem(`--${side}-role-arn`, roleArn));
  if (externalId !== undefined) problems.push(externalIdProblem(`--${side}-external-id`, externalId));
  if (profile !== undefined && profile.trim() === '') {
    problems.push(`--${side}-profile: the profile name is empty; name a profile of ~/.aws/config`);
  }
  return problems.filter((problem): problem is string => problem !== undefined);
}

/** Every problem of both sides' access, as one list (the CLI reports them together). */
export function accessProblems(masterAccess?: SideAccess, slaveAccess?: SideAccess): string[] {
  return [...sideAccessProblems('from', masterAccess), ...sideAccessProblems('to', slaveAccess)];
}

/**
 * The side and whose credentials it signs with, as error messages name it — `the slave side (role
 * arn:aws:iam::444455556666:role/x)`, `the master side (profile prod)` — so "access denied" says which of two sets
 * of credentials lacks the action. Undefined when the side uses the default chain: "your credentials" says it then.
 */
export function sideIdentity(side: 'master' | 'slave', access: SideAccess | undefined): string | undefined {
  if (access?.roleArn !== undefined) {
    const externalId = access.externalId === undefined ? '' : ` with external id ${access.externalId}`;
    return `the ${side} side (role ${access.roleArn}${externalId})`;
  }
  if (access?.profile !== undefined) return `the ${side} side (profile ${access.profile})`;
  return undefined;
}

/** The access as the client factory takes it, without the fields left unset. */
function clientAccess(access: SideAccess | undefined): ClientAccess | undefined {
  if (!access || (access.roleArn === undefined && access.profile === undefined)) return undefined;
  return access;
}

/** Both sides sign the same way: no role and no profile on either, or the same ones. */
function sameAccess(a: SideAccess | undefined, b: SideAccess | undefined): boolean {
  return a?.roleArn === b?.roleArn && a?.externalId === b?.externalId && a?.profile === b?.profile;
}

/** Throws one ToolError listing every problem of the two sides' access (for callers that skipped the CLI's check). */
function checkAccess(masterAccess?: SideAccess, slaveAccess?: SideAccess): void {
  const problems = accessProblems(masterAccess, slaveAccess);
  if (problems.length > 0) throw new ToolError(problems.join('; '));
}

/**
 * The clients of `master` and `slave`, each signing with its side's access. Sides in the same region with the same
 * access share one client (and its sockets); different access means different clients, also in one region.
 */
export function openSideClients(options: {
  master: TableRef;
  slave: TableRef;
  endpoint?: string;
  maxSockets?: number;
  masterAccess?: SideAccess;
  slaveAccess?: SideAccess;
}): SideClients {
  const { master, slave, endpoint, masterAccess, slaveAccess } = options;
  checkAccess(masterAccess, slaveAccess);
  const settings = toolClientSettings({ endpoint, maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS });
  const masterClient = createClient(master.region, settings, clientAccess(masterAccess));
  const shared = master.region === slave.region && sameAccess(masterAccess, slaveAccess);
  const slaveClient = shared ? masterClient : createClient(slave.region, settings, clientAccess(slaveAccess));
  const masterIdentity = sideIdentity('master', masterAccess);
  const slaveIdentity = sideIdentity('slave', slaveAccess);
  return {
    master: masterClient,
    slave: slaveClient,
    ...(masterIdentity ? { masterIdentity } : {}),
    ...(slaveIdentity ? { slaveIdentity } : {}),
    close: () => {
      masterClient.destroy();
      if (!shared) slaveClient.destroy();
    },
  };
}

/** The Streams client of the master's stream (the `watched` backfill), signing with the master's access. */
export function openMasterStreamsClient(options: {
  master: TableRef;
  endpoint?: string;
  masterAccess?: SideAccess;
}): DynamoDBStreamsClient {
  checkAccess(options.masterAccess);
  return createServiceClient(
    DynamoDBStreamsClient,
    options.master.region,
    toolStreamsSettings({ endpoint: options.endpoint }),
    clientAccess(options.masterAccess),
  );
}

/**
 * The KMS client create-slave asks about the master's key (DescribeKey), in the master's region and signing with the
 * master's access: the key belongs to the master's account. The tools' settings without the DynamoDB endpoint.
 */
export function openMasterKmsClient(options: { master: TableRef; masterAccess?: SideAccess }): KMSClient {
  checkAccess(options.masterAccess);
  return createServiceClient(
    KMSClient,
    options.master.region,
    toolClientSettings({ maxSockets: 2 }),
    clientAccess(options.masterAccess),
  );
}
