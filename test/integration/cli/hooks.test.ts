/**
 * The operator tools on a partial replica, against DynamoDB Local: `backfill --hooks` fills the slave with
 * exactly the hooked items (through the CLI bundle, and through the library in every write mode), `verify --hooks`
 * proves it and `--repair` removes what the filter keeps out, a hook failing on one item fails only that item, and
 * an excluded key attribute is refused with exit 2. The oracle is the hooks' effect computed here, item by item.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { compareItems, scanAll } from '../../../harness/tables';
import { type BackfillConfig, runBackfill, type WriteMode } from '../../../src/cli/backfill/backfill';
import { formatVerify } from '../../../src/cli/report';
import { runVerify } from '../../../src/cli/verify/verify';
import type { ReplicaHooks } from '../../../src/shared/hooks';
import { formatTableRef, type TableRef } from '../../../src/shared/tableRef';
import { type Item, putItems, richItem, runCli, runConfig, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();
let dir: string;

/** The hooks module an operator would write: only tenant "a", without the ssn attribute. */
const HOOKS_MODULE = `
exports.filter = (item) => item.tenant !== undefined && item.tenant.S === 'a';
exports.transform = (item) => {
  const { ssn, ...rest } = item;
  return rest;
};
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hooks-test-'));
  writeFileSync(join(dir, 'replica-hooks.js'), HOOKS_MODULE);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TENANTS = ['a', 'b', undefined] as const;

/** Master item `index`: tenant a, b or none in turn, each with an ssn. */
function masterItem(index: number): Item {
  const tenant = TENANTS[index % TENANTS.length];
  return { ...richItem(index), ssn: { S: `000-00-${index}` }, ...(tenant ? { tenant: { S: tenant } } : {}) };
}

/** What the slave should hold of `items`, worked out here independently of the code under test. */
function hooked(items: readonly Item[]): Item[] {
  return items
    .filter((item) => item.tenant?.S === 'a')
    .map((item) => Object.fromEntries(Object.entries(item).filter(([name]) => name !== 'ssn')) as Item);
}

/** A master of `count` mixed items (with a stream, for the default `watched` mode) and an empty slave. */
async function mixedPair(count: number): Promise<{ tables: { master: TableRef; slave: TableRef }; items: Item[] }> {
  const tables = await tablePair(clients, { streamViewType: 'KEYS_ONLY' });
  const items = Array.from({ length: count }, (_, index) => masterItem(index));
  await putItems(clients.master, tables.master.table, items);
  return { tables, items };
}

/** The slave compared with `expected`, exactly. */
async function slaveAgainst(tables: { slave: TableRef }, expected: Item[]) {
  return compareItems(expected, await scanAll(clients.slave, tables.slave.table), ['pk']);
}

describe('the CLI with --hooks', () => {
  test('backfill copies exactly the hooked items; verify --hooks says equal, verify without hooks does not', async () => {
    // Prepare
    const { tables, items } = await mixedPair(300);
    const expected = hooked(items);
    const pair = [formatTableRef(tables.master), formatTableRef(tables.slave)];
    const quiet = ['--quiet', '--json'];

    // Act
    const backfill = await runCli(['backfill', ...pair, '--hooks', './replica-hooks.js', ...quiet], { cwd: dir });
    const verifyHooked = await runCli(
      ['verify', ...pair, '--hooks', './replica-hooks.js', '--recheck-delay', '0', ...quiet],
      { cwd: dir },
    );
    const verifyPlain = await runCli(['verify', ...pair, '--recheck-delay', '0', ...quiet], { cwd: dir });

    // Assess
    expect(backfill.stderr).toBe('');
    expect(backfill.code).toBe(0);
    expect(JSON.parse(backfill.stdout).thisRun).toMatchObject({
      scanned: 300,
      written: expected.length,
      skipped: 300 - expected.length,
      failed: 0,
    });
    expect(await slaveAgainst(tables, expected)).toMatchObject({ equal: true, replicaCount: 100 });
    expect(verifyHooked.code).toBe(0);
    expect(JSON.parse(verifyHooked.stdout)).toMatchObject({ equal: true, hooksFailed: 0 });
    expect(verifyPlain.code).toBe(1);
    expect(JSON.parse(verifyPlain.stdout).differences).toEqual({ missing: 200, extra: 0, different: 100 });
  });

  test('verify --hooks counts a slave item outside the filter as extra, and --repair deletes it', async () => {
    // Prepare: a correct partial slave, then an item the filter keeps out and a kept item with the dropped attribute.
    const { tables, items } = await mixedPair(60);
    const expected = hooked(items);
    await putItems(clients.slave, tables.slave.table, expected);
    await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: masterItem(1) }));
    await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: masterItem(3) }));
    const args = [
      'verify',
      formatTableRef(tables.master),
      formatTableRef(tables.slave),
      '--hooks',
      join(dir, 'replica-hooks.js'),
      '--recheck-delay',
      '0',
      '--quiet',
    ];

    // Act
    const found = await runCli([...args, '--json']);
    const repair = await runCli([...args, '--repair']);
    const after = await runCli(args);

    // Assess
    expect(found.code).toBe(1);
    const summary = JSON.parse(found.stdout);
    expect(summary.differences).toEqual({ missing: 0, extra: 1, different: 1 });
    expect(summary.samples.extra).toEqual([{ pk: { S: 'item-1' } }]);
    expect(summary.samples.different).toEqual([{ key: { pk: { S: 'item-3' } }, attributes: ['ssn'] }]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('repair: repaired 2');
    expect(after.code).toBe(0);
    expect(await slaveAgainst(tables, expected)).toMatchObject({ equal: true });
  });

  test.each(['backfill', 'verify'])(
    '%s refuses --exclude-attributes naming a key attribute, with exit 2',
    async (command) => {
      // Prepare
      const { tables } = await mixedPair(3);

      // Act
      const result = await runCli(
        [
          command,
          formatTableRef(tables.master),
          formatTableRef(tables.slave),
          '--exclude-attributes',
          'ssn,pk',
          '--quiet',
        ],
        { cwd: dir },
      );

      // Assess
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--exclude-attributes names the key attribute(s) pk');
      expect(result.stderr).toContain('remove pk from --exclude-attributes');
      expect(await scanAll(clients.slave, tables.slave.table)).toEqual([]);
    },
  );

  test('an unusable hooks module is a usage error naming the fix', async () => {
    // Prepare
    writeFileSync(join(dir, 'empty-hooks.js'), 'exports.other = 1;');

    // Act
    const result = await runCli(['verify', 'us-east-1/Orders', 'eu-west-1/Copy', '--hooks', 'empty-hooks.js'], {
      cwd: dir,
    });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('exports neither filter nor transform');
  });
});

describe('runBackfill with hooks, in every write mode', () => {
  const hooks: ReplicaHooks = {
    filter: (item) => item.tenant?.S === 'a',
    transform: (item) => {
      if (item.pk?.S === 'item-9') throw new Error('no copy for item 9');
      const { ssn: _ssn, ...rest } = item;
      return rest as Item;
    },
  };

  test.each<WriteMode>(['watched', 'checked', 'conditional', 'batch'])(
    '%s copies the hooked items (excluded attributes dropped after the hooks) and fails only the item a hook fails on',
    async (writeMode) => {
      // Prepare
      const { tables, items } = await mixedPair(240);
      const config: BackfillConfig = {
        ...runConfig(tables),
        hooks,
        excludeAttributes: ['flag'],
        writeMode,
        stateFile: join(dir, `${tables.slave.table}.state.json`),
        restart: false,
        watch: { pollIntervalMs: 100, recheckDelayMs: 100 },
      };
      const expected = hooked(items)
        .filter((item) => item.pk?.S !== 'item-9')
        .map(({ flag: _flag, ...rest }) => rest as Item);

      // Act
      const summary = await runBackfill(config);

      // Assess
      expect(summary.complete).toBe(false);
      expect(summary.thisRun).toMatchObject({
        scanned: 240,
        written: expected.length,
        skipped: 160,
        failed: 1,
        refreshed: 0,
        undone: 0,
      });
      expect(summary.failures).toEqual([
        { key: { pk: { S: 'item-9' } }, error: expect.stringContaining('transform threw for the item pk="item-9"') },
      ]);
      expect(await slaveAgainst(tables, expected)).toMatchObject({ equal: true });
    },
  );
});

describe('the reconcile steps compare the copy with the hooked master item', () => {
  /**
   * Hooks whose answer for `item-0` and `item-3` changes after the first call, as if the master changed them between
   * the scan and the reconcile step's consistent read: item-0 leaves the filter, item-3 is shaped differently.
   */
  function changingHooks(): ReplicaHooks {
    const seen = new Map<string, number>();
    const calls = (item: Item): number => {
      const pk = item.pk?.S ?? '';
      const count = (seen.get(pk) ?? 0) + 1;
      seen.set(pk, count);
      return count;
    };
    return {
      filter: (item) => item.tenant?.S === 'a' && !(item.pk?.S === 'item-0' && calls(item) > 1),
      transform: (item) => {
        const { ssn: _ssn, ...rest } = item;
        return item.pk?.S === 'item-3' && calls(item) > 1 ? ({ ...rest, note: { S: 'changed' } } as Item) : rest;
      },
    };
  }

  test.each<[WriteMode, { undone: number; refreshed: number }]>([
    ['checked', { undone: 1, refreshed: 1 }],
    ['conditional', { undone: 1, refreshed: 0 }],
  ])('%s removes a copy the filter now keeps out and refreshes as its mode does', async (writeMode, counts) => {
    // Prepare
    const { tables, items } = await mixedPair(30);
    const config: BackfillConfig = {
      ...runConfig(tables),
      hooks: changingHooks(),
      writeMode,
      stateFile: join(dir, `${tables.slave.table}.state.json`),
      restart: false,
    };
    const expected = hooked(items)
      .filter((item) => item.pk?.S !== 'item-0')
      .map((item) => (writeMode === 'checked' && item.pk?.S === 'item-3' ? { ...item, note: { S: 'changed' } } : item));

    // Act
    const summary = await runBackfill(config);

    // Assess
    expect(summary.complete).toBe(true);
    expect(summary.thisRun).toMatchObject({ skipped: 20, failed: 0, ...counts });
    expect(await slaveAgainst(tables, expected)).toMatchObject({ equal: true });
  });
});

describe('runVerify with hooks', () => {
  test('an item a hook fails on is reported with the hook message, not compared, and the tables are not equal', async () => {
    // Prepare: a correct partial slave; the hooks now fail on item-6.
    const { tables, items } = await mixedPair(30);
    await putItems(clients.slave, tables.slave.table, hooked(items));
    const hooks: ReplicaHooks = {
      filter: (item) => item.tenant?.S === 'a',
      transform: (item) => {
        if (item.pk?.S === 'item-6') throw new Error('cannot shape item 6');
        const { ssn: _ssn, ...rest } = item;
        return rest as Item;
      },
    };

    // Act
    const summary = await runVerify({ ...runConfig(tables), hooks, repair: true, sampleSize: 10, recheckDelayMs: 0 });

    // Assess
    expect(summary).toMatchObject({
      equal: false,
      repairedAll: false,
      hooksFailed: 1,
      differences: { missing: 0, extra: 0, different: 0 },
      repair: { repaired: 0, failed: 0 },
    });
    expect(summary.samples.hooksFailed).toEqual([
      { key: { pk: { S: 'item-6' } }, error: expect.stringContaining('cannot shape item 6') },
    ]);
    expect(formatVerify(summary)).toContain('hooks failed (not compared): 1');
  });
});
