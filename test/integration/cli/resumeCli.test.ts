/**
 * The real CLI (`dist/cli.js`, built by `npm run build`) killed with SIGKILL mid-run, then resumed from its state
 * file: the second run starts where the first stopped and the slave ends complete. Binary partition keys go through
 * the state file on the way.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { compareTables } from '../../../harness/tables';
import { formatTableRef } from '../../../src/shared/tableRef';
import { cliPath, putItems, regionClients, richItem, runCli, tablePair } from './fixture';

let clients: { master: DynamoDBClient; slave: DynamoDBClient };
let dir: string;

beforeAll(() => {
  if (!existsSync(cliPath())) throw new Error(`${cliPath()} does not exist: run npm run build first`);
  clients = regionClients();
  dir = mkdtempSync(join(tmpdir(), 'backfill-cli-'));
});

afterAll(() => {
  clients.master.destroy();
  clients.slave.destroy();
  rmSync(dir, { recursive: true, force: true });
});

interface SavedState {
  segments: Record<string, { done: boolean; scanned: number; lastKey?: { pk: { B: string } } }>;
}

function readState(path: string): SavedState | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SavedState;
  } catch {
    return undefined; // not written yet
  }
}

const scannedIn = (state: SavedState | undefined): number =>
  Object.values(state?.segments ?? {}).reduce((sum, segment) => sum + segment.scanned, 0);

describe('backfill CLI, killed and resumed', () => {
  test('after SIGKILL mid-run, the same command resumes from the state file and completes the copy', async () => {
    // Prepare
    const total = 1200;
    // (The default write mode follows the master's stream, so the master has one, as it has for the replicator.)
    const tables = await tablePair(clients, { partitionKeyType: 'B', sortKeyType: 'N', streamViewType: 'KEYS_ONLY' });
    await putItems(
      clients.master,
      tables.master.table,
      Array.from({ length: total }, (_, index) => richItem(index, 'B+N')),
    );
    const args = [
      'backfill',
      formatTableRef(tables.master),
      formatTableRef(tables.slave),
      '--total-segments',
      '4',
      '--page-size',
      '50',
      '--concurrency',
      '4',
      '--quiet',
    ];
    let stateAtKill: SavedState | undefined;
    const stateFile = (): string | undefined => readdirSync(dir).find((name) => name.endsWith('.state.json'));

    // Act 1: a rate-capped run (about 4 s for the table), killed once a fifth of the items is committed.
    const killed = await runCli([...args, '--max-items-per-second', '300'], {
      cwd: dir,
      whileRunning: async (pid) => {
        for (;;) {
          try {
            process.kill(pid, 0);
          } catch {
            throw new Error('the CLI finished before it could be killed: nothing to resume');
          }
          const name = stateFile();
          const state = name ? readState(join(dir, name)) : undefined;
          if (scannedIn(state) >= total / 5) {
            process.kill(pid, 'SIGKILL');
            stateAtKill = state;
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
    });

    // Assess 1: killed mid-way, with binary last keys recorded per segment
    expect(killed.signal).toBe('SIGKILL');
    const savedScanned = scannedIn(stateAtKill);
    expect(savedScanned).toBeGreaterThanOrEqual(total / 5);
    expect(savedScanned).toBeLessThan(total);
    const keys = Object.values(stateAtKill?.segments ?? {}).flatMap((segment) =>
      segment.lastKey ? [segment.lastKey.pk.B] : [],
    );
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.every((key) => Buffer.from(key, 'base64').length === 4)).toBe(true);

    // Act 2: the same command, without the cap
    const resumed = await runCli([...args, '--json'], { cwd: dir });

    // Assess 2
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    const summary = JSON.parse(resumed.stdout) as {
      complete: boolean;
      resumed: boolean;
      thisRun: { scanned: number; failed: number };
    };
    expect(summary).toMatchObject({ complete: true, resumed: true, thisRun: { failed: 0 } });
    expect(summary.thisRun.scanned).toBeLessThan(total);
    expect(summary.thisRun.scanned).toBeGreaterThanOrEqual(total - savedScanned);
    const comparison = await compareTables(
      { client: clients.master, table: tables.master.table },
      { client: clients.slave, table: tables.slave.table },
    );
    expect(comparison.equal).toBe(true);
    expect(comparison.replicaCount).toBe(total);
    expect(stateFile()).toBeUndefined();
  });
});
