/**
 * backfill --from-export racing live replication: the export is taken, the master then changes (the BUILT
 * replicator, fed by a Lambda-like poller on the master's real stream, writes each change to the slaves), and it
 * keeps changing while the export is loaded. A naive load of the export (`--write-mode batch`) leaves the slave
 * different — older copies over what the replicator wrote, deleted items back — which shows the window was open;
 * the default mode's load of the same export, following the stream from its oldest record, leaves the slave equal
 * to the master. A load of the export into a slave nothing writes to, followed by the function attached from
 * TRIM_HORIZON (the catch-up after create-slave --with-data's import), ends equal too. The export lies in a local S3 (s3rver, stopped by its PID) in DynamoDB's documented layout.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportUrl, writeExport } from '../../../harness/exportWriter';
import { StreamPoller } from '../../../harness/lambdaPoller';
import { applyRandomChanges } from '../../../harness/randomChanges';
import { loadReplicator, TEMPLATE_RESPONSE_TYPES } from '../../../harness/replicator';
import { createTable, differencesOf, enableStream, NO_DIFFERENCES, uniqueTableName } from '../../../harness/tables';
import { runBackfill, type WriteMode } from '../../../src/cli/backfill/backfill';
import { parseExportLocation } from '../../../src/cli/export/s3Url';
import type { TableRef } from '../../../src/shared/tableRef';
import { useLocalS3 } from '../../helpers/localS3';
import {
  compareTablePair,
  localEndpoint,
  MASTER_REGION,
  putItems,
  richItem,
  runConfig,
  SLAVE_REGION,
  tablePair,
  useRegionClients,
} from './fixture';
import { startInterleaving } from './interleaveFixture';

const clients = useRegionClients();
const BUCKET = 'exports';
const s3 = useLocalS3([BUCKET]);

test('changes made during and after the export leave the slave equal to the master; a naive load of the same export leaves it different; the export loaded and then replayed from the start of the stream (the catch-up after an import) ends equal', async () => {
  // Prepare: a master of 300 items with a stream, its export, and two empty slaves, each fed by the built replicator.
  const items = 300;
  const tables = await tablePair(clients);
  const naiveSlave: TableRef = {
    region: SLAVE_REGION,
    table: (await createTable(clients.slave, { name: uniqueTableName('tools-naive') })).name,
  };
  await putItems(
    clients.master,
    tables.master.table,
    Array.from({ length: items }, (_, index) => richItem(index)),
  );
  const streamArn = await enableStream(clients.master, tables.master.table);
  const spec = {
    bucket: BUCKET,
    prefix: 'race',
    exportId: '01700000000000-race0001',
    tableArn: `arn:aws:dynamodb:${MASTER_REGION}:000000000000:table/${tables.master.table}`,
    exportTime: new Date(),
    items: Array.from({ length: items }, (_, index) => richItem(index)),
    files: 4,
  };
  await writeExport(s3.current.client, spec);
  const fromExport = parseExportLocation(exportUrl(spec), '--from-export');
  if (typeof fromExport === 'string') throw new Error(fromExport);
  const pollerOf = (slave: TableRef): StreamPoller =>
    new StreamPoller({
      ...TEMPLATE_RESPONSE_TYPES,
      endpoint: localEndpoint(),
      region: MASTER_REGION,
      streamArn,
      handler: loadReplicator({ endpoint: localEndpoint(), slaveTable: slave.table }),
      batchSize: 50,
      maximumRetryAttempts: 3,
    });
  const pollers = [pollerOf(tables.slave), pollerOf(naiveSlave)];
  const drainAll = async (): Promise<void> => {
    await Promise.all(pollers.map((poller) => poller.drain()));
  };
  const load = (slave: TableRef, writeMode: WriteMode, endpoint = localEndpoint()) =>
    runBackfill({
      ...runConfig({ master: tables.master, slave }, { pageSize: 25, concurrency: 8, endpoint }),
      writeMode,
      fromExport,
      stateFile: join(tmpdir(), `export-race-${slave.table}.state.json`),
      restart: true,
      watch: { pollIntervalMs: 200, recheckDelayMs: 300 },
    });
  // After the export, before any load: changes the replicator writes to both slaves.
  const after = await applyRandomChanges(clients.master, tables.master.table, {
    seed: 7,
    items,
    changes: 80,
    hotItems: 20,
  });
  await drainAll();

  // During the safe load, the changes interleave with the copies (interleaveFixture.ts).
  const window = await startInterleaving(localEndpoint(), tables.slave.table, 40);
  const changes = window.changes;
  let loading = true;
  const background: Array<Promise<void>> = [];
  try {
    // Act: the naive load first (nothing changes meanwhile), then the safe one with the master changing throughout.
    const naive = await load(naiveSlave, 'batch');
    const changer = (async () => {
      for (let round = 0; loading; round += 1) {
        await applyRandomChanges(clients.master, tables.master.table, {
          seed: 100 + round,
          items,
          changes: 10,
          hotItems: 20,
          onChange: () => window.changeMade(),
        });
      }
    })();
    const replicator = (async () => {
      while (loading) await drainAll();
    })();
    background.push(changer, replicator);
    const safe = await load(tables.slave, 'watched', window.endpoint);
    loading = false;
    window.release();
    await Promise.all([changer, replicator]);
    await drainAll();

    // Assess
    expect(after.deletes).toBeGreaterThan(0);
    expect(naive).toMatchObject({ complete: true, thisRun: { scanned: items, failed: 0 } });
    const naiveDifferences = differencesOf(
      await compareTablePair(clients, { master: tables.master, slave: naiveSlave }),
    );
    expect(naiveDifferences.extra.length + naiveDifferences.different.length).toBeGreaterThan(0);
    expect(safe).toMatchObject({ complete: true, thisRun: { scanned: items, failed: 0 } });
    expect(safe.thisRun.rechecked).toBeGreaterThan(0);
    expect(changes.atLastCopy - changes.atFirstCopy).toBeGreaterThanOrEqual(20);
    for (const poller of pollers)
      expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);

    // And the catch-up after an import (create-slave --with-data): the export loaded into a slave nothing writes to,
    // then the function attached from TRIM_HORIZON replays every change the stream holds over it.
    const imported: TableRef = {
      region: SLAVE_REGION,
      table: (await createTable(clients.slave, { name: uniqueTableName('tools-imported') })).name,
    };
    await load(imported, 'batch');
    const replay = pollerOf(imported);
    pollers.push(replay);
    await replay.drain();
    expect(replay.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    expect(differencesOf(await compareTablePair(clients, { master: tables.master, slave: imported }))).toEqual(
      NO_DIFFERENCES,
    );
  } finally {
    loading = false;
    window.release();
    await Promise.allSettled(background);
    for (const poller of pollers) poller.close();
    await window.close();
  }
});
