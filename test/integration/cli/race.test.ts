/**
 * backfill racing live replication: the documented order is stream + replicator first, then backfill. While the
 * backfill runs, random puts, updates and deletes hit the master, and the BUILT replicator (`dist/index.js`, fed by
 * a Lambda-like poller on the master's real stream) writes them to the slave. Afterwards — once the stream is
 * drained — the slave must equal the master: no copy replaced a newer version the stream wrote (regression), and no
 * copy of an item deleted meanwhile survived (resurrection). Every safe write mode runs each test.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchGetItemCommand, DeleteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { StreamPoller } from '../../../harness/lambdaPoller';
import { applyRandomChanges } from '../../../harness/randomChanges';
import { loadReplicator, TEMPLATE_RESPONSE_TYPES } from '../../../harness/replicator';
import { differencesOf, enableStream, NO_DIFFERENCES, scanAll } from '../../../harness/tables';
import { runBackfill, type WriteMode } from '../../../src/cli/backfill/backfill';
import { runVerify } from '../../../src/cli/verify/verify';
import {
  compareTablePair,
  type Item,
  localEndpoint,
  MASTER_REGION,
  putItems,
  richItem,
  runConfig,
  tablePair,
  useRegionClients,
} from './fixture';
import { startInterleaving } from './interleaveFixture';

const clients = useRegionClients();

const SAFE_MODES: WriteMode[] = ['watched', 'checked', 'conditional'];

describe('backfill next to a live replicator', () => {
  test.each(SAFE_MODES)(
    '%s: random changes replicated by the built handler during a backfill leave the slave equal to the master: nothing regressed or resurrected',
    async (writeMode) => {
      // Prepare: a master with 800 items (four pages in each of the four segments) and no stream; then the stream is
      // enabled (it carries only later changes).
      const items = 800;
      const tables = await tablePair(clients);
      await putItems(
        clients.master,
        tables.master.table,
        Array.from({ length: items }, (_, index) => richItem(index)),
      );
      const streamArn = await enableStream(clients.master, tables.master.table);
      const handler = loadReplicator({ endpoint: localEndpoint(), slaveTable: tables.slave.table });
      let backfillDone = false;
      let replicatedDuringBackfill = 0;
      const poller = new StreamPoller({
        ...TEMPLATE_RESPONSE_TYPES,
        endpoint: localEndpoint(),
        region: MASTER_REGION,
        streamArn,
        handler,
        batchSize: 50,
        maximumRetryAttempts: 3,
        onInvocation: (report) => {
          if (!backfillDone) replicatedDuringBackfill += report.records;
        },
      });
      // The race window: changes made on the master between the backfill's first and last write of copies.
      // Each write of copies waits for four more changes (32 writes of at most 25 copies).
      const window = await startInterleaving(localEndpoint(), tables.slave.table, 120, 4);
      const changes = window.changes;
      let deletes = 0;
      const changer = (async () => {
        for (let round = 0; !backfillDone; round += 1) {
          const done = await applyRandomChanges(clients.master, tables.master.table, {
            seed: 100 + round,
            items,
            changes: 25,
            hotItems: 40,
            onChange: () => window.changeMade(),
          });
          deletes += done.deletes;
        }
      })();
      const replicator = (async () => {
        while (!backfillDone) await poller.drain();
      })();

      try {
        // Act: a slowed-down backfill (small pages, capped rate), so that many changes land while it runs.
        const summary = await runBackfill({
          ...runConfig(tables, { pageSize: 50, concurrency: 8, maxItemsPerSecond: 250, endpoint: window.endpoint }),
          writeMode,
          stateFile: join(tmpdir(), `race-${tables.slave.table}.state.json`),
          restart: true,
        });
        backfillDone = true;
        window.release();
        await Promise.all([changer, replicator]);
        await poller.drain();

        // Assess
        expect(summary).toMatchObject({ complete: true, thisRun: { failed: 0 } });
        expect(changes.atFirstCopy).toBeGreaterThanOrEqual(0);
        expect(changes.atLastCopy - changes.atFirstCopy).toBeGreaterThan(100);
        expect(deletes).toBeGreaterThan(0);
        expect(replicatedDuringBackfill).toBeGreaterThan(0);
        expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
        expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);
        const verified = await runVerify({ ...runConfig(tables), repair: false, sampleSize: 5, recheckDelayMs: 0 });
        expect(verified.equal).toBe(true);
      } finally {
        backfillDone = true;
        window.release();
        await Promise.allSettled([changer, replicator]);
        poller.close();
        await window.close();
      }
    },
  );

  test.each(SAFE_MODES)(
    '%s: a copy of an item the master deleted after the scan read it is removed again: no resurrection',
    async (writeMode) => {
      // Prepare: 50 items read as 5 pages of 10 by one segment, written at 10 items/s. Page 3 is read (prefetched) as
      // soon as page 2 is handed over for writing; once page 2 starts landing on the slave, page 3's items are deleted
      // on the master. The stream's deletes find nothing on the slave (the copy is not there yet), so without the
      // post-write check the backfill would then write those items back to life.
      // (`watched` follows the master's stream, so here the master has one; the test still plays the replicator itself.)
      const tables = await tablePair(clients, writeMode === 'watched' ? { streamViewType: 'KEYS_ONLY' } : {});
      await putItems(
        clients.master,
        tables.master.table,
        Array.from({ length: 50 }, (_, index) => richItem(index)),
      );
      const pages: Item[][] = [];
      let startKey: Item | undefined;
      do {
        const page = await clients.master.send(
          new ScanCommand({
            TableName: tables.master.table,
            Segment: 0,
            TotalSegments: 1,
            Limit: 10,
            ExclusiveStartKey: startKey,
          }),
        );
        pages.push((page.Items ?? []).map((item): Item => ({ pk: item.pk ?? { S: '' } })));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      const [page2, page3] = [pages[1] ?? [], pages[2] ?? []];
      const deleter = (async () => {
        for (;;) {
          const found = await clients.slave.send(
            new BatchGetItemCommand({ RequestItems: { [tables.slave.table]: { Keys: page2 } } }),
          );
          if ((found.Responses?.[tables.slave.table] ?? []).length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        for (const key of page3) {
          await clients.master.send(new DeleteItemCommand({ TableName: tables.master.table, Key: key }));
          await clients.slave.send(new DeleteItemCommand({ TableName: tables.slave.table, Key: key })); // the stream's delete
        }
      })();

      // Act
      const summary = await runBackfill({
        ...runConfig(tables, { totalSegments: 1, segments: [0], pageSize: 10, concurrency: 2, maxItemsPerSecond: 10 }),
        writeMode,
        stateFile: join(tmpdir(), `resurrect-${tables.slave.table}.state.json`),
        restart: true,
      });
      await deleter;

      // Assess
      const slaveKeys = new Set((await scanAll(clients.slave, tables.slave.table)).map((item) => item.pk?.S));
      expect(page3.filter((key) => slaveKeys.has(key.pk?.S))).toEqual([]);
      expect(slaveKeys.size).toBe(40);
      expect(summary.thisRun.undone).toBe(10);
      expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);
    },
  );
});
