/**
 * The soak in short (`npm run soak` runs 20,000 changes): the verdict comes from the slave against an independent
 * model of every change committed to the master, never from the function's answers, so it must catch a zip that
 * loses or reorders changes while answering success. Here: the built zip under the official runtime client in local
 * containers replicates exactly under ParallelizationFactor 10 with bisect, kills, duplicate deliveries, faults and a
 * writer overlapping the deliveries; a batch given up shows in the verdict before `verify --repair` fixes it; and
 * three deliberately broken zips (test/helpers/brokenZips) each FAIL with the count that exposes them.
 */
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { runSoak } from '../../harness/soak';
import { inProcessBundle, type SoakFunctionFactory } from '../../harness/soakFunction';
import { soakPassed } from '../../harness/soakReport';
import { type Breakage, type BrokenZips, brokenZips } from '../helpers/brokenZips';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';

beforeAll(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
});

/** The verdict's counts, for one readable comparison. */
const verdictOf = (report: Awaited<ReturnType<typeof runSoak>>) => ({
  lost: report.lostChanges,
  stale: report.staleItems,
  extra: report.extraItems,
  wrong: report.wrongItems,
  modelErrors: report.modelErrors,
  roundsEqual: report.roundsEqual,
  passed: soakPassed(report),
});

test('the zip under the runtime client, ParallelizationFactor 10, bisect, kills, duplicates, 5 % faults, writes overlapping: the slave equals the model at every round', async () => {
  // Act: the default function, the built zip under aws-lambda-ric in local containers, on a NEW_AND_OLD_IMAGES stream.
  const report = await runSoak({
    endpoint,
    changes: 400,
    items: 80,
    rounds: 2,
    viewType: 'NEW_AND_OLD_IMAGES',
    faultRate: 0.05,
    seed: 12,
    functionTimeoutMs: 3000,
    parallelizationFactor: 10,
    bisect: true,
    killRate: 0.06,
    duplicateRate: 0.05,
  });

  // Assess: the verdict, and that the run met what it claims to survive.
  expect(verdictOf(report)).toEqual({
    lost: 0,
    stale: 0,
    extra: 0,
    wrong: 0,
    modelErrors: 0,
    roundsEqual: 2,
    passed: true,
  });
  expect(report.repairs).toBe(0);
  expect(report.functionKind).toMatch(/aws-lambda-ric/);
  expect(report.containersKilled).toBeGreaterThan(0);
  // killed once their first write had landed on the slave (or, when none had by the drawn time, then)
  expect(report.killedAfterWrites).toBeGreaterThan(0);
  expect(report.batchesBisected).toBeGreaterThan(0);
  expect(report.batchesDuplicated).toBeGreaterThan(0);
  expect(report.changesDuringDrains).toBeGreaterThan(0);
  expect(report.maxConcurrentInvocations).toBeGreaterThan(1);
  expect(report.faultsTotal).toBeGreaterThan(0);
  expect(report.recordsSentToDestination).toBe(0);
});

test('batches given up after crashes count as lost changes in the verdict; verify --repair, run after it, makes the slave equal', async () => {
  // Prepare: the bundle in-process, except that its first three invocations crash before writing anything (as a
  // container dying at start would); with no retries the mapping gives those batches up.
  const crashingFirst: SoakFunctionFactory = async (setup) => {
    const bundle = await inProcessBundle(setup);
    let calls = 0;
    const fn: LambdaFunction = {
      invoke: async (event, options) =>
        ++calls <= 3
          ? { status: 'error', errorType: 'Runtime.ExitError', errorMessage: 'crashed before writing' }
          : bundle.function.invoke(event, options),
    };
    return { ...bundle, function: fn, kind: 'in-process bundle whose first invocations crash' };
  };

  // Act
  const report = await runSoak({
    endpoint,
    changes: 200,
    items: 40,
    rounds: 2,
    faultRate: 0,
    seed: 5,
    parallelizationFactor: 10,
    maximumRetryAttempts: 0,
    functionFactory: crashingFirst,
  });

  // Assess: the given-up batches are described at the destination and missing from the slave at the verdict (a
  // soak that gives records up fails); the repair after it finds those items and makes the slave equal.
  expect(report.failureRecords).toHaveLength(3);
  expect(new Set(report.failureRecords.map((record) => record.requestContext.condition))).toEqual(
    new Set(['RetryAttemptsExhausted']),
  );
  expect(report.lostChanges).toBeGreaterThan(0);
  expect(report.lostChanges).toBeLessThanOrEqual(report.recordsSentToDestination);
  expect(report.staleItems + report.extraItems).toBeGreaterThan(0);
  expect(report.modelErrors).toBe(0);
  expect(soakPassed(report)).toBe(false);
  expect(report.repairs).toBeGreaterThan(0);
  expect(report.itemsRepaired).toBe(report.staleItems + report.extraItems);
  expect(report.equalAfterRepairs).toBe(true);
});

describe('zips that lose or reorder changes and answer success FAIL with the count that exposes them', () => {
  let zips: BrokenZips;
  beforeAll(() => {
    zips = brokenZips();
  });
  afterAll(() => zips.remove());

  /** The same small soak for each zip: in-process, no faults, so every difference is the zip's own doing. */
  const soakZip = (zip: string | undefined) =>
    runSoak({
      endpoint,
      changes: 160,
      items: 32,
      rounds: 1,
      faultRate: 0,
      seed: 3,
      zip,
      functionFactory: inProcessBundle,
    });

  test('the built zip, as a control: equal to the model', async () => {
    // Act
    const report = await soakZip(undefined);

    // Assess
    expect(verdictOf(report)).toMatchObject({ lost: 0, stale: 0, extra: 0, wrong: 0, roundsEqual: 1, passed: true });
  });

  test.each<[Breakage, 'extra' | 'stale']>([
    ['drops-removes', 'extra'],
    ['drops-modifies', 'stale'],
    ['rewrites-older-image', 'stale'],
  ])('%s: answers success, and the soak counts lost changes and %s items', async (breakage, exposedBy) => {
    // Act
    const report = await soakZip(zips.path(breakage));

    // Assess: the function never reported a failure, yet the verdict sees the damage.
    expect(report.recordsReportedFailed).toBe(0);
    expect(report.invocationErrors).toBe(0);
    const verdict = verdictOf(report);
    expect(verdict.passed).toBe(false);
    expect(verdict.lost).toBeGreaterThan(0);
    expect(verdict[exposedBy]).toBeGreaterThan(0);
    expect(verdict.roundsEqual).toBe(0);
    expect(verdict.modelErrors).toBe(0);
    expect(report.functionKind).toContain(breakage);
  });
});
