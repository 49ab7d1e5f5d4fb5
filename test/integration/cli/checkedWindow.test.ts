/**
 * The window of the `checked` write mode, made to happen on purpose: between the slave read that finds a page's
 * items missing (step 1) and the BatchWriteItem of their copies (step 2), the master changes some of them and
 * deletes others, and "the stream" writes the new versions to the slave. A proxy in front of DynamoDB Local holds
 * back the answer of that slave read until those changes are made, so the copies really do overwrite the newer
 * versions — and step 3 must put every one of them right before the run ends.
 */

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { type SeenRequest, startHoldingProxy } from '../../../harness/holdingProxy';
import { differencesOf, NO_DIFFERENCES, scanAll } from '../../../harness/tables';
import { runBackfill, type WriteMode } from '../../../src/cli/backfill/backfill';
import {
  compareTablePair,
  type Item,
  localEndpoint,
  putItems,
  richItem,
  runConfig,
  tablePair,
  useRegionClients,
} from './fixture';

const clients = useRegionClients();

describe('checked write mode: the window between the slave read and the write', () => {
  test.each<[WriteMode, { refreshed: number; undone: number; written: number; present: number }]>([
    // checked: all 10 copies land (5 over newer stream versions), then 5 are refreshed and 5 removed again.
    ['checked', { refreshed: 5, undone: 5, written: 25, present: 0 }],
    // conditional: the 5 copies of changed items fail their condition (present); the 5 of deleted ones are removed.
    ['conditional', { refreshed: 0, undone: 5, written: 20, present: 5 }],
  ])(
    '%s: copies that overwrote newer stream versions, or items deleted meanwhile, are put right before the run ends',
    async (writeMode, expected) => {
      // Prepare: 30 items read by one segment in pages of 10; the first page's keys are the targets.
      const tables = await tablePair(clients);
      await putItems(
        clients.master,
        tables.master.table,
        Array.from({ length: 30 }, (_, index) => richItem(index)),
      );
      const firstPage = await clients.master.send(
        new ScanCommand({ TableName: tables.master.table, Segment: 0, TotalSegments: 1, Limit: 10 }),
      );
      const keys = (firstPage.Items ?? []).map((item): Item => ({ pk: item.pk ?? { S: '' } }));
      const [changed, deleted] = [keys.slice(0, 5), keys.slice(5, 10)];
      let triggered = false;
      const changeDuringTheWindow = async (request: SeenRequest): Promise<void> => {
        const isSlaveRead = request.action === 'BatchGetItem' && request.body.includes(tables.slave.table);
        if (triggered || !isSlaveRead || !keys.some((key) => request.body.includes(key.pk?.S ?? '?'))) return;
        triggered = true;
        for (const key of changed) {
          const newer = {
            ...(firstPage.Items ?? []).find((item) => item.pk?.S === key.pk?.S),
            version: { N: '2' },
            price: { N: '777' },
          };
          await clients.master.send(new PutItemCommand({ TableName: tables.master.table, Item: newer }));
          await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: newer })); // the stream's write
        }
        for (const key of deleted) {
          await clients.master.send(new DeleteItemCommand({ TableName: tables.master.table, Key: key }));
          await clients.slave.send(new DeleteItemCommand({ TableName: tables.slave.table, Key: key })); // finds nothing yet
        }
      };
      const proxy = await startHoldingProxy(localEndpoint(), { beforeAnswer: changeDuringTheWindow });

      try {
        // Act
        const summary = await runBackfill({
          ...runConfig(tables, {
            totalSegments: 1,
            segments: [0],
            pageSize: 10,
            concurrency: 4,
            endpoint: proxy.endpoint,
          }),
          writeMode,
          stateFile: join(tmpdir(), `window-${tables.slave.table}.state.json`),
          restart: true,
        });

        // Assess
        expect(triggered).toBe(true);
        expect(summary).toMatchObject({ complete: true, thisRun: { scanned: 30, failed: 0, ...expected } });
        const slave = new Map((await scanAll(clients.slave, tables.slave.table)).map((item) => [item.pk?.S, item]));
        expect(changed.map((key) => slave.get(key.pk?.S)?.version?.N)).toEqual(['2', '2', '2', '2', '2']);
        expect(deleted.filter((key) => slave.has(key.pk?.S))).toEqual([]);
        expect(differencesOf(await compareTablePair(clients, tables))).toEqual(NO_DIFFERENCES);
      } finally {
        await proxy.close();
      }
    },
  );
});
