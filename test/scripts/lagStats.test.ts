/**
 * The pure parts of `npm run bench:lag`: which slave write carries which change, the percentiles, the kept-up rule and
 * the option checks. No timing: every time here is a given number.
 */
import { nextCallSize } from '../../scripts/lag/masterWriter';
import { parseLagOptions } from '../../scripts/lag/options';
import {
  catchUpPerSecond,
  keptUp,
  LagLedger,
  lagGrowth,
  percentile,
  sustainedPerSecond,
} from '../../scripts/lag/stats';
import { acknowledgedItems } from '../../scripts/lag/writes';

describe('LagLedger', () => {
  it('lets a later version of a key carry the earlier versions it superseded, and no other key', () => {
    // Prepare
    const ledger = new LagLedger();
    ledger.noteMaster('a', 1, 1000);
    ledger.noteMaster('a', 2, 1100);
    ledger.noteMaster('b', 3, 1200);
    // Act
    ledger.noteSlave('a', 2, 1500);
    // Assess
    expect(ledger.lags).toEqual([
      { masterAckMs: 1000, lagMs: 500 },
      { masterAckMs: 1100, lagMs: 400 },
    ]);
    expect(ledger.outstanding).toBe(1);
  });

  it('counts a change whose slave acknowledgement came first as carried with no lag', () => {
    // Prepare
    const ledger = new LagLedger();
    ledger.noteSlave('a', 5, 900);
    // Act
    ledger.noteMaster('a', 5, 1000);
    // Assess
    expect(ledger.lags).toEqual([{ masterAckMs: 1000, lagMs: 0 }]);
    expect(ledger.outstanding).toBe(0);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('kept-up rule', () => {
  const run = (lagAt: (second: number) => number) =>
    Array.from({ length: 30 }, (_, second) => ({ masterAckMs: second * 1000, lagMs: lagAt(second) }));

  it('holds for a flat lag with every change carried', () => {
    const lags = run(() => 300);
    expect(lagGrowth(lags)).toBe(0);
    expect(keptUp(lags, 0)).toBe(true);
  });

  it('fails when the lag grows by a tenth of a second per second', () => {
    const lags = run((second) => 300 + second * 100);
    expect(lagGrowth(lags)).toBeCloseTo(0.1, 5);
    expect(keptUp(lags, 0)).toBe(false);
  });

  it('fails when a change never reached the slave', () => {
    expect(
      keptUp(
        run(() => 300),
        1,
      ),
    ).toBe(false);
  });

  it('counts the sustained rate from the first master ack to the last slave ack', () => {
    // 30 changes from 0 to 29 s, the last carried 1 s later: 30 over 30 s.
    expect(sustainedPerSecond(run(() => 1000))).toBe(1);
  });
});

describe('acknowledgedItems', () => {
  const put = (key: string, version: number) => ({
    PutRequest: { Item: { pk: { S: 'p1' }, sk: { S: key }, v: { N: String(version) } } },
  });

  it('takes the items of a BatchWriteItem minus its UnprocessedItems', () => {
    const request = Buffer.from(JSON.stringify({ RequestItems: { slave: [put('a', 1), put('b', 2)] } }));
    const answer = Buffer.from(JSON.stringify({ UnprocessedItems: { slave: [put('b', 2)] } }));
    expect(acknowledgedItems('DynamoDB_20120810.BatchWriteItem', 200, request, answer)).toEqual([
      { key: 'p1#a', version: 1 },
    ]);
    expect(acknowledgedItems('DynamoDB_20120810.BatchWriteItem', 400, request, answer)).toEqual([]);
  });
});

describe('parseLagOptions', () => {
  const defaults = { batchSize: 700, maximumBatchingWindowInSeconds: 2, parallelizationFactor: 3 };

  it('fills the issue’s load and link defaults, and the mapping settings it is given (the template’s)', () => {
    expect(parseLagOptions([], defaults)).toMatchObject({
      rate: 1000,
      seconds: 30,
      latencyMs: 50,
      parallelizationFactor: 3,
      batchSize: 700,
      batchingWindowMs: 2000,
      partitionKeys: 100,
      warmUpSeconds: 15,
      json: false,
    });
    expect(parseLagOptions(['--warm-up-seconds', '0'], defaults).warmUpSeconds).toBe(0);
  });

  it('takes the mapping settings given on the command line over the defaults', () => {
    expect(
      parseLagOptions(['--batch-size', '100', '--batching-window-ms', '0', '--parallelization-factor', '10'], defaults),
    ).toMatchObject({ batchSize: 100, batchingWindowMs: 0, parallelizationFactor: 10 });
  });

  it('names every bad option in one message', () => {
    expect(() =>
      parseLagOptions(['--rate', '0', '--parallelization-factor', '11', '--batching-window-ms', '500'], defaults),
    ).toThrow(
      /--rate must be .*--parallelization-factor must be a whole number from 1 to 10.*--batching-window-ms must be whole seconds/s,
    );
  });
});

describe('nextCallSize', () => {
  it('puts up to 25 changes that came due in one call', () => {
    expect(nextCallSize(100, 160, 100, 1000)).toBe(25);
    expect(nextCallSize(100, 110, 100, 1000)).toBe(10);
    expect(nextCallSize(100, 100, 100, 1000)).toBe(0);
  });

  it('keeps the changes in flight within `keys` indices, so no item is in two calls at once', () => {
    // Changes 0–989 in flight from change 0 on: only 10 more fit before change 1000 writes item 0 again.
    expect(nextCallSize(990, 2000, 0, 1000)).toBe(10);
    expect(nextCallSize(1000, 2000, 0, 1000)).toBe(0);
    // Fewer items than a call holds: one call of every item, then wait for its answer.
    expect(nextCallSize(0, 100, 0, 3)).toBe(3);
    expect(nextCallSize(3, 100, 0, 3)).toBe(0);
  });
});

describe('catchUpPerSecond', () => {
  it('counts every change over the time from the mapping’s start to the last slave acknowledgement', () => {
    // Prepare: 3 changes written before the mapping started at 10 000 ms; the last reached the slave at 10 500 ms.
    const lags = [
      { masterAckMs: 1000, lagMs: 9200 },
      { masterAckMs: 2000, lagMs: 8500 },
      { masterAckMs: 3000, lagMs: 7300 },
    ];
    // Act
    const rate = catchUpPerSecond(lags, 10_000);
    // Assess
    expect(rate).toBe(6);
  });
});
