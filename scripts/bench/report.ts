/**
 * The benchmark's output: one results object, printed as tables with the targets, and written as JSON to
 * bench-results/latest.json. Targets are of two kinds: correctness (the slave equals the final states, the request
 * count, no failed records) marked PASS/FAIL, whose failure makes the run exit non-zero (see {@link exitCodeOf}); and
 * speed, marked PASS/MISS, which are informational (figures on a shared machine vary).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FanOutResult } from './fanOut';
import type { BenchOptions } from './options';
import type { ColdInitResult, PeakRssResult } from './startup';
import { formatCount, formatKb, formatMs, formatRatio } from './stats';
import type { BaselineResult, ThroughputResult } from './throughput';
import type { WarmPathResult } from './warmPath';

/** Everything one run measured. */
export interface BenchResults {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly platform: string;
    /** 1-minute load average when the run started and when it ended: figures mean little on a busy machine. */
    readonly loadAtStart: number;
    readonly loadAtEnd: number;
  };
  readonly commit: string;
  readonly options: BenchOptions;
  readonly writeConcurrency: string;
  readonly throughput: ThroughputResult[];
  readonly baseline: BaselineResult | undefined;
  readonly warmPath: WarmPathResult | undefined;
  readonly fanOut: FanOutResult | undefined;
  readonly bundleBytes: number;
  readonly zipBytes: number;
  readonly coldInit: ColdInitResult | undefined;
  readonly peakRss: PeakRssResult | undefined;
  readonly errors: string[];
}

/** One target of the issue checked against a figure. */
export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly figure: string;
  readonly pass: boolean | undefined;
  /** `correctness` targets fail the run; `speed` targets are informational. */
  readonly kind: 'correctness' | 'speed';
}

/**
 * The run's exit code: 1 when a measurement failed with an error or a correctness target failed (or could not be
 * checked), 0 otherwise, whatever the speed targets say.
 */
export function exitCodeOf(results: Pick<BenchResults, 'errors'>, checks: readonly TargetCheck[]): 0 | 1 {
  const correctnessFailed = checks.some((check) => check.kind === 'correctness' && check.pass !== true);
  return results.errors.length > 0 || correctnessFailed ? 1 : 0;
}

/** Baseline time extrapolated to `records`. */
export function extrapolatedBaselineMs(baseline: BaselineResult, records: number): number {
  return baseline.msPerRecord * records;
}

/** A plain-text table; the first column is left-aligned, the others right-aligned unless `leftAligned` says so. */
function table(headers: string[], rows: string[][], leftAligned: readonly number[] = [0]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) =>
        leftAligned.includes(column) ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const head = headers.some((header) => header !== '')
    ? [line(headers), widths.map((width) => '-'.repeat(width)).join('  ')]
    : [];
  return [...head, ...rows.map(line)].join('\n');
}

const MB = 1024 * 1024;

/** A correctness target: the slave(s) hold the final states (no verification problem) and no record failed. */
function finalStatesCheck(name: string, verification: readonly string[], failedRecords: number): TargetCheck {
  const problems = [...verification, ...(failedRecords > 0 ? [`${failedRecords} failed records`] : [])];
  return {
    name,
    target: 'no difference, no failure',
    figure: problems.length === 0 ? 'equal' : problems.join('; '),
    pass: problems.length === 0,
    kind: 'correctness',
  };
}

/** The most the handler may take over the ideal plan, by batch size (median of the paired runs' ratios). */
const HANDLER_OVER_IDEAL: readonly (readonly [records: number, limit: number])[] = [
  [1000, 1.05],
  [10_000, 1.1],
];

