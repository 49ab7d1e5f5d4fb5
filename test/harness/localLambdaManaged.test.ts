/**
 * The local Lambda as Lambda Managed Instances time invocations out, and a container stopped for a while: a timeout
 * fails only that invocation and its code runs on in the same container (its late answer is discarded); a stalled
 * container takes no new invocation until it resumes.
 */
import { useFixtureLambdas } from '../helpers/localLambdaFixture';

const fixtureLambda = useFixtureLambdas();

describe('Managed Instances timeouts and stalled containers', () => {
  test('a Managed Instances timeout fails only that invocation: its code runs on, its late answer is discarded, the container keeps serving', async () => {
    // Prepare
    const lambda = fixtureLambda({ maxConcurrency: 2, timeoutMs: 1_000 });

    // Act
    const timedOut = await lambda.invoke({ n: 1, sleepMs: 1_500 } as never);
    const next = await lambda.invoke({ n: 2 } as never);
    const settled = await lambda.settled(5_000);

    // Assess
    expect(timedOut).toMatchObject({ status: 'error', errorType: 'Sandbox.Timedout', timedOut: true });
    expect(next).toMatchObject({ status: 'ok', coldStart: false, container: timedOut.container });
    expect(settled).toBe(true);
    expect(lambda.stats).toMatchObject({ timeouts: 1, containersKilled: 0, lateAnswers: 1, coldStarts: 1 });
  });

  test('a stalled container is stopped and resumed: its invocation ends late, and new invocations go elsewhere meanwhile', async () => {
    // Prepare
    const lambda = fixtureLambda({ maxConcurrency: 2, timeoutMs: 10_000 });
    await lambda.invoke({ n: 0 } as never);

    // Act
    const started = Date.now();
    const stalled = lambda.invoke({ n: 1, sleepMs: 200 } as never, { stall: { afterMs: 50, forMs: 800 } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const meanwhile = await lambda.invoke({ n: 2 } as never);
    const first = await stalled;

    // Assess
    expect(first).toMatchObject({ status: 'ok', container: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(meanwhile).toMatchObject({ status: 'ok', coldStart: true, container: 2 });
    expect(lambda.stats).toMatchObject({ stalls: 1, timeouts: 0 });
  });
});
