/**
 * `npm run bench`: the replicator's performance benchmark (handler against the ideal plan, warm path, fan-out, size and start-up).
 *
 * Starts its own DynamoDB Local and a latency-injecting proxy in front of it (both stopped on exit, errors and
 * Ctrl-C, through harness/cleanup.ts), requires the built bundle `dist/index.js` once with its endpoint pointed at the proxy, and measures, all
 * in one run: the handler against the ideal plan and a sequential baseline for batches of 100, 1,000 and 10,000
 * records; the warm path; fan-out to three slaves; bundle and zip size, cold init and peak RSS. Prints tables with
 * the targets and writes bench-results/latest.json. Options: see scripts/bench/options.ts.
 * Progress goes to stderr, the report to stdout.
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { cleanup, onCleanup, runScript, startLocalUntilCleanup } from '../harness/cleanup';
import { handlerEnv, loadHandler } from './bench/bundle';
import { BenchContext, eventOf, FAN_OUT_SLAVES, MAIN_SLAVE, prepareWorkload } from './bench/context';
import { type FanOutResult, measureFanOut } from './bench/fanOut';
import { parseOptions, repeatsFor } from './bench/options';
import { startProxyProcess } from './bench/proxy';
import { type BenchResults, checkTargets, exitCodeOf, formatReport, writeResults } from './bench/report';
import {
  type ColdInitResult,
  measureColdInit,
  measurePeakRss,
  type PeakRssResult,
  packageSizes,
} from './bench/startup';
import {
  type BaselineResult,
  measureBaseline,
  measureThroughput,
  type ThroughputResult,
  warmUpServer,
} from './bench/throughput';
import { measureWarmPath, type WarmPathResult } from './bench/warmPath';

/** The whole run is aborted (and everything stopped) after this long. */
const RUN_LIMIT_MS = 10 * 60_000;
const RESULTS_PATH = resolve('bench-results/latest.json');

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const start = performance.now();
  const options = parseOptions(process.argv.slice(2));
  setTimeout(() => {
    progress(`run exceeded ${RUN_LIMIT_MS / 60_000} minutes: aborting`);
    cleanup().finally(() => process.exit(1));
  }, RUN_LIMIT_MS).unref();
  // Fail early, before starting Java, when there is nothing to measure.
  loadHandler(handlerEnv('http://127.0.0.1:9', [MAIN_SLAVE]));

  progress('starting DynamoDB Local and the latency proxy');
  const local = await startLocalUntilCleanup();
  const proxy = await startProxyProcess(local.endpoint, options.latencyMs, options.handshakeRoundTrips);
  const context = new BenchContext(options, local.endpoint, proxy);
  onCleanup(() => context.destroy());

  const errors: string[] = [];
  const step = async <T>(name: string, measure: () => Promise<T>): Promise<T | undefined> => {
    progress(name);
    try {
      return await measure();
    } catch (error) {
      errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      progress(`  failed: ${errors[errors.length - 1]}`);
      return undefined;
    }
  };

  const mainEnv = handlerEnv(proxy.endpoint, [MAIN_SLAVE]);
  const container = loadHandler(mainEnv);

  await step('warming up DynamoDB Local (untimed)', () =>
    warmUpServer(context, prepareWorkload(1000, 42), MAIN_SLAVE, 15),
  );

  // Each workload is generated just before it is measured and dropped after, so the heap stays small.
  const throughput: ThroughputResult[] = [];
  for (const size of options.sizes) {
    const repeats = repeatsFor(options, size);
    const result = await step(`handler vs ideal plan, ${size} records (${repeats} runs)`, () =>
      measureThroughput(context, container, prepareWorkload(size, size), MAIN_SLAVE, repeats),
    );
    if (result) throughput.push(result);
  }

  const workload1000 = prepareWorkload(1000, 1000);
  const sample = eventOf(workload1000).Records.slice(0, options.baselineSample);
  const baseline: BaselineResult | undefined = await step(`sequential baseline, ${sample.length} records`, () =>
    measureBaseline(context, sample, MAIN_SLAVE),
  );

  const warmPath: WarmPathResult | undefined = await step('warm path, 2 × 10 invocations', () =>
    measureWarmPath(context, mainEnv, MAIN_SLAVE),
  );

  const fanOut: FanOutResult | undefined = await step('fan-out, one slave vs three', async () => {
    const three = loadHandler(handlerEnv(proxy.endpoint, FAN_OUT_SLAVES));
    return measureFanOut(context, container, MAIN_SLAVE, three, FAN_OUT_SLAVES, workload1000, options.repeats);
  });

  const coldInit: ColdInitResult | undefined = await step(
    `cold init, ${options.coldRuns} + ${options.coldRuns} processes`,
    () => measureColdInit(options.coldRuns, mainEnv),
  );

  const biggest = Math.max(...options.sizes);
  const peakRss: PeakRssResult | undefined = await step(`peak RSS, ${biggest} records in a fresh process`, () =>
    measurePeakRss(context, mainEnv, MAIN_SLAVE, prepareWorkload(biggest, biggest)),
  );

  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - start,
    machine: {
      node: process.version,
      cpus: cpus().length,
      platform: `${process.platform}/${process.arch}`,
      loadAtStart,
      loadAtEnd: loadavg()[0] ?? 0,
    },
    commit: gitCommit(),
    options,
    writeConcurrency: process.env.WRITE_CONCURRENCY ?? '(handler default)',
    throughput,
    baseline,
    warmPath,
    fanOut,
    ...packageSizes(),
    coldInit,
    peakRss,
    errors,
  };
  const checks = checkTargets(results);
  writeResults(RESULTS_PATH, results, checks);
  process.stdout.write(`\n${formatReport(results, checks)}\n`);
  return exitCodeOf(results, checks);
}

// Modules required for the warm-path comparison keep idle keep-alive sockets: do not wait for them.
runScript('bench', main, { exitWhenDone: true });