/** Checks the targets (evaluated at 1,000 records where a target says so). */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at1000 = results.throughput.find((row) => row.records === 1000);
  for (const [records, limit] of HANDLER_OVER_IDEAL) {
    const row = results.throughput.find((measured) => measured.records === records);
    checks.push({
      name: `handler vs ideal plan, ${formatCount(records)} records`,
      target: `≤ ${limit.toFixed(2)}×`,
      figure: row ? formatRatio(row.handlerOverIdeal) : 'not measured',
      pass: row ? row.handlerOverIdeal <= limit : undefined,
      kind: 'speed',
    });
  }
  const baselineRatio =
    at1000 && results.baseline ? extrapolatedBaselineMs(results.baseline, 1000) / at1000.handler.medianMs : Number.NaN;
  checks.push({
    name: 'sequential baseline vs handler, 1,000 records',
    target: '≥ 100×',
    figure: formatRatio(baselineRatio),
    pass: Number.isFinite(baselineRatio) ? baselineRatio >= 100 : undefined,
    kind: 'speed',
  });
  for (const row of results.throughput) {
    checks.push({
      name: `requests, ${formatCount(row.records)} records (${formatCount(row.distinctItems)} distinct items)`,
      target: `= ${row.expectedRequests}`,
      figure: String(row.handler.requests),
      pass: row.handler.requests === row.expectedRequests,
      kind: 'correctness',
    });
  }
  for (const row of results.throughput) {
    checks.push(
      finalStatesCheck(
        `slave equals final states, ${formatCount(row.records)} records`,
        row.verification,
        row.handler.failedRecords,
      ),
    );
  }
  checks.push({
    name: 'zip size',
    target: '≤ 175.0 KB',
    figure: formatKb(results.zipBytes),
    pass: Number.isFinite(results.zipBytes) ? results.zipBytes <= 175 * 1024 : undefined,
    kind: 'speed',
  });
  checks.push({
    name: 'cold init vs bare SDK require',
    target: '≤ 1.20×',
    figure: results.coldInit ? formatRatio(results.coldInit.ratio) : 'not measured',
    pass: results.coldInit ? results.coldInit.ratio <= 1.2 : undefined,
    kind: 'speed',
  });
  checks.push({
    name: `peak RSS, ${results.peakRss ? formatCount(results.peakRss.records) : '10,000'} records`,
    target: '≤ 256 MB',
    figure: results.peakRss ? `${(results.peakRss.peakBytes / MB).toFixed(0)} MB` : 'not measured',
    pass: results.peakRss ? results.peakRss.peakBytes <= 256 * MB : undefined,
    kind: 'speed',
  });
  if (results.peakRss) {
    const { records, verification, failedRecords } = results.peakRss;
    checks.push(
      finalStatesCheck(
        `slave equals final states in the peak RSS run, ${formatCount(records)} records`,
        verification,
        failedRecords,
      ),
    );
  }
  checks.push({
    name: 'three slaves vs one, 1,000 records',
    target: '≤ 1.30×',
    figure: results.fanOut
      ? `${formatRatio(results.fanOut.ratio)} (ideal plan ${formatRatio(results.fanOut.idealRatio)})`
      : 'not measured',
    pass: results.fanOut ? results.fanOut.ratio <= 1.3 : undefined,
    kind: 'speed',
  });
  if (results.fanOut) {
    const { verification, failedRecords } = results.fanOut;
    checks.push(finalStatesCheck('three slaves equal final states, 1,000 records', verification, failedRecords));
  }
  return checks;
}

