/**
 * The soak in short (`npm run soak` runs the full 20,000 changes): 1,000 random changes over 200 items replicated by
 * the BUILT bundle through 10 % injected faults, with Lambda's retry semantics, a short function timeout so that slow
 * answers end in reported failures. Nothing may be lost, no item may be stale at any round's end.
 */
import { runSoak } from '../../harness/soak';

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
