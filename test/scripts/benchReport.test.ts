/**
 * `npm run bench` exits non-zero when a correctness target fails (the slave does not equal the final states, the
 * request count is off, records failed) and stays at 0 when only speed targets are missed: checkTargets and
 * exitCodeOf of scripts/bench/report.ts on hand-made results.
 */

import type { FanOutResult } from '../../scripts/bench/fanOut';
import { type BenchResults, checkTargets, exitCodeOf } from '../../scripts/bench/report';
import type { PeakRssResult } from '../../scripts/bench/startup';
import type { ThroughputResult } from '../../scripts/bench/throughput';

/** A throughput row (1,000 records unless changed): 400 requests expected, as fast as the ideal plan, slave equal. */
function throughputRow(
  changes: { records?: number; requests?: number; verification?: string[]; slower?: number } = {},
): ThroughputResult {
  return {
    records: changes.records ?? 1000,
    distinctItems: 10_000,
    expectedRequests: 400,
    verification: changes.verification ?? [],
    handlerOverIdeal: changes.slower ?? 1,
    handler: { medianMs: 100, requests: changes.requests ?? 400, failedRecords: 0 },
  } as unknown as ThroughputResult;
}

/** Results that meet every target, with `changes` applied. */
function results(changes: Partial<BenchResults> = {}): BenchResults {
  return {
    throughput: [throughputRow(), throughputRow({ records: 10_000 })],
    baseline: { msPerRecord: 20, sampleRecords: 100 },
    zipBytes: 100 * 1024,
    coldInit: { ratio: 1 },
    peakRss: { records: 10_000, peakBytes: 100 * 1024 * 1024, failedRecords: 0, verification: [] },
    fanOut: { ratio: 1.1, idealRatio: 1, failedRecords: 0, verification: [] },
    errors: [],
    ...changes,
  } as unknown as BenchResults;
}

test('a run that meets every target exits 0', () => {
  // Act
  const checks = checkTargets(results());

  // Assess
  expect(checks.filter((check) => check.pass !== true)).toEqual([]);
  expect(exitCodeOf(results(), checks)).toBe(0);
});

test.each<[string, Partial<BenchResults>, string]>([
  [
    'the slave differs from the final states',
    { throughput: [throughputRow({ verification: ['3 items differ'] }), throughputRow({ records: 10_000 })] },
    'slave equals final states, 1,000 records',
  ],
  [
    'one request too many',
    { throughput: [throughputRow({ requests: 401 }), throughputRow({ records: 10_000 })] },
    'requests, 1,000 records (10,000 distinct items)',
  ],
  [
    'a fan-out slave differs',
    {
      fanOut: {
        ratio: 1.1,
        idealRatio: 1,
        failedRecords: 0,
        verification: ['eu-central-1: 1 missing'],
      } as unknown as FanOutResult,
    },
    'three slaves equal final states, 1,000 records',
  ],
  [
    'failed records in the peak RSS run',
    { peakRss: { records: 10_000, peakBytes: 1, failedRecords: 2, verification: [] } as unknown as PeakRssResult },
    'slave equals final states in the peak RSS run, 10,000 records',
  ],
])('%s: a correctness target FAILs and the run exits 1', (_, changes, failing) => {
  // Act
  const checks = checkTargets(results(changes));

  // Assess
  expect(checks.filter((check) => check.pass !== true).map((check) => [check.name, check.kind])).toEqual([
    [failing, 'correctness'],
  ]);
  expect(exitCodeOf(results(changes), checks)).toBe(1);
});

test('speed targets missed (slower than the ideal plan, three slaves too slow) are reported but exit 0', () => {
  // Prepare
  const slow = results({
    throughput: [throughputRow({ slower: 2 }), throughputRow({ records: 10_000 })],
    fanOut: { ratio: 3, idealRatio: 1, failedRecords: 0, verification: [] } as unknown as FanOutResult,
  });

  // Act
  const checks = checkTargets(slow);

  // Assess
  expect(checks.filter((check) => check.pass === false).map((check) => check.kind)).toEqual(['speed', 'speed']);
  expect(exitCodeOf(slow, checks)).toBe(0);
});

test.each<[string, number, number, string[]]>([
  ['both within their targets', 1.05, 1.1, []],
  ['1,000 records over 1.05×', 1.06, 1.0, ['handler vs ideal plan, 1,000 records']],
  ['10,000 records over 1.10×', 1.0, 1.11, ['handler vs ideal plan, 10,000 records']],
])('handler against the ideal plan, %s: the speed targets say so and the run exits 0', (_, at1000, at10000, missed) => {
  // Prepare
  const measured = results({
    throughput: [throughputRow({ slower: at1000 }), throughputRow({ records: 10_000, slower: at10000 })],
  });

  // Act
  const checks = checkTargets(measured);

  // Assess
  expect(checks.filter((check) => check.pass === false).map((check) => [check.name, check.kind])).toEqual(
    missed.map((name) => [name, 'speed']),
  );
  expect(exitCodeOf(measured, checks)).toBe(0);
});

test('a measurement that failed with an error exits 1', () => {
  // Act + Assess
  expect(exitCodeOf(results({ errors: ['fan-out: boom'] }), checkTargets(results()))).toBe(1);
});