/** The printed report. */
export function formatReport(results: BenchResults, checks: readonly TargetCheck[]): string {
  const { options } = results;
  const out: string[] = [];
  out.push(
    `dynamo-replicator benchmark — DynamoDB Local behind a proxy adding ${options.latencyMs} ms each way ` +
      `(${2 * options.latencyMs} ms round trip; a new connection costs ${options.handshakeRoundTrips} more round trips)`,
  );
  out.push(
    `node ${results.machine.node}, ${results.machine.cpus} CPUs, WRITE_CONCURRENCY=${results.writeConcurrency}, ` +
      `median of ${options.repeats} runs (${Math.min(options.repeats, 3)} at 10,000), slave emptied before each run`,
  );
  const { loadAtStart, loadAtEnd, cpus } = results.machine;
  out.push(
    `load average ${loadAtStart.toFixed(1)} at start, ${loadAtEnd.toFixed(1)} at end` +
      (Math.max(loadAtStart, loadAtEnd) > cpus
        ? ' — BUSY MACHINE: other processes competed for the CPUs, ratios are unreliable'
        : ''),
  );
  out.push('');
  if (results.throughput.length > 0) {
    const rows = results.throughput.map((row) => {
      const baselineMs = results.baseline ? extrapolatedBaselineMs(results.baseline, row.records) : Number.NaN;
      return [
        formatCount(row.records),
        formatCount(row.distinctItems),
        formatMs(row.handler.medianMs),
        `${row.handler.requests} (${row.expectedRequests})`,
        formatCount(row.handler.recordsPerSecond),
        `${formatMs(row.handler.firstRequestMs)} (${formatMs(row.ideal.firstRequestMs)})`,
        formatMs(row.ideal.medianMs),
        String(row.ideal.requests),
        formatRatio(row.handlerOverIdeal),
        `${formatMs(baselineMs)}*`,
        formatRatio(baselineMs / row.handler.medianMs),
      ];
    });
    out.push(
      table(
        [
          'records',
          'distinct',
          'handler',
          'requests (ceil/25)',
          'records/s',
          '1st request (ideal)',
          'ideal plan',
          'ideal req',
          'handler/ideal',
          'sequential',
          'sequential/handler',
        ],
        rows,
      ),
    );
    out.push(
      '  handler/ideal: median of per-run ratios (each handler run paired with an ideal-plan run, order alternating)',
    );
    out.push('  1st request: time from the start of the run until the first request left (CPU work before the wire)');
    if (results.baseline) {
      out.push(
        `  * sequential baseline extrapolated: ${results.baseline.sampleRecords} records written one by one took ` +
          `${formatMs(results.baseline.sampleMs)} (${formatMs(results.baseline.msPerRecord)} per record, ${results.baseline.requests} requests)`,
      );
    }
    out.push('');
  }
  if (results.warmPath) {
    const { sameContainer, newClientEachTime, invocations, recordsPerInvocation } = results.warmPath;
    const row = (name: string, series: typeof sameContainer): string[] => [
      name,
      formatMs(series.medianMs),
      formatMs(series.invocationsMs[0] ?? Number.NaN),
      formatMs(series.totalMs),
      String(series.connections.reduce((sum, count) => sum + count, 0)),
      String(series.requests),
      String(series.failedRecords),
    ];
    out.push(`Warm path: ${invocations} consecutive invocations of ${recordsPerInvocation} records`);
    out.push(
      table(
        ['', 'median', 'first', 'total', 'new connections', 'requests', 'failed'],
        [
          row('same container (module required once)', sameContainer),
          row('new client per invocation (fresh require)', newClientEachTime),
        ],
      ),
    );
    out.push(`  new-client / same-container total: ${formatRatio(newClientEachTime.totalMs / sameContainer.totalMs)}`);
    out.push('');
  }
  if (results.fanOut) {
    const fan = results.fanOut;
    out.push(`Fan-out: ${formatCount(fan.records)} records`);
    out.push(
      table(
        ['', 'handler', 'ideal plan', 'handler requests'],
        [
          ['one slave', formatMs(fan.oneSlaveMs), formatMs(fan.idealOneMs), String(fan.oneSlaveRequests)],
          [
            'three slaves (3 regions)',
            formatMs(fan.threeSlavesMs),
            formatMs(fan.idealThreeMs),
            Object.entries(fan.threeSlavesRequestsByRegion)
              .map(([region, count]) => `${region} ${count}`)
              .join(', '),
          ],
          ['three / one', formatRatio(fan.ratio), formatRatio(fan.idealRatio), ''],
        ],
      ),
    );
    out.push("  (one DynamoDB Local serves all three regions here, so the ideal plan's ratio is this machine's floor)");
    if (fan.error) out.push(`  handler error: ${fan.error}`);
    out.push('');
  }
  out.push('Package and start-up');
  const startRows: string[][] = [
    ['bundle dist/index.js', `${formatCount(results.bundleBytes)} B (${formatKb(results.bundleBytes)})`],
    ['zip dist/dynamo-replicator.zip', `${formatCount(results.zipBytes)} B (${formatKb(results.zipBytes)})`],
  ];
  if (results.coldInit) {
    const cold = results.coldInit;
    startRows.push([`cold init: require bundle (median of ${cold.runs} processes)`, formatMs(cold.bundleMedianMs)]);
    startRows.push([`bare require('@aws-sdk/client-dynamodb') (median of ${cold.runs})`, formatMs(cold.sdkMedianMs)]);
  }
  if (results.peakRss) {
    const rss = results.peakRss;
    startRows.push([
      `peak RSS, ${formatCount(rss.records)} records in one invocation`,
      `${(rss.peakBytes / MB).toFixed(0)} MB (after require ${(rss.afterRequireBytes / MB).toFixed(0)} MB, ` +
        `after parsing the event ${(rss.afterEventBytes / MB).toFixed(0)} MB; ` +
        `invocation ${formatMs(rss.invokeMs)} on new connections)`,
    ]);
  }
  out.push(table(['', ''], startRows, [0, 1]));
  out.push('');
  out.push('Targets. A FAIL (correctness) makes the run exit 1; a MISS (speed) does not.');
  out.push(
    table(
      ['', 'target', 'measured', 'result'],
      checks.map((check) => [
        check.name,
        check.target,
        check.figure,
        check.pass === undefined ? 'n/a' : check.pass ? 'PASS' : check.kind === 'correctness' ? 'FAIL' : 'MISS',
      ]),
      [0, 1, 2],
    ),
  );
  if (results.errors.length > 0) {
    out.push('');
    out.push('Errors (measurements skipped):');
    for (const error of results.errors) out.push(`  ${error}`);
  }
  out.push('');
  out.push(`Whole run: ${(results.durationMs / 1000).toFixed(0)} s. JSON: bench-results/latest.json`);
  return out.join('\n');
}

/** Writes the results as JSON to `path`. */
export function writeResults(path: string, results: BenchResults, checks: readonly TargetCheck[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify({ ...results, targets: checks }, null, 2)}\n`);
}
