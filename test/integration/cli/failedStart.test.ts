/**
 * A backfill that stops before its first write leaves nothing to resume: the built CLI, its master's Streams endpoint
 * unreachable, exits 2 without a state file, and the next run is a fresh one (it reads the stream from now, not from
 * its trim horizon, so nothing is re-checked as "changed"). A state file without progress, as earlier versions left
 * after such a failure, is not resumed either.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../harness/dynamodbLocal';
import { scanAll } from '../../../harness/tables';
import { newState, saveState } from '../../../src/cli/backfill/stateFile';
import { formatTableRef } from '../../../src/shared/tableRef';
import { compareTablePair, putItems, richItem, runCli, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'backfill-failed-start-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A master with a stream (as the replicator needs) holding `count` items, and an empty slave. */
async function filledPair(count: number) {
  const tables = await tablePair(clients, { streamViewType: 'KEYS_ONLY' });
  await putItems(
    clients.master,
    tables.master.table,
    Array.from({ length: count }, (_, index) => richItem(index)),
  );
  return tables;
}

interface SummaryJson {
  complete: boolean;
  resumed: boolean;
  stateFile?: string;
  thisRun: { scanned: number; written: number; rechecked: number };
}

describe('a backfill that stops before its first write', () => {
  test('exits 2 leaving no state file, and the next run starts fresh and copies everything', async () => {
    // Prepare: the default (watched) mode reads the master's stream first; its endpoint refuses connections.
    const tables = await filledPair(200);
    const workDir = mkdtempSync(join(dir, 'run-'));
    const args = ['backfill', formatTableRef(tables.master), formatTableRef(tables.slave), '--quiet', '--json'];
    const unreachable = `http://127.0.0.1:${await freePort()}`;

    // Act
    const failed = await runCli(args, {
      cwd: workDir,
      env: { AWS_ENDPOINT_URL_DYNAMODB_STREAMS: unreachable, AWS_MAX_ATTEMPTS: '2' },
    });
    const filesAfterFailure = readdirSync(workDir);
    const slaveAfterFailure = await scanAll(clients.slave, tables.slave.table);
    const second = await runCli(args, { cwd: workDir });

    // Assess
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`cannot reach ${unreachable}`);
    expect(filesAfterFailure).toEqual([]);
    expect(slaveAfterFailure).toEqual([]);
    expect(second.code).toBe(0);
    const summary = JSON.parse(second.stdout) as SummaryJson;
    expect(summary).toMatchObject({ complete: true, resumed: false, thisRun: { scanned: 200, written: 200 } });
    expect(summary.thisRun.rechecked).toBe(0);
    expect((await compareTablePair(clients, tables)).equal).toBe(true);
  });

  test('a state file that records no progress is not resumed, and is gone after the run', async () => {
    // Prepare: the file an earlier version left after a failed start, at the path the run is told to use.
    const tables = await filledPair(100);
    const stateFile = join(dir, 'empty.state.json');
    const identity = { master: formatTableRef(tables.master), slave: formatTableRef(tables.slave), totalSegments: 4 };
    saveState(stateFile, newState(identity, [0, 1, 2, 3]));

    // Act
    const result = await runCli([
      'backfill',
      formatTableRef(tables.master),
      formatTableRef(tables.slave),
      '--total-segments',
      '4',
      '--state-file',
      stateFile,
      '--quiet',
      '--json',
    ]);

    // Assess
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as SummaryJson;
    expect(summary).toMatchObject({ complete: true, resumed: false, thisRun: { written: 100, rechecked: 0 } });
    expect(existsSync(stateFile)).toBe(false);
    expect((await compareTablePair(clients, tables)).equal).toBe(true);
  });
});
