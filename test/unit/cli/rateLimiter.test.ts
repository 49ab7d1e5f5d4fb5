import { TokenBucket } from '../../../src/cli/table/rateLimiter';

describe('TokenBucket', () => {
  it('lets a second of units through at once, then charges drive it negative so the next take waits', async () => {
    let now = 0;
    const bucket = new TokenBucket(100, () => now);
    await bucket.take(100);
    bucket.charge(50);
    let done = false;
    const waiting = bucket.take(1).then(() => (done = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toBe(false);
    now += 600; // 60 units refilled: -50 + 60 = 10 ≥ 1
    await waiting;
    expect(done).toBe(true);
  });
});
