/**
 * Handler against the ideal plan for one batch, and the sequential baseline.
 *
 * Every timed run starts from an empty slave table, zeroed proxy counters and a full garbage collection. Handler and
 * ideal runs come in pairs, in alternating order, and the handler/ideal ratio is the median of the per-pair ratios:
 * on a two-core machine DynamoDB Local's speed drifts during a run (JIT, GC), and pairing cancels most of that drift.
 */
import type { LatencyProxyStats } from '../../harness/latencyProxy';
import { writeSequentially } from './baseline';
import { failedRecords, invoke, type LoadedHandler } from './bundle';
import { type BenchContext, eventOf, type PreparedWorkload } from './context';
import { firstRequestMs, watchFirstRequest } from './firstRequest';
import { collectGarbage } from './gc';
import { writeIdealPlan } from './ideal';
import { median } from './stats';
import { type SlaveTable, verifyTable } from './tables';
import type { BenchStreamRecord } from './types';

/** One timed handler invocation with what went through the proxy. */
export interface HandlerRun {
  readonly ms: number;
  /** Time until the first request left (see firstRequest.ts). */
  readonly firstRequestMs: number;
  readonly failed: number;
  readonly error: string | undefined;
  readonly proxy: LatencyProxyStats;
}

/** One timed run of the ideal plan. */
export interface IdealRun {
  readonly ms: number;
  readonly firstRequestMs: number;
  readonly proxy: LatencyProxyStats;
}

/** Empties `slaves`, invokes the handler with a fresh copy of the batch, and reads the proxy counters. */
export async function timedHandlerRun(
  context: BenchContext,
  loaded: LoadedHandler,
  workload: PreparedWorkload,
  slaves: readonly SlaveTable[],
): Promise<HandlerRun> {
  await context.resetTables(slaves);
  await context.proxy.reset();
  const event = eventOf(workload);
  collectGarbage();
  watchFirstRequest();
  const invocation = await invoke(loaded, event);
  const firstRequest = firstRequestMs();
  return {
    ms: invocation.ms,
    firstRequestMs: firstRequest,
    failed: failedRecords(invocation, workload.size),
    error: invocation.error?.message,
    proxy: await context.proxy.stats(),
  };
}

/** Empties `slaves` and writes the ideal plan to all of them at once through the proxy. */
export async function timedIdealRun(
  context: BenchContext,
  workload: PreparedWorkload,
  slaves: readonly SlaveTable[],
): Promise<IdealRun> {
  await context.resetTables(slaves);
  await context.proxy.reset();
  collectGarbage();
  watchFirstRequest();
  const start = performance.now();
  await Promise.all(
    slaves.map((slave) => writeIdealPlan(context.proxiedClient(slave.region), slave.table, workload.writes)),
  );
  const ms = performance.now() - start;
  const firstRequest = firstRequestMs();
  return { ms, firstRequestMs: firstRequest, proxy: await context.proxy.stats() };
}

/** Runs `repeats` pairs of `runA` and `runB`, alternating which goes first; `ratios` are A ms / B ms per pair. */
export async function pairedRuns<A extends { ms: number }, B extends { ms: number }>(
  repeats: number,
  runA: () => Promise<A>,
  runB: () => Promise<B>,
): Promise<{ a: A[]; b: B[]; ratios: number[] }> {
  const a: A[] = [];
  const b: B[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < repeats; i += 1) {
    let first: A;
    let second: B;
    if (i % 2 === 0) {
      first = await runA();
      second = await runB();
    } else {
      second = await runB();
      first = await runA();
    }
    a.push(first);
    b.push(second);
    ratios.push(first.ms / second.ms);
  }
  return { a, b, ratios };
}

/** Figures of one batch size. */
export interface ThroughputResult {
  readonly records: number;
  readonly distinctItems: number;
  readonly puts: number;
  readonly deletes: number;
  readonly handler: {
    readonly medianMs: number;
    readonly samplesMs: number[];
    readonly requests: number;
    readonly requestsByTarget: Readonly<Record<string, number>>;
    readonly maxInFlight: number;
    readonly recordsPerSecond: number;
    /** Median time until the first request left. */
    readonly firstRequestMs: number;
    readonly failedRecords: number;
    readonly error: string | undefined;
  };
  readonly ideal: {
    readonly medianMs: number;
    readonly samplesMs: number[];
    readonly requests: number;
    readonly maxInFlight: number;
    readonly firstRequestMs: number;
  };
  /** Requests the issue expects: ceil(distinct items / 25). */
  readonly expectedRequests: number;
  /** Differences between the slave after the handler's run and the batch's final states (empty when equal). */
  readonly verification: string[];
  /** Median of the per-pair ratios handler ms / ideal ms. */
  readonly handlerOverIdeal: number;
  readonly pairRatios: number[];
}

