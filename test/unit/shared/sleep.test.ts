import { sleep } from '../../../src/shared/sleep';

describe('sleep', () => {
  test('resolves after the time, or at once when the signal aborts meanwhile or already has', async () => {
    // Prepare
    const controller = new AbortController();
    const started = Date.now();

    // Act
    await sleep(20);
    const slept = Date.now() - started;
    const woken = sleep(60_000, controller.signal);
    controller.abort();
    await woken;
    await sleep(60_000, controller.signal);

    // Assess: reaching this line within the test's timeout means both long sleeps ended early.
    expect(slept).toBeGreaterThanOrEqual(15);
  });
});
