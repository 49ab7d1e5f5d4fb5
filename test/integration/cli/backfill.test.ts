/**
 * backfill against DynamoDB Local, through the library: complete copies (binary keys, nested values), reruns, the
 * batch mode, items the slave already has, and items the slave rejects — the safety tests in the safe modes
 * (`watched`, the default, `checked` and `conditional`). A `watched` run needs a stream on the master, so its master
 * gets one.
 */

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { TableSpec } from '../../../harness/tables';
import { compareTables, scanAll } from '../../../harness/tables';
import { type BackfillConfig, runBackfill, type WriteMode } from '../../../src/cli/backfill/backfill';
import type { TableRef } from '../../../src/shared/tableRef';
import { putItems, regionClients, richItem, runConfig, tablePair } from './fixture';

let clients: { master: DynamoDBClient; slave: DynamoDBClient };
let dir: string;

beforeAll(() => {
  clients = regionClients();
  dir = mkdtempSync(join(tmpdir(), 'backfill-test-'));
});

afterAll(() => {
  clients.master.destroy();
  clients.slave.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function backfillConfig(
  tables: { master: TableRef; slave: TableRef },
  overrides: Partial<BackfillConfig> = {},
): BackfillConfig {
  return {
    ...runConfig(tables),
    writeMode: 'checked',
    stateFile: join(dir, `${tables.slave.table}.state.json`),
    restart: false,
    ...overrides,
  };
}

function compare(tables: { master: TableRef; slave: TableRef }) {
  return compareTables(
    { client: clients.master, table: tables.master.table },
    { client: clients.slave, table: tables.slave.table },
  );
}

const SAFE_MODES: WriteMode[] = ['watched', 'checked', 'conditional'];

/** The master's table spec for a run in `writeMode`: `watched` follows the master's stream, so the master has one. */
function masterSpec(writeMode: WriteMode, spec: Omit<TableSpec, 'name'> = {}): Omit<TableSpec, 'name'> {
  return writeMode === 'watched' ? { ...spec, streamViewType: 'KEYS_ONLY' } : spec;
}

/**
 * A master of `count` rich items and a slave with an index on `g` as a number; master items below `rejected` carry
 * `g` as a string, which the slave rejects.
 */
async function tablesWithRejectedItems(writeMode: WriteMode, count: number, rejected: number) {
  const tables = await tablePair(clients, masterSpec(writeMode), {
    extraAttributes: [{ name: 'g', type: 'N' }],
    globalSecondaryIndexes: [
      {
        IndexName: 'by-g',
        KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ],
  });
  await putItems(
    clients.master,
    tables.master.table,
    Array.from({ length: count }, (_, index) => ({
      ...richItem(index),
      ...(index < rejected ? { g: { S: 'text' } } : {}),
    })),
  );
  return tables;
}

describe('backfill', () => {
  test.each(SAFE_MODES)(
    '%s: copies all 600 items (binary partition key, number sort key, nested and binary values) into an empty slave, exactly',
    async (writeMode) => {
      // Prepare
      const tables = await tablePair(clients, masterSpec(writeMode, { partitionKeyType: 'B', sortKeyType: 'N' }));
      await putItems(
        clients.master,
        tables.master.table,
        Array.from({ length: 600 }, (_, index) => richItem(index, 'B+N')),
      );
      const config = backfillConfig(tables, { writeMode, pageSize: 50 }); // three pages in each of the four segments

      // Act
      const summary = await runBackfill(config);

      // Assess
      const comparison = await compare(tables);
      expect({
        missing: comparison.missing.length,
        extra: comparison.extra.length,
        different: comparison.different,
      }).toEqual({ missing: 0, extra: 0, different: [] });
      expect(comparison.replicaCount).toBe(600);
      expect(summary).toMatchObject({
        complete: true,
        resumed: false,
        thisRun: { scanned: 600, written: 600, present: 0, failed: 0 },
      });
      expect(existsSync(config.stateFile)).toBe(false);
    },
  );

  test.each(SAFE_MODES)('%s: a second run writes nothing: every item counts as already present', async (writeMode) => {
    // Prepare
    const tables = await tablePair(clients, masterSpec(writeMode));
    await putItems(
      clients.master,
      tables.master.table,
      Array.from({ length: 200 }, (_, index) => richItem(index)),
    );
    await runBackfill(backfillConfig(tables, { writeMode }));

    // Act
    const again = await runBackfill(backfillConfig(tables, { writeMode }));

    // Assess
    expect(again).toMatchObject({ complete: true, thisRun: { scanned: 200, written: 0, present: 200, failed: 0 } });
  });

  // `watched` is left out on purpose: it does not go by what the slave holds, but by the master's stream — a slave item
  // can only be newer than a copy if the master changed it after the scan, and the stream shows every such change
  // (watchedWindow.test.ts and race.test.ts prove that side).
  test.each(['checked', 'conditional'] as const)(
    '%s: never replaces an item the slave already has, even an older-looking one',
    async (writeMode) => {
      // Prepare: the slave holds versions 2 of items 0-49 (as the stream would have written them) and an extra item.
      const tables = await tablePair(clients, masterSpec(writeMode));
      await putItems(
        clients.master,
        tables.master.table,
        Array.from({ length: 200 }, (_, index) => richItem(index)),
      );
      const newer = Array.from({ length: 50 }, (_, index) => ({
        ...richItem(index),
        version: { N: '2' },
        price: { N: '999' },
      }));
      await putItems(clients.slave, tables.slave.table, newer);

      // Act
      const summary = await runBackfill(backfillConfig(tables, { writeMode }));

      // Assess
      const slaveItems = await scanAll(clients.slave, tables.slave.table);
      const versions = new Map(slaveItems.map((item) => [item.pk?.S, item.version?.N]));
      expect(slaveItems).toHaveLength(200);
      expect(Array.from({ length: 50 }, (_, index) => versions.get(`item-${index}`))).toEqual(Array(50).fill('2'));
      expect(versions.get('item-50')).toBe('1');
      expect(summary.thisRun).toMatchObject({ written: 150, present: 50, failed: 0 });
    },
  );

  test('batch mode copies every item with BatchWriteItem', async () => {
    // Prepare
    const tables = await tablePair(clients, { sortKeyType: 'S' });
    await putItems(
      clients.master,
      tables.master.table,
      Array.from({ length: 300 }, (_, index) => ({ ...richItem(index), sk: { S: `s${index % 3}` } })),
    );

    // Act
    const summary = await runBackfill(backfillConfig(tables, { writeMode: 'batch' }));

    // Assess
    expect((await compare(tables)).equal).toBe(true);
    expect(summary).toMatchObject({ complete: true, writeMode: 'batch', thisRun: { scanned: 300, written: 300 } });
  });

  test.each(['watched', 'checked', 'conditional', 'batch'] as const)(
    '%s: items the slave rejects are counted and named, the run is incomplete and its state file kept for a rerun',
    async (writeMode) => {
      // Prepare: the slave has an index on `g` as a number; master items 0-9 carry `g` as a string, which it rejects.
      const tables = await tablesWithRejectedItems(writeMode, 300, 10);
      const config = backfillConfig(tables, { writeMode });

      // Act
      const summary = await runBackfill(config);

      // Assess
      expect(summary.complete).toBe(false);
      expect(summary.thisRun).toMatchObject({ scanned: 300, written: 290, failed: 10 });
      expect(summary.failures).toHaveLength(10);
      expect(summary.failures[0]?.error).toMatch(/ValidationException/);
      expect(summary.stateFile).toBe(config.stateFile);
      expect(existsSync(config.stateFile)).toBe(true);
      expect((await scanAll(clients.slave, tables.slave.table)).length).toBe(290);
    },
  );

  // The slave's versions of the failed items differ from the master's, so yielding (the slave's stay) and
  // overwriting (the master's land) give different slaves.
  const slaveItemsKept = [0, 1, 2, 3, 4].map((index) => ({
    key: `pk={"S":"item-${index}"}`,
    attributes: ['note', 'version'],
  }));
  test.each([
    ['checked', 'yields to the versions the slave holds (they are left as they are)', slaveItemsKept],
    ['conditional', 'yields to the versions the slave holds (they are left as they are)', slaveItemsKept],
    // `watched` learns what changed from the master's stream, not from the slave: items that did not change during
    // the run are written without a read, so the slave gets the master's current version.
    ['watched', "writes the master's current versions over the slave's, as no change was seen during the run", []],
  ] as const)(
    '%s: a rerun resumes from the state file, retries what failed, and %s',
    async (writeMode, _does, kept) => {
      // Prepare: a first run fails items 0-4 on a slave index. Valid versions of those items are then written to the
      // master (version 3), and versions that differ (version 4, with a note) to the slave.
      const tables = await tablesWithRejectedItems(writeMode, 100, 5);
      const config = backfillConfig(tables, { writeMode });
      const first = await runBackfill(config);
      for (let index = 0; index < 5; index += 1) {
        const fixed = { ...richItem(index), version: { N: '3' } };
        await clients.master.send(new PutItemCommand({ TableName: tables.master.table, Item: fixed }));
        const other = { ...fixed, version: { N: '4' }, note: { S: 'written on the slave' } };
        await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: other }));
      }

      // Act
      const second = await runBackfill(config);

      // Assess: every other item came from the master; items 0-4 are the slave's (kept) or the master's.
      expect(first.complete).toBe(false);
      expect(second).toMatchObject({ complete: true, resumed: true, thisRun: { failed: 0 } });
      const comparison = await compare(tables);
      expect({ missing: comparison.missing, extra: comparison.extra }).toEqual({ missing: [], extra: [] });
      expect([...comparison.different].sort((x, y) => x.key.localeCompare(y.key))).toEqual(kept);
      expect(existsSync(config.stateFile)).toBe(false);
    },
  );
});
