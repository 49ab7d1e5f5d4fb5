/**
 * The soak in short (`npm run soak` runs the full 20,000 changes): 1,000 random changes over 200 items replicated by
 * the BUILT bundle through 10 % injected faults, with Lambda's retry semantics, a short function timeout so that slow
 * answers end in reported failures. Nothing may be lost, no item may be stale at any round's end. Then the path an
 * operator takes after an alarm: a batch given up to the on-failure destination, repaired by `verify --repair`.
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

test('1,000 changes through 10 % faults: the slave equals the master after every round, no change lost, no item stale', async () => {
  // Act: seed 13 draws five faults in the first seven write requests, the seventh a slow answer, so records are
  // reported failed (the 3 s function timeout ends before the answer) and must succeed later.
  const report = await runSoak({
    endpoint,
    changes: 1000,
    items: 200,
    rounds: 2,
    faultRate: 0.1,
    seed: 13,
    functionTimeoutMs: 3000,
  });

  // Assess
  expect({ lost: report.lostChanges, stale: report.staleItems, equal: report.slaveEqualsMaster }).toEqual({
    lost: 0,
    stale: 0,
    equal: true,
  });
  expect(report.changeSummary.deletes).toBeGreaterThan(0);
  expect(report.changeSummary.reinserts).toBeGreaterThan(0);
  expect(report.faultsTotal).toBeGreaterThan(0);
  expect(report.requestRetries).toBeGreaterThan(0);
  expect(report.faults.slowResponse).toBeGreaterThan(0);
  expect(report.recordsReportedFailed).toBeGreaterThan(0);
  expect(report.recordsFailedThenSucceeded).toBe(report.recordsReportedFailed);
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
