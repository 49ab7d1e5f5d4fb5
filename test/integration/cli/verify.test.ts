/**
 * verify against DynamoDB Local: each kind of difference found and confirmed, equal-by-value items not reported,
 * changes that settle before the re-check counted as in flight, --repair converging to equality, and the CLI's
 * exit codes and JSON.
 */
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { compareTables } from '../../../harness/tables';
import { openTables } from '../../../src/cli/table/openTables';
import { DifferenceChecker } from '../../../src/cli/verify/differences';
import { runVerify, type VerifyConfig } from '../../../src/cli/verify/verify';
import { Limiter } from '../../../src/shared/limiter';
import { formatTableRef, type TableRef } from '../../../src/shared/tableRef';
import { type Item, putItems, richItem, runCli, runConfig, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();

function verifyConfig(
  tables: { master: TableRef; slave: TableRef },
  overrides: Partial<VerifyConfig> = {},
): VerifyConfig {
  return { ...runConfig(tables), repair: false, sampleSize: 10, recheckDelayMs: 0, ...overrides };
}

/**
 * A master of 600 items and a slave that differs in known ways: 3 missing, 2 extra, 4 different — plus items that
 * are equal by value but spelled differently (numbers, set order), which must not count.
 */
async function divergedPair(): Promise<{
  tables: { master: TableRef; slave: TableRef };
  expected: { missing: string[]; extra: string[]; different: string[] };
}> {
  const tables = await tablePair(clients);
  const items = Array.from({ length: 600 }, (_, index) => richItem(index));
  await putItems(clients.master, tables.master.table, items);
  const respelled = (item: Item): Item => ({
    ...item,
    price: { N: `${item.price?.N}00` },
    nested: { M: { ...item.nested?.M, tags: { SS: [...(item.nested?.M?.tags?.SS ?? [])].reverse() } } },
  });
  const slaveItems = items
    .filter((_, index) => ![10, 20, 30].includes(index))
    .map((item, index) => (index % 50 === 1 ? respelled(item) : item));
  await putItems(clients.slave, tables.slave.table, slaveItems);
  await putItems(clients.slave, tables.slave.table, [richItem(1000), richItem(1001)]);
  const changes: Array<[number, Item]> = [
    [100, { ...richItem(100), price: { N: '1.51' } }],
    [200, { ...richItem(200), blob: { B: new Uint8Array([9, 9]) } }],
    [300, { ...richItem(300), extraAttribute: { S: 'only on the slave' } }],
    [400, { ...richItem(400), nested: { M: { ...richItem(400).nested?.M, list: { L: [{ N: '1e2' }] } } } }],
  ];
  await putItems(
    clients.slave,
    tables.slave.table,
    changes.map(([, item]) => item),
  );
  return {
    tables,
    expected: {
      missing: ['item-10', 'item-20', 'item-30'],
      extra: ['item-1000', 'item-1001'],
      different: ['item-100', 'item-200', 'item-300', 'item-400'],
    },
  };
}

const names = (keys: ReadonlyArray<{ pk?: { S?: string } }>): Array<string | undefined> =>
  keys.map((key) => key.pk?.S).sort();

describe('verify', () => {
  test('finds each kind of difference in both directions, and ignores values equal in another spelling', async () => {
    // Prepare
    const { tables, expected } = await divergedPair();

    // Act
    const summary = await runVerify(verifyConfig(tables));

    // Assess
    expect(summary.differences).toEqual({ missing: 3, extra: 2, different: 4 });
    expect(summary.equal).toBe(false);
    expect(names(summary.samples.missing)).toEqual(expected.missing);
    expect(names(summary.samples.extra)).toEqual(expected.extra);
    expect(names(summary.samples.different.map((entry) => entry.key))).toEqual(expected.different);
    const attributesOf = (pk: string) =>
      summary.samples.different.find((entry) => entry.key.pk && 'S' in entry.key.pk && entry.key.pk.S === pk)
        ?.attributes;
    expect(attributesOf('item-100')).toEqual(['price']);
    expect(attributesOf('item-300')).toEqual(['extraAttribute']);
    expect(summary.scanned).toEqual({ master: 600, slave: 599 });
  });

  test('--repair makes the slave equal to the master, and a second verify finds nothing', async () => {
    // Prepare
    const { tables } = await divergedPair();

    // Act
    const repaired = await runVerify(verifyConfig(tables, { repair: true }));
    const after = await runVerify(verifyConfig(tables));

    // Assess
    expect(repaired.repair).toMatchObject({ repaired: 9, conflicts: 0, failed: 0 });
    expect(repaired.repairedAll).toBe(true);
    expect(after).toMatchObject({ equal: true, differences: { missing: 0, extra: 0, different: 0 } });
    const comparison = await compareTables(
      { client: clients.master, table: tables.master.table },
      { client: clients.slave, table: tables.slave.table },
    );
    expect(comparison.equal).toBe(true);
  });

  test('a candidate that is equal when re-read (a change that was still in flight) is not a difference', async () => {
    // Prepare: the slave lacks item-5 when it is nominated, and gets it (as the stream would) before the re-check.
    const tables = await tablePair(clients);
    await putItems(clients.master, tables.master.table, [richItem(5), richItem(6)]);
    await putItems(clients.slave, tables.slave.table, [richItem(6)]);
    const open = await openTables(verifyConfig(tables));
    const controller = new AbortController();
    const checker = new DifferenceChecker(open, {
      recheckDelayMs: 0,
      repair: false,
      sampleSize: 10,
      limiter: new Limiter(4),
      concurrency: 4,
      signal: controller.signal,
      onFatal: () => controller.abort(),
      onChange: () => undefined,
    });
    try {
      await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: richItem(5) }));

      // Act
      await checker.add({ pk: { S: 'item-5' } });
      await checker.add({ pk: { S: 'item-6' } });
      await checker.finish();
    } finally {
      open.close();
    }

    // Assess
    expect(checker.report).toMatchObject({
      candidates: 2,
      inFlight: 2,
      counts: { missing: 0, extra: 0, different: 0 },
    });
  });

  test('the CLI exits 1 with JSON counts for different tables, 0 after --repair, and 0 for equal tables', async () => {
    // Prepare
    const tables = await tablePair(clients, { sortKeyType: 'N' });
    const items = Array.from({ length: 50 }, (_, index) => ({ ...richItem(index), sk: { N: String(index % 4) } }));
    await putItems(clients.master, tables.master.table, items);
    await putItems(clients.slave, tables.slave.table, items.slice(1));
    await clients.slave.send(
      new DeleteItemCommand({ TableName: tables.slave.table, Key: { pk: { S: 'item-7' }, sk: { N: '3' } } }),
    );
    const args = [
      'verify',
      formatTableRef(tables.master),
      formatTableRef(tables.slave),
      '--recheck-delay',
      '0',
      '--quiet',
    ];

    // Act
    const different = await runCli([...args, '--json']);
    const repair = await runCli([...args, '--repair']);
    const equal = await runCli(args);

    // Assess
    expect(different.code).toBe(1);
    expect(JSON.parse(different.stdout)).toMatchObject({
      equal: false,
      differences: { missing: 2, extra: 0, different: 0 },
    });
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain('repair: repaired 2');
    expect(equal.code).toBe(0);
    expect(equal.stdout).toContain(': equal');
  });
});
