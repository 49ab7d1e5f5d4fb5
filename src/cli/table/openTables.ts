/**
 * Opening a run: a client per side (each with its own credentials, see sideClients.ts), `TableAccess` for master
 * and slave, pacers for the rate caps, and the checks that must pass before any item is read — both tables exist
 * (DescribeTable), they are different tables, their key schemas match, and no excluded attribute is a key attribute.
 */
import { accountOf, formatTableRef, isTableArn, sameTable } from '../../shared/tableRef';
import { ToolError } from '../errors';
import type { RunConfig } from '../runConfig';
import { DefinitionAccess } from './definitionAccess';
import { type Pacer, TokenBucket, UNLIMITED } from './rateLimiter';
import { type ReplicaShape, replicaShape } from './replica';
import { openSideClients } from './sideClients';
import { TableAccess } from './tableAccess';
import { keySchemaMismatch, type TableInfo } from './tableInfo';

/** The pacers of a run, one per kind of cap (each `UNLIMITED` when its cap is not set). */
export interface Pacers {
  /** Items written (backfill) or compared (verify) per second. */
  readonly items: Pacer;
  /** Write capacity units per second. */
  readonly writes: Pacer;
  /** Read capacity units per second, charged as DynamoDB reports them. */
  readonly reads: Pacer;
}

/** Everything a run works with. */
export interface OpenTables {
  readonly master: TableAccess;
  readonly slave: TableAccess;
  readonly masterInfo: TableInfo;
  readonly slaveInfo: TableInfo;
  readonly pacers: Pacers;
  /** What the slave should hold of each master item (the replica hooks); every copy and comparison goes through it. */
  readonly replica: ReplicaShape;
  /** The definition calls on both tables (verify compares indexes and TTL). */
  readonly definitions: { readonly master: DefinitionAccess; readonly slave: DefinitionAccess };
  /** Releases the clients' sockets. */
  close(): void;
}

const bucket = (rate: number | undefined): Pacer => (rate === undefined ? UNLIMITED : new TokenBucket(rate));

/**
 * Refuses a run whose master and slave are one table. Before DescribeTable only their names are known, and a table
 * given by name is in its side's account, which the name does not say: two names are compared as before (same region
 * and name), and a name beside an ARN waits for `described`, the two tables' ARNs, whose accounts tell them apart.
 */
function refuseOneTable(config: RunConfig, described?: readonly [string | undefined, string | undefined]): void {
  const { master, slave } = config;
  const byArn = isTableArn(master.table) || isTableArn(slave.table);
  if (described === undefined && byArn) return;
  const accountIn = (arn: string | undefined) =>
    arn === undefined ? undefined : accountOf({ region: '', table: arn });
  const accounts = [
    accountOf(master) ?? accountIn(described?.[0]),
    accountOf(slave) ?? accountIn(described?.[1]),
  ] as const;
  if ((described === undefined || byArn) && sameTable(master, slave, accounts)) {
    const names = [...new Set([formatTableRef(master), formatTableRef(slave)])].join(', ');
    throw new ToolError(`master and slave are the same table (${names})`);
  }
}

/** Opens and checks both tables of `config`; throws a ToolError naming what is wrong. */
export async function openTables(config: RunConfig, signal?: AbortSignal): Promise<OpenTables> {
  refuseOneTable(config);
  const pacers: Pacers = {
    items: bucket(config.maxItemsPerSecond),
    writes: bucket(config.maxWcu),
    reads: bucket(config.maxRcu),
  };
  // Master and slave in one region with the same credentials share a client (and its sockets).
  const clients = openSideClients({
    master: config.master,
    slave: config.slave,
    endpoint: config.endpoint,
    maxSockets: config.concurrency + 8,
    masterAccess: config.masterAccess,
    slaveAccess: config.slaveAccess,
  });
  const access = { readPacer: pacers.reads, signal, endpoint: config.endpoint };
  const masterAccess = { ...access, identity: clients.masterIdentity, side: 'master' as const };
  const slaveAccess = { ...access, identity: clients.slaveIdentity, side: 'slave' as const };
  const master = new TableAccess(config.master, clients.master, masterAccess);
  const slave = new TableAccess(config.slave, clients.slave, slaveAccess);
  const close = (): void => clients.close();
  try {
    const [masterInfo, slaveInfo] = await Promise.all([master.describe(), slave.describe()]);
    refuseOneTable(config, [masterInfo.arn, slaveInfo.arn]);
    const mismatch = keySchemaMismatch(masterInfo, slaveInfo);
    if (mismatch) throw new ToolError(mismatch);
    const replica = replicaShape(config, masterInfo);
    const definitions = {
      master: new DefinitionAccess(config.master, clients.master, masterAccess),
      slave: new DefinitionAccess(config.slave, clients.slave, slaveAccess),
    };
    return { master, slave, masterInfo, slaveInfo, pacers, replica, definitions, close };
  } catch (error) {
    close();
    throw error;
  }
}
