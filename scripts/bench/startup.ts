/**
 * Package size and start-up: bundle and zip bytes, cold init of the bundle against a bare SDK require (each median
 * over fresh `node` processes, alternating so machine load hits both alike), and peak RSS of one big invocation.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { BUNDLE_PATH, ZIP_PATH } from './bundle';
import { PEAK_RSS_RUNNER, REQUIRE_TIMER, runNodeChild } from './children';
import type { BenchContext, PreparedWorkload } from './context';
import { median } from './stats';
import { type SlaveTable, verifyTable } from './tables';

/** Bundle and zip sizes in bytes (NaN when missing). */
export function packageSizes(): { bundleBytes: number; zipBytes: number } {
  const size = (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      return Number.NaN;
    }
  };
  return { bundleBytes: size(BUNDLE_PATH), zipBytes: size(ZIP_PATH) };
}

/** Cold-init figures. */
export interface ColdInitResult {
  readonly runs: number;
  readonly bundleMedianMs: number;
  readonly sdkMedianMs: number;
  readonly ratio: number;
  readonly bundleSamplesMs: number[];
  readonly sdkSamplesMs: number[];
}

/** Times `require` of the bundle and of `@aws-sdk/client-dynamodb` in `runs` fresh processes each. */
export async function measureColdInit(runs: number, env: Record<string, string | undefined>): Promise<ColdInitResult> {
  const sdkPath = require.resolve('@aws-sdk/client-dynamodb');
  const bundleSamplesMs: number[] = [];
  const sdkSamplesMs: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    bundleSamplesMs.push((await runNodeChild<{ ms: number }>(REQUIRE_TIMER, env, [BUNDLE_PATH])).ms);
    sdkSamplesMs.push((await runNodeChild<{ ms: number }>(REQUIRE_TIMER, env, [sdkPath])).ms);
  }
  const bundleMedianMs = median(bundleSamplesMs);
  const sdkMedianMs = median(sdkSamplesMs);
  return { runs, bundleMedianMs, sdkMedianMs, ratio: bundleMedianMs / sdkMedianMs, bundleSamplesMs, sdkSamplesMs };
}

/** Peak-RSS figures. */
export interface PeakRssResult {
  readonly records: number;
  readonly peakBytes: number;
  readonly afterRequireBytes: number;
  readonly afterEventBytes: number;
  readonly invokeMs: number;
  readonly failedRecords: number;
  readonly error: string | null;
  readonly verification: string[];
}

/** Invokes the bundle once with `workload` in a fresh process and reads its maxRSS. */
export async function measurePeakRss(
  context: BenchContext,
  env: Record<string, string | undefined>,
  slave: SlaveTable,
  workload: PreparedWorkload,
): Promise<PeakRssResult> {
  mkdirSync(resolve('.cache'), { recursive: true });
  const eventFile = resolve('.cache', `bench-event-${workload.size}.json`);
  writeFileSync(eventFile, workload.json);
  await context.resetTables([slave]);
  const result = await runNodeChild<{
    afterRequireKb: number;
    afterEventKb: number;
    peakKb: number;
    invokeMs: number;
    failed: number;
    error: string | null;
  }>(PEAK_RSS_RUNNER, env, [BUNDLE_PATH, eventFile]);
  return {
    records: workload.size,
    peakBytes: result.peakKb * 1024,
    afterRequireBytes: result.afterRequireKb * 1024,
    afterEventBytes: result.afterEventKb * 1024,
    invokeMs: result.invokeMs,
    failedRecords: result.failed,
    error: result.error,
    verification: await verifyTable(context.admin(slave.region), slave.table, workload.writes),
  };
}
