/**
 * What the two backfill benchmarks share (bench-backfill.ts, bench-backfill-live.ts): the run configuration of a
 * backfill over the whole master, number formatting, and DynamoDB Local with a state folder, both removed at cleanup.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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
