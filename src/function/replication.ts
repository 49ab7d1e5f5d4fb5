/**
 * The function's long-lived parts, made from its configuration: the clients with the function's settings, the
 * slaves, the master reader and the items' shaping. One home for the zip's entry (index.ts) and the library's
 * factory (src/library), so a replicator built either way talks to DynamoDB the same way.
 */
import { MasterReader } from '../replicator/master';
import type { Replication } from '../replicator/replicate';
import { createShaping } from '../replicator/shaping';
import { Slave } from '../replicator/slave';
import type { StreamRecord } from '../replicator/types';
import { type ClientSettings, createClient, RegionalClients } from '../shared/clients';
import type { ReplicaHooks } from '../shared/hooks';
import type { Config } from './config';

/**
 * The function's client settings: a socket per concurrent call, and timeouts that fail a hung call (3 s to connect,
 * 10 s for an answer) so the batch's time budget is spent retrying rather than waiting. The SDK's retry settings stay
 * its own (3 attempts in standard mode, or AWS_MAX_ATTEMPTS / AWS_RETRY_MODE): see src/shared/retry.ts.
 */
export function functionClientSettings(writeConcurrency: number): ClientSettings {
  return {
    maxSockets: writeConcurrency,
    connectionTimeoutMs: 3000,
    requestTimeoutMs: 10_000,
    throwOnRequestTimeout: true,
  };
}

/** What shapes the slave's items besides the configuration's excluded attributes. */
export interface ReplicationHooks {
  /** The user's filter and transform (the library's options); none for the zip. */
  readonly hooks?: ReplicaHooks<StreamRecord>;
  /** Where the excluded attributes were set (EXCLUDE_ATTRIBUTES, excludeAttributes), as run-time errors name it. */
  readonly excludeSetting: string;
}

/** Creates the clients, slaves and master reader of `config`: once per container, or per library replicator. */
export function createReplication(config: Config, { hooks, excludeSetting }: ReplicationHooks): Replication {
  const settings = functionClientSettings(config.writeConcurrency);
  const slaves = config.slaves.map(
    (target) => new Slave(createClient(target.region, settings, target), target, config.writeConcurrency),
  );
  const master = new MasterReader(new RegionalClients(settings).forRegion, config.writeConcurrency);
  const shaping = createShaping({
    ...(hooks ? { hooks } : {}),
    excludeAttributes: config.excludeAttributes,
    excludeSetting,
  });
  return { slaves, master, replicateTtlDeletes: config.replicateTtlDeletes, ...(shaping ? { shaping } : {}) };
}
