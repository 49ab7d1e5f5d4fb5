/**
 * The soak in short (`npm run soak` runs the full 20,000 changes), and issue 12's done-means on every run: the zip as
 * uploaded, loaded by the official runtime client in local containers, replicates a real stream exactly under
 * ParallelizationFactor 10 with bisect on, containers killed mid-invocation and injected faults, with nothing lost
 * and no item stale at any round's end (once per CI run, on nodejs22.x, with fixed seeds). Then the path
 * an operator takes after an alarm: batches given up to the on-failure destination (retries exhausted after kills,
 * and, in-process and deterministic, a crash before any write), repaired by `verify --repair`.
 */
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { runSoak } from '../../harness/soak';
import { inProcessBundle, type SoakFunctionFactory } from '../../harness/soakFunction';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';

beforeAll(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
});

test('the zip under the runtime client, ParallelizationFactor 10, bisect, containers killed, 5 % faults: nothing lost, no item stale', async () => {
  // Act: the default function, the unchanged zip under aws-lambda-ric in local containers. Seed 12's kill draws
  // pick the 7th, 14th, 24th, 25th and 34th deliveries (10 %), after the mapping knows a typical invocation's
  // duration, so the kill lands 20–80 % into it; a kill is a function error, so bisect splits that batch.
  const report = await runSoak({
    endpoint,
    changes: 1000,
    items: 200,
    rounds: 2,
    faultRate: 0.05,
    seed: 12,
    functionTimeoutMs: 3000,
    parallelizationFactor: 10,
    bisect: true,
    killRate: 0.1,
  });

  // Assess
  expect({ lost: report.lostChanges, stale: report.staleItems, equal: report.slaveEqualsMaster }).toEqual({
    lost: 0,
    stale: 0,
    equal: true,
  });
  expect(report.killable).toBe(true);
  expect(report.functionKind).toMatch(/aws-lambda-ric/);
  expect(report.containersKilled).toBeGreaterThan(0);
  // killed once their first write had landed on the slave (or, when none had by the drawn time, then)
  expect(report.killedAfterWrites).toBeGreaterThan(0);
  expect(report.batchesBisected).toBeGreaterThan(0);
  // every kill ends a container: the next invocation there is a cold start
  expect(report.coldStarts).toBeGreaterThan(report.containersKilled);
  expect(report.maxConcurrentInvocations).toBeGreaterThan(1);
  expect(report.faultsTotal).toBeGreaterThan(0);
  expect(report.recordsReportedFailed).toBeGreaterThan(0);
  expect(report.recordsFailedThenSucceeded).toBe(report.recordsReportedFailed);
  expect(report.recordsSentToDestination).toBe(0);
});

test('the zip under the runtime client with no retries: killed batches go to the on-failure destination, verify --repair makes the slave equal', async () => {
  // Act: MaximumRetryAttempts 0 and no bisect, so each killed invocation's batch is given up at once; seed 7's draws
  // kill the 4th, 12th, 16th and 18th deliveries; no injected faults, so nothing else fails.
  const report = await runSoak({
    endpoint,
    changes: 600,
    items: 150,
    rounds: 2,
    faultRate: 0,
    seed: 7,
    parallelizationFactor: 10,
    maximumRetryAttempts: 0,
    killRate: 0.1,
  });

  // Assess: one destination document per kill, the repair ran, and the slave ends equal with nothing lost.
  expect(report.containersKilled).toBeGreaterThan(0);
  expect(report.failureRecords).toHaveLength(report.containersKilled);
  expect(new Set(report.failureRecords.map((record) => record.requestContext.condition))).toEqual(
    new Set(['RetryAttemptsExhausted']),
  );
  expect(report.recordsSentToDestination).toBe(
    report.failureRecords.reduce((sum, record) => sum + record.DDBStreamBatchInfo.batchSize, 0),
  );
  expect(report.repairs).toBeGreaterThan(0);
  expect({ lost: report.lostChanges, stale: report.staleItems, equal: report.slaveEqualsMaster }).toEqual({
    lost: 0,
    stale: 0,
    equal: true,
  });
});

test('a batch given up after a crash goes to the on-failure destination, and verify --repair makes the slave equal again', async () => {
  // Prepare: the bundle in-process, except that the first invocation crashes before writing anything (as a
  // container dying at start would); with no retries the mapping gives that batch up.
  const crashingFirst: SoakFunctionFactory = async (setup) => {
    const bundle = await inProcessBundle(setup);
    let calls = 0;
    const fn: LambdaFunction = {
      invoke: async (event, options) =>
        ++calls === 1
          ? { status: 'error', errorType: 'Runtime.ExitError', errorMessage: 'crashed before writing' }
          : bundle.function.invoke(event, options),
    };
    return { ...bundle, function: fn, kind: 'in-process bundle whose first invocation crashes' };
  };

  // Act
  const report = await runSoak({
    endpoint,
    changes: 300,
    items: 100,
    rounds: 2,
    faultRate: 0,
    seed: 5,
    parallelizationFactor: 10,
    maximumRetryAttempts: 0,
    functionFactory: crashingFirst,
  });

  // Assess: the crashed batch is described at the destination, the repair found and fixed items, nothing is lost.
  expect(report.failureRecords).toHaveLength(1);
  expect(report.failureRecords[0].requestContext.condition).toBe('RetryAttemptsExhausted');
  expect(report.recordsSentToDestination).toBe(report.failureRecords[0].DDBStreamBatchInfo.batchSize);
  expect(report.repairs).toBe(1);
  expect(report.itemsRepaired).toBeGreaterThan(0);
  expect({ lost: report.lostChanges, stale: report.staleItems, equal: report.slaveEqualsMaster }).toEqual({
    lost: 0,
    stale: 0,
    equal: true,
  });
  expect(report.containersKilled).toBe(0);
  expect(report.killable).toBe(false);
});
