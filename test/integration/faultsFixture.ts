/**
 * What the fault suites share (faults.test.ts, faultsPoison.test.ts): DynamoDB Local's clients of the master's and
 * the slave's region, a fault proxy in front of it (stopped after each test, also when the test fails) and the local
 * replicators of the file. Jest-only: it registers the file's hooks.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type FaultPlan, type FaultProxy, scriptedFaults, startFaultProxy } from '../../harness/faultProxy';
import type { LocalLambda } from '../../harness/localLambda';
import { type LambdaSettings, MASTER_REGION, type ReplicatorOptions, SLAVE_REGION } from '../../harness/replicator';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

/** A fault suite's set-up. */
export interface FaultSetup {
  readonly endpoint: string;
  readonly master: DynamoDBClient;
  readonly slave: DynamoDBClient;
  localReplicator(options: ReplicatorOptions, settings?: LambdaSettings): LocalLambda;
  /** Starts the test's fault proxy (none faulted by default), stopped after the test. */
  startProxy(plan?: FaultPlan): Promise<FaultProxy>;
}

/** Registers the hooks of a fault suite; call once at the top of the file. */
export function useFaultSetup(): FaultSetup {
  const endpoint = localEndpoint();
  const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
  const localReplicator = useLocalReplicators();
  let proxy: FaultProxy | undefined;
  afterEach(async () => {
    await proxy?.stop();
    proxy = undefined;
  });
  return {
    endpoint,
    master,
    slave,
    localReplicator,
    startProxy: async (plan = scriptedFaults('BatchWriteItem', [])) => {
      proxy = await startFaultProxy({ upstream: endpoint, plan, seed: 7 });
      return proxy;
    },
  };
}
