/**
 * backfill --from-export against a local S3 (s3rver, started by this file and stopped by its PID) holding exports in
 * DynamoDB's documented layout: the built CLI loads one (binary and nested values intact), a missing export exits 2
 * naming it, and each export the tool must not load — ION, incremental, a damaged data file, items of another key
 * schema, another table, one older than the stream keeps — is refused before or without a wrong write; a run stopped
 * by a damaged file resumes by data file once the file is right.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExportSpec, exportUrl, writeExport } from '../../../harness/exportWriter';
import { differencesOf, enableStream, NO_DIFFERENCES } from '../../../harness/tables';
import { runBackfill } from '../../../src/cli/backfill/backfill';
import { parseExportLocation } from '../../../src/cli/export/s3Url';
import type { TableRef } from '../../../src/shared/tableRef';
import { useLocalS3 } from '../../helpers/localS3';
import { compareTablePair, putItems, richItem, runCli, runConfig, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();
const BUCKET = 'exports';
const s3 = useLocalS3([BUCKET]);
let exportCount = 0;

const tableArn = (ref: TableRef): string => `arn:aws:dynamodb:${ref.region}:000000000000:table/${ref.table}`;

/** A master with `count` rich items and a stream, an empty slave, and an export of the master written now. */
async function exportedPair(count: number, spec: Partial<ExportSpec> = {}) {
  const tables = await tablePair(clients);
  const items = Array.from({ length: count }, (_, index) => richItem(index));
  await putItems(clients.master, tables.master.table, items);
  await enableStream(clients.master, tables.master.table);
  exportCount += 1;
  const exportSpec: ExportSpec = {
    bucket: BUCKET,
    prefix: `orders/${exportCount}`,
    exportId: `0170000000000${exportCount}-abcdef12`,
    tableArn: tableArn(tables.master),
    exportTime: new Date(),
    items,
    files: 3,
    ...spec,
  };
  await writeExport(s3.current.client, exportSpec);
  return { tables, items, exportSpec, url: exportUrl(exportSpec) };
}

/** The built CLI's `backfill --from-export url`, quiet, with the local S3 as its S3 endpoint. */
function loadWithCli(tables: { master: TableRef; slave: TableRef }, url: string, options: string[]) {
  const table = (ref: TableRef): string => `${ref.region}/${ref.table}`;
  return runCli(['backfill', table(tables.master), table(tables.slave), '--from-export', url, '--quiet', ...options], {
    env: { AWS_ENDPOINT_URL_S3: s3.current.endpoint },
  });
}

/** A library run loading `url`, quiet, with a fresh state file. */
function loadConfig(tables: { master: TableRef; slave: TableRef }, url: string, stateFile: string, restart = true) {
  const fromExport = parseExportLocation(url, '--from-export');
  if (typeof fromExport === 'string') throw new Error(fromExport);
  return {
    ...runConfig(tables, { pageSize: 50 }),
    writeMode: 'watched' as const,
    stateFile,
    restart,
    fromExport,
    watch: { pollIntervalMs: 100, recheckDelayMs: 100 },
  };
}

describe('backfill --from-export', () => {
  test('the built CLI loads an export into the slave: equal to the master, binary and nested values intact', async () => {
    // Prepare
    const { tables, url } = await exportedPair(240);
    const stateFile = join(tmpdir(), `from-export-${tables.slave.table}.state.json`);

    // Act
    const result = await loadWithCli(tables, url, ['--json', '--state-file', stateFile]);

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({
      complete: true,
      writeMode: 'watched',
      totalSegments: 3,
      fromExport: { dataFiles: 3 },
      thisRun: { scanned: 240, written: 240, failed: 0 },
    });
    expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);
  });

  test('a missing export exits 2 with a message naming it', async () => {
    // Prepare
    const tables = await tablePair(clients, { streamViewType: 'NEW_IMAGE' });
    const url = `s3://${BUCKET}/nowhere/AWSDynamoDB/01700000000000-missing`;

    // Act
    const result = await loadWithCli(tables, url, []);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `s3://${BUCKET}/nowhere/AWSDynamoDB/01700000000000-missing/manifest-summary.json does not exist`,
    );
  });

  test.each<[string, Partial<ExportSpec>, RegExp]>([
    ['an ION export', { outputFormat: 'ION' }, /format is ION; .*DYNAMODB_JSON/],
    ['an incremental export', { exportType: 'INCREMENTAL_EXPORT' }, /INCREMENTAL_EXPORT: its files hold changes/],
    [
      'a damaged data file',
      { badChecksums: [1] },
      /checksum mismatch: export data file s3:\/\/exports\/.*00001-.*\.json\.gz has MD5/,
    ],
    [
      'items of another key schema',
      { items: [{ id: { S: 'a' } }, { id: { S: 'b' } }] },
      /key schema differs: an item of .* has no pk, and the slave's key is pk \(S\)/,
    ],
    [
      'an export of another table',
      { tableArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Other' },
      /is of table us-east-1\/Other, not of the master/,
    ],
    [
      'an export older than the stream keeps',
      { exportTime: new Date(Date.now() - 23.5 * 3600_000) },
      /hours ago: the master's stream keeps changes for 24 hours/,
    ],
  ])(
    '%s is refused with a message naming what is wrong (exit 2), and nothing wrong is written',
    async (_, spec, message) => {
      // Prepare
      const { tables, url } = await exportedPair(30, spec);
      const stateFile = join(tmpdir(), `refused-${tables.slave.table}.state.json`);

      // Act
      const run = runBackfill(loadConfig(tables, url, stateFile));

      // Assess
      await expect(run).rejects.toMatchObject({ name: 'ToolError', message: expect.stringMatching(message) });
      const comparison = await compareTablePair(clients, tables);
      expect(comparison.different).toEqual([]);
      rmSync(stateFile, { force: true });
    },
  );

  test('a run stopped by a damaged data file resumes by data file once the file is right', async () => {
    // Prepare: 6 files, the last one damaged; files are loaded 4 at a time, so some are done when the run stops.
    const { tables, items, exportSpec, url } = await exportedPair(300, { files: 6, badChecksums: [5] });
    const stateFile = join(tmpdir(), `resume-export-${tables.slave.table}.state.json`);
    await expect(runBackfill(loadConfig(tables, url, stateFile))).rejects.toThrow(/checksum mismatch/);
    await writeExport(s3.current.client, { ...exportSpec, badChecksums: [] });

    // Act
    const summary = await runBackfill(loadConfig(tables, url, stateFile, false));

    // Assess
    expect(summary).toMatchObject({ complete: true, resumed: true, total: { scanned: items.length } });
    expect(summary.thisRun.scanned).toBeLessThan(items.length);
    expect(summary.thisRun.scanned % 50).toBe(0);
    expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);
  });
});
