import type { LambdaFunction, StreamHandler } from '../../harness/lambdaFunction';
import type { PollerOptions } from '../../harness/lambdaPoller';
import type { LocalLambda } from '../../harness/localLambda';
import { MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import {
  type CreatedTable,
  compareTables,
  createMasterTable,
  createTable,
  type TableSpec,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

/** Registers the hooks of a replication suite and returns what its tests use; call once at the top of the file. */
export function useReplicationSetup() {
  const endpoint = localEndpoint();
  const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

  const localReplicator = useLocalReplicators();

  /**
   * The zip as a Lambda function configured as a user would configure it for this slave table, run under the official
   * runtime client. The poller invokes the local Lambda itself, so it sees what Lambda's event source mapping sees: a
   * payload, or a function error with Lambda's errorType (a thrown error, a timeout, a dead container).
   */
  function replicatorFor(slaveTable: string): LocalLambda {
    return localReplicator({
      endpoint,
      slaveTable,
      logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT',
      env: { POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true' },
    });
  }

  /** A master with a stream in one region and an empty slave with the same key schema in the other. */
  async function tablePair(
    spec: Omit<TableSpec, 'name'>,
    slaveSpec: Partial<TableSpec> = {},
  ): Promise<{ master: CreatedTable & { streamArn: string }; slave: CreatedTable }> {
    const keys = { partitionKeyType: spec.partitionKeyType, sortKeyType: spec.sortKeyType };
    return {
      master: await createMasterTable(master, { ...spec, name: uniqueTableName('master') }),
      slave: await createTable(slave, { ...keys, ...slaveSpec, name: uniqueTableName('slave') }),
    };
  }

  /** The poller's options for a function (the local Lambda, or a wrapper of it) or an in-process handler. */
  function pollerOptions(
    streamArn: string,
    invoked: LambdaFunction | StreamHandler,
    options: Partial<PollerOptions> = {},
  ): PollerOptions {
    const target = typeof invoked === 'function' ? { handler: invoked } : { function: invoked };
    return {
      endpoint,
      region: MASTER_REGION,
      streamArn,
      ...target,
      ...TEMPLATE_RESPONSE_TYPES,
      batchSize: 100,
      maximumRetryAttempts: 3,
      ...options,
    };
  }

  function compare(masterTable: string, slaveTable: string) {
    return compareTables({ client: master, table: masterTable }, { client: slave, table: slaveTable });
  }

  return { master, slave, replicatorFor, tablePair, pollerOptions, compare };
}
