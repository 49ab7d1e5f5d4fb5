/**
 * Warm path: ten consecutive invocations of one container (module required once, so its clients and keep-alive
 * connections live on) against ten invocations that each get a freshly required module (new clients, new
 * connections every time, as a handler that builds its client inside the invocation would). Both series start
 * from a freshly required module, so the first invocation of the warm series pays for its connections too.
 */
import { failedRecords, invoke, type LoadedHandler, loadHandler } from './bundle';
import { type BenchContext, eventOf, type PreparedWorkload, prepareWorkload } from './context';
import { median } from './stats';
import type { SlaveTable } from './tables';

/** Figures of one series of invocations. */
export interface SeriesResult {
  readonly invocationsMs: number[];
  readonly medianMs: number;
  readonly totalMs: number;
  /** New client connections the proxy saw during each invocation. */
  readonly connections: number[];
  readonly requests: number;
  readonly failedRecords: number;
  /** Time spent requiring the module (outside the invocation times), summed over the series. */
  readonly requireMs: number;
}

/** Figures of the warm-path comparison. */
export interface WarmPathResult {
  readonly invocations: number;
  readonly recordsPerInvocation: number;
  readonly sameContainer: SeriesResult;
  readonly newClientEachTime: SeriesResult;
}

async function series(
  context: BenchContext,
  batches: readonly PreparedWorkload[],
  slave: SlaveTable,
  load: (index: number) => LoadedHandler,
): Promise<SeriesResult> {
  await context.resetTables([slave]);
  const invocationsMs: number[] = [];
  const connections: number[] = [];
  let requests = 0;
  let failed = 0;
  let requireMs = 0;
  for (const [index, batch] of batches.entries()) {
    const loaded = load(index);
    requireMs += loaded.requireMs;
    await context.proxy.reset();
    const invocation = await invoke(loaded, eventOf(batch));
    const stats = await context.proxy.stats();
    invocationsMs.push(invocation.ms);
    connections.push(stats.connections);
    requests += stats.requests;
    failed += failedRecords(invocation, batch.size);
  }
  return {
    invocationsMs,
    medianMs: median(invocationsMs),
    totalMs: invocationsMs.reduce((sum, ms) => sum + ms, 0),
    connections,
    requests,
    failedRecords: failed,
    requireMs,
  };
}

/** Runs both series on `invocations` consecutive batches of `records` records each. */
export async function measureWarmPath(
  context: BenchContext,
  env: Record<string, string | undefined>,
  slave: SlaveTable,
  invocations = 10,
  records = 100,
): Promise<WarmPathResult> {
  const batches = Array.from({ length: invocations }, (_, i) => prepareWorkload(records, 500 + i, i * records));
  const container = loadHandler(env);
  const sameContainer = await series(context, batches, slave, (index) =>
    index === 0 ? container : { ...container, requireMs: 0 },
  );
  const newClientEachTime = await series(context, batches, slave, () => loadHandler(env));
  return { invocations, recordsPerInvocation: records, sameContainer, newClientEachTime };
}
