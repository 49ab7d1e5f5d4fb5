/**
 * The DynamoDB clients of a command's two sides, master and slave. Today both sides sign with the SDK's default
 * credential chain and share one client when they are in one region, as openTables.ts builds them; this is the one
 * place a side's clients come from, so per-side credentials (a role or profile for each side) change only here.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RegionalClients } from '../../shared/clients';
import type { TableRef } from '../../shared/tableRef';
import { toolClientSettings } from './clients';

/** The clients of both sides, and the release of their sockets. */
export interface SideClients {
  readonly master: DynamoDBClient;
  readonly slave: DynamoDBClient;
  /** Releases every client's sockets. */
  close(): void;
}

/** Clients for the master's and the slave's regions with the tools' settings (same region: one client). */
export function openSideClients(options: {
  master: TableRef;
  slave: TableRef;
  endpoint?: string;
  maxSockets?: number;
}): SideClients {
  const clients = new RegionalClients(
    toolClientSettings({ endpoint: options.endpoint, maxSockets: options.maxSockets ?? 8 }),
  );
  return {
    master: clients.forRegion(options.master.region),
    slave: clients.forRegion(options.slave.region),
    close: () => clients.destroy(),
  };
}
