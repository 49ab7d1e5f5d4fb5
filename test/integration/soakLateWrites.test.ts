/**
 * Late writes in the soak: the function runs as Lambda Managed Instances, and containers are stopped until after an
 * invocation's deadline, as a starved CPU would stop them. The timeout fails the invocation, the mapping retries its
 * batch and moves on to later changes of its items, and then the stopped code runs on. The built zip sends nothing
 * after its cutoff (checked against the monotonic clock before every attempt), so the slave stays equal to the
 * model; a zip whose handler ignores its deadline writes older images over newer ones and FAILs.
 */
import { runSoak } from '../../harness/soak';
import { soakPassed } from '../../harness/soakReport';
import { type BrokenZips, brokenZips } from '../helpers/brokenZips';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';

let zips: BrokenZips;
beforeAll(() => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
  zips = brokenZips();
});
afterAll(() => zips.remove());

/** The same soak for each zip: no faults, so every difference comes from the stopped containers. */
const soakWithStalls = (zip: string | undefined) =>
  runSoak({
    endpoint,
    changes: 400,
    items: 40,
    rounds: 2,
    faultRate: 0,
    seed: 7,
    // Long enough that only the stalls time out, even on a loaded machine: an invocation that times out of its own
    // accord with a write in flight at its cutoff leaves that write to land whenever the server gets to it, the
    // limit docs/guarantees.md states, which a test with a short timeout on a busy machine would meet.
    functionTimeoutMs: 4000,
    parallelizationFactor: 4,
    lateWriteRate: 0.25,
    // Spread over 2 s a round, so that the changes of a stalled batch's items go on in later batches, which the
    // mapping delivers after the stalled batch's retry and before the stopped code runs on.
    writesPerSecond: 100,
    zip,
  });

test('the built zip with containers stopped past the deadline: timed-out invocations run on, and the slave equals the model', async () => {
  // Act
  const report = await soakWithStalls(undefined);

  // Assess
  expect(report.functionKind).toContain('Managed Instances');
  expect(report.stalls?.stopped).toBeGreaterThan(0);
  expect(report.stalls?.ranOn).toBeGreaterThan(0);
  expect(report).toMatchObject({ lostChanges: 0, staleItems: 0, extraItems: 0, wrongItems: 0, roundsEqual: 2 });
  expect(soakPassed(report)).toBe(true);
});

test('a zip that ignores its deadline: its late writes leave older images, and the soak FAILs with stale items', async () => {
  // Act
  const report = await soakWithStalls(zips.path('ignores-its-deadline'));

  // Assess
  expect(report.stalls?.stopped).toBeGreaterThan(0);
  expect(report.staleItems + report.wrongItems).toBeGreaterThan(0);
  expect(report.lostChanges).toBeGreaterThan(0);
  expect(report.modelErrors).toBe(0);
  expect(soakPassed(report)).toBe(false);
});
