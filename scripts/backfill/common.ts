/**
 * What the two backfill benchmarks share (bench-backfill.ts, bench-backfill-live.ts): the run configuration of a
 * backfill over the whole master, number formatting, DynamoDB Local with a state folder, both removed at cleanup,
 * and the measure of one run: its wall time, the CPU it took here and in DynamoDB Local, and the machine's load.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { onCleanup, startLocalUntilCleanup } from '../../harness/cleanup';
import type { DynamoDBLocal } from '../../harness/dynamodbLocal';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import type { RunConfig } from '../../src/cli/runConfig';

/** Scan segments of a benchmark backfill: 4 per CPU, from 8 to 64. */
export const TOTAL_SEGMENTS = Math.min(64, Math.max(8, availableParallelism() * 4));

/** A whole number with thousands separators. */
export const count = (value: number): string => Math.round(value).toLocaleString('en-US');

/** A run config over every segment of `masterTable` → `slaveTable`, quiet, on `endpoint`. */
export function wholeTableConfig(
  endpoint: string,
  masterTable: string,
  slaveTable: string,
  tuning: { concurrency: number; pageSize: number },
): RunConfig {
  return {
    master: { region: MASTER_REGION, table: masterTable },
    slave: { region: SLAVE_REGION, table: slaveTable },
    totalSegments: TOTAL_SEGMENTS,
    segments: Array.from({ length: TOTAL_SEGMENTS }, (_, index) => index),
    ...tuning,
    endpoint,
    progress: { mode: 'none', write: () => undefined, intervalMs: 1000 },
  };
}

/**
 * DynamoDB Local (local credentials in the environment, for the operator tools' default chain) and a fresh folder
 * for state files named after `name`; both are removed at cleanup.
 */
export async function benchEnvironment(name: string): Promise<{ local: DynamoDBLocal; stateDir: string }> {
  const stateDir = join(tmpdir(), `${name}-${process.pid}`);
  mkdirSync(stateDir, { recursive: true });
  onCleanup(() => rmSync(stateDir, { recursive: true, force: true }));
  const local = await startLocalUntilCleanup({ credentialsInEnv: true });
  return { local, stateDir };
}

/** One measured run: items/s, CPU µs per item in this process and in DynamoDB Local, and the 1-minute load after it. */
export interface RunMeasure {
  readonly perSecond: number;
  readonly clientMicros: number;
  /** Undefined where /proc cannot be read (not Linux). */
  readonly serverMicros?: number;
  readonly load: number;
}

/** CPU seconds process `pid` has used (user + system), from /proc; undefined where there is none. */
function processCpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th, in clock ticks.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs `copy` of `items` items and measures it: wall time, this process's CPU (the backfill or the raw writer), and
 * the CPU of DynamoDB Local (`serverPid`). Where other processes load the machine, CPU per item varies less than
 * wall time, and the load says how far a figure can be trusted.
 */
export async function measureRun(items: number, serverPid: number, copy: () => Promise<void>): Promise<RunMeasure> {
  const serverBefore = processCpuSeconds(serverPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await copy();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = processCpuSeconds(serverPid);
  return {
    perSecond: items / seconds,
    clientMicros: (cpu.user + cpu.system) / items,
    ...(serverBefore !== undefined && serverAfter !== undefined
      ? { serverMicros: ((serverAfter - serverBefore) * 1e6) / items }
      : {}),
    load: loadavg()[0] ?? 0,
  };
}