/** Measures the handler and the ideal plan on `workload`: one untimed warm-up each, then `repeats` timed pairs. */
export async function measureThroughput(
  context: BenchContext,
  loaded: LoadedHandler,
  workload: PreparedWorkload,
  slave: SlaveTable,
  repeats: number,
): Promise<ThroughputResult> {
  // Warm-up: opens as many connections as each writer uses for this size, and checks what the handler writes.
  const warmUp = await timedHandlerRun(context, loaded, workload, [slave]);
  const verification = await verifyTable(context.admin(slave.region), slave.table, workload.writes);
  if (warmUp.failed > 0)
    verification.push(`handler reported ${warmUp.failed} failed records${warmUp.error ? `: ${warmUp.error}` : ''}`);
  await timedIdealRun(context, workload, [slave]);

  const runs = await pairedRuns(
    repeats,
    () => timedHandlerRun(context, loaded, workload, [slave]),
    () => timedIdealRun(context, workload, [slave]),
  );
  const handlerRuns = runs.a;
  const idealRuns = runs.b;
  const handlerMs = median(handlerRuns.map((run) => run.ms));
  const last = handlerRuns[handlerRuns.length - 1] as HandlerRun;
  return {
    records: workload.size,
    distinctItems: workload.writes.length,
    puts: workload.puts,
    deletes: workload.deletes,
    handler: {
      medianMs: handlerMs,
      samplesMs: handlerRuns.map((run) => run.ms),
      requests: median(handlerRuns.map((run) => run.proxy.requests)),
      requestsByTarget: last.proxy.byTarget,
      maxInFlight: Math.max(...handlerRuns.map((run) => run.proxy.maxInFlight)),
      recordsPerSecond: workload.size / (handlerMs / 1000),
      firstRequestMs: median(handlerRuns.map((run) => run.firstRequestMs)),
      failedRecords: Math.max(...handlerRuns.map((run) => run.failed)),
      error: handlerRuns.find((run) => run.error)?.error,
    },
    ideal: {
      medianMs: median(idealRuns.map((run) => run.ms)),
      samplesMs: idealRuns.map((run) => run.ms),
      requests: median(idealRuns.map((run) => run.proxy.requests)),
      maxInFlight: Math.max(...idealRuns.map((run) => run.proxy.maxInFlight)),
      firstRequestMs: median(idealRuns.map((run) => run.firstRequestMs)),
    },
    expectedRequests: Math.ceil(workload.writes.length / 25),
    verification,
    handlerOverIdeal: median(runs.ratios),
    pairRatios: runs.ratios,
  };
}

/**
 * Writes `workload`'s ideal plan `rounds` times, untimed, so DynamoDB Local's JVM and the proxy have compiled their
 * hot paths before anything is measured (the first runs against a fresh JVM are markedly slower).
 */
export async function warmUpServer(
  context: BenchContext,
  workload: PreparedWorkload,
  slave: SlaveTable,
  rounds: number,
): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await timedIdealRun(context, workload, [slave]);
}

/** Figures of the sequential baseline. */
export interface BaselineResult {
  readonly sampleRecords: number;
  readonly sampleMs: number;
  readonly msPerRecord: number;
  readonly requests: number;
}

/** Writes `records` one at a time through the proxy (once: a hundred round trips already average out jitter). */
export async function measureBaseline(
  context: BenchContext,
  records: readonly BenchStreamRecord[],
  slave: SlaveTable,
): Promise<BaselineResult> {
  await context.resetTables([slave]);
  await context.proxy.reset();
  const start = performance.now();
  await writeSequentially(context.proxiedClient(slave.region), slave.table, records);
  const sampleMs = performance.now() - start;
  const stats = await context.proxy.stats();
  return { sampleRecords: records.length, sampleMs, msPerRecord: sampleMs / records.length, requests: stats.requests };
}
