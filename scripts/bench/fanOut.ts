/**
 * Fan-out: one batch written to three slaves in three regions by one invocation, beside the same batch
 * written to one slave. Both handlers are loaded in this process; runs alternate between them.
 *
 * In AWS three regions are three independent services; here they are one DynamoDB Local on the same two cores, so
 * three slaves cost the server three times the work. The ideal plan is therefore measured the same way (three
 * parallel ideal plans against one): its ratio is what this machine allows, the handler's is compared with it.
 */
import type { LoadedHandler } from './bundle';
import type { BenchContext, PreparedWorkload } from './context';
import { median } from './stats';
import { type SlaveTable, verifyTable } from './tables';
import { pairedRuns, timedHandlerRun, timedIdealRun } from './throughput';

/** Figures of the fan-out comparison. */
export interface FanOutResult {
  readonly records: number;
  readonly oneSlaveMs: number;
  readonly threeSlavesMs: number;
  /** Median of per-run ratios three slaves / one slave (runs paired, as in the throughput measurement). */
  readonly ratio: number;
  readonly oneSlaveSamplesMs: number[];
  readonly threeSlavesSamplesMs: number[];
  /** The ideal plan to one slave, and to the three slaves at once. */
  readonly idealOneMs: number;
  readonly idealThreeMs: number;
  readonly idealRatio: number;
  readonly oneSlaveRequests: number;
  readonly threeSlavesRequestsByRegion: Readonly<Record<string, number>>;
  readonly failedRecords: number;
  readonly error: string | undefined;
  readonly verification: string[];
}

/** Measures `three` (loaded with SLAVES) against `one` (one slave) on `workload`, and the ideal plan likewise. */
export async function measureFanOut(
  context: BenchContext,
  one: LoadedHandler,
  oneSlave: SlaveTable,
  three: LoadedHandler,
  threeSlaves: readonly SlaveTable[],
  workload: PreparedWorkload,
  repeats: number,
): Promise<FanOutResult> {
  const warmUp = await timedHandlerRun(context, three, workload, threeSlaves);
  const verification = (
    await Promise.all(
      threeSlaves.map((slave) => verifyTable(context.admin(slave.region), slave.table, workload.writes)),
    )
  ).flat();
  if (warmUp.failed > 0)
    verification.push(`handler reported ${warmUp.failed} failed records${warmUp.error ? `: ${warmUp.error}` : ''}`);
  await timedHandlerRun(context, one, workload, [oneSlave]);
  await timedIdealRun(context, workload, threeSlaves);

  const oneThree = await pairedRuns(
    repeats,
    () => timedHandlerRun(context, three, workload, threeSlaves),
    () => timedHandlerRun(context, one, workload, [oneSlave]),
  );
  const threeRuns = oneThree.a;
  const oneRuns = oneThree.b;
  const idealRuns = await pairedRuns(
    repeats,
    () => timedIdealRun(context, workload, threeSlaves),
    () => timedIdealRun(context, workload, [oneSlave]),
  );
  const failedRun = [warmUp, ...threeRuns, ...oneRuns].find((run) => run.failed > 0);
  return {
    records: workload.size,
    oneSlaveMs: median(oneRuns.map((run) => run.ms)),
    threeSlavesMs: median(threeRuns.map((run) => run.ms)),
    ratio: median(oneThree.ratios),
    oneSlaveSamplesMs: oneRuns.map((run) => run.ms),
    threeSlavesSamplesMs: threeRuns.map((run) => run.ms),
    idealOneMs: median(idealRuns.b.map((run) => run.ms)),
    idealThreeMs: median(idealRuns.a.map((run) => run.ms)),
    idealRatio: median(idealRuns.ratios),
    oneSlaveRequests: median(oneRuns.map((run) => run.proxy.requests)),
    threeSlavesRequestsByRegion: (threeRuns[threeRuns.length - 1] ?? warmUp).proxy.byRegion,
    failedRecords: failedRun?.failed ?? 0,
    error: failedRun?.error,
    verification,
  };
}
