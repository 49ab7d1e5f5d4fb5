/**
 * The windows of the `watched` write mode, made to happen on purpose with a proxy in front of DynamoDB Local.
 *
 * 1. A copy lands after the item changed: the backfill's BatchWriteItem of a page is held back until the master has
 *    changed some of the page's items and deleted others, the replicator (played by the test) has written those
 *    changes to the slave, and the backfill's own stream watcher has re-checked them and found the tables equal.
 *    Only then do the old copies go through — they really do replace the newer versions and bring the deleted items
 *    back — and the re-check of every landed copy of an item the stream showed changing must put all of them right
 *    before the run ends.
 * 2. A change seen before the copy: the answer of the second Scan page is held back until the items changed on the
 *    master (and already replicated to the slave) have been read from the stream by the backfill. Their copies must
 *    then be written only where the slave lacks them: no unconditional write of them ever reaches the slave.
 * 3. A copy lands while its item's re-check runs: the re-check of an item the stream showed changing reads the
 *    slave (the replicator's newer version, equal to the master) just before the backfill's old copy of the item
 *    lands, and its answer is held back until the backfill has moved on to its next page. That re-check can only
 *    find the tables equal; the landed copy must queue the item again, so the old copy is still put right.
 *
 * Stream calls (DescribeStream, GetShardIterator, GetRecords) go through the same proxy untouched; the proxy only
 * watches them to know what the backfill's watcher has read.
 */

import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteItemCommand, type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type HoldingHooks, type SeenRequest, startHoldingProxy } from '../../../harness/holdingProxy';
import { compareTables } from '../../../harness/tables';
import { type BackfillSummary, runBackfill } from '../../../src/cli/backfill/backfill';
import { type Item, localEndpoint, putItems, richItem, runConfig, tablePair, useRegionClients } from './fixture';

const clients = useRegionClients();

type Tables = Awaited<ReturnType<typeof tablePair>>;

/** A promise that resolves once `condition()` holds; `check()` re-evaluates it after the state changed. */
function whenever(condition: () => boolean): { reached: Promise<void>; check(): void } {
  let resolve: () => void = () => undefined;
  const reached = new Promise<void>((done) => (resolve = done));
  const check = (): void => {
    if (condition()) resolve();
  };
  return { reached, check };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** JSON shapes of the requests and answers the tests look into (only string partition keys `pk` are used). */
type JsonKey = { pk?: { S?: string } };
interface BatchWriteBody {
  RequestItems?: Record<string, Array<{ PutRequest?: { Item?: JsonKey } }>>;
}
interface BatchGetBody {
  RequestItems?: Record<string, { Keys?: JsonKey[]; ConsistentRead?: boolean }>;
}
interface PutItemBody {
  TableName?: string;
  Item?: JsonKey;
  ConditionExpression?: string;
}
interface BatchGetAnswer {
  Responses?: Record<string, Array<JsonKey & { version?: { N?: string } }>>;
}
interface GetRecordsAnswer {
  Records?: Array<{ dynamodb?: { Keys?: JsonKey } }>;
}
interface ScanBody {
  TableName?: string;
  ExclusiveStartKey?: JsonKey;
}
interface ScanAnswer {
  Items?: JsonKey[];
}

const pkOf = (key: JsonKey | undefined): string => key?.pk?.S ?? '';
const indexOf = (pk: string): number => Number(pk.replace('item-', ''));
const keyFor = (pk: string): Item => ({ pk: { S: pk } });

/** Whether `request` is a BatchWriteItem to `table` (the backfill's unconditional copies). */
const writesTo = (request: SeenRequest, table: string): boolean =>
  request.action === 'BatchWriteItem' && request.body.includes(table);

/** The keys a BatchWriteItem request puts to `table`, in order. */
function batchWritePks(request: SeenRequest, table: string): string[] {
  return ((JSON.parse(request.body) as BatchWriteBody).RequestItems?.[table] ?? []).map((write) =>
    pkOf(write.PutRequest?.Item),
  );
}

/** The keys a consistent BatchGetItem of `table` read, once it was answered (a re-check's read); none for any other exchange. */
function recheckReadOf(request: SeenRequest, answer: string, table: string): string[] {
  if (request.action !== 'BatchGetItem' || answer.length === 0) return [];
  const read = (JSON.parse(request.body) as BatchGetBody).RequestItems?.[table];
  return read?.ConsistentRead === true ? (read.Keys ?? []).map(pkOf) : [];
}

/** The newer version the master gets, and the replicator writes to the slave. */
const newerVersion = (pk: string): Item => ({ ...richItem(indexOf(pk)), version: { N: '2' }, price: { N: '777' } });

/** The master changes `pk` to its newer version, then the replicator (played by the test) writes it to the slave. */
async function changeAndReplicate(tables: Tables, pk: string): Promise<void> {
  await clients.master.send(new PutItemCommand({ TableName: tables.master.table, Item: newerVersion(pk) }));
  await clients.slave.send(new PutItemCommand({ TableName: tables.slave.table, Item: newerVersion(pk) }));
}

/** The master deletes `pk`, then the replicator (played by the test) deletes it on the slave. */
async function deleteAndReplicate(tables: Tables, pk: string): Promise<void> {
  await clients.master.send(new DeleteItemCommand({ TableName: tables.master.table, Key: keyFor(pk) }));
  await clients.slave.send(new DeleteItemCommand({ TableName: tables.slave.table, Key: keyFor(pk) }));
}

/** A master of 60 items (0…59 of `richItem`) with a stream of `streamViewType`, and an empty slave. */
async function sixtyItemsWithStream(streamViewType: 'NEW_IMAGE' | 'KEYS_ONLY'): Promise<Tables> {
  const tables = await tablePair(clients, { streamViewType });
  await putItems(
    clients.master,
    tables.master.table,
    Array.from({ length: 60 }, (_, index) => richItem(index)),
  );
  return tables;
}

/**
 * A watched backfill of `tables` from scratch, one segment in pages of 20, through a holding proxy with `hooks` (and
 * short watcher delays). The proxy is closed and the state file removed when it returns, also when it fails.
 */
async function watchedBackfillThroughProxy(tables: Tables, hooks: HoldingHooks): Promise<BackfillSummary> {
  const proxy = await startHoldingProxy(localEndpoint(), hooks);
  const stateFile = join(tmpdir(), `watched-window-${tables.slave.table}.state.json`);
  try {
    return await runBackfill({
      ...runConfig(tables, { totalSegments: 1, segments: [0], pageSize: 20, concurrency: 4, endpoint: proxy.endpoint }),
      writeMode: 'watched',
      stateFile,
      restart: true,
      watch: { pollIntervalMs: 50, recheckDelayMs: 100 },
    });
  } finally {
    await proxy.close();
    if (existsSync(stateFile)) rmSync(stateFile);
  }
}

/** What the slave holds for each of `pks` right now (consistent reads, straight to DynamoDB Local). */
async function slaveVersions(
  client: DynamoDBClient,
  table: string,
  pks: readonly string[],
): Promise<Array<string | undefined>> {
  return Promise.all(
    pks.map(
      async (pk) =>
        (await client.send(new GetItemCommand({ TableName: table, Key: keyFor(pk), ConsistentRead: true }))).Item
          ?.version?.N,
    ),
  );
}

/** Whether the slave holds exactly the master's items. */
async function tablesEqual(tables: Tables): Promise<boolean> {
  return (
    await compareTables(
      { client: clients.master, table: tables.master.table },
      { client: clients.slave, table: tables.slave.table },
    )
  ).equal;
}

describe('watched write mode: the windows between the scan and the copy', () => {
  test('copies that replaced newer replicated versions, or brought back deleted items, after the stream was already re-checked are put right before the run ends', async () => {
    // Prepare: 60 items with a stream, read by one segment in pages of 20. The first BatchWriteItem to the slave is
    // held back; its first 5 items are changed and the next 5 deleted on the master, and the replicator's versions
    // of those changes written to the slave. It goes through only after the backfill's watcher re-checked all 10
    // (both tables agree then), so only the re-check of the landed copies can find what they broke.
    const tables = await sixtyItemsWithStream('NEW_IMAGE');
    const slaveTable = tables.slave.table;
    let changed: string[] = [];
    let deleted: string[] = [];
    let held = false;
    const recheckedOnSlave = new Set<string>();
    const rechecked = whenever(() => held && [...changed, ...deleted].every((pk) => recheckedOnSlave.has(pk)));
    let afterCopy: { changed: Array<string | undefined>; deleted: Array<string | undefined> } | undefined;

    const hooks: HoldingHooks = {
      beforeForward: async (request) => {
        if (held || !writesTo(request, slaveTable)) return;
        held = true;
        const pks = batchWritePks(request, slaveTable);
        [changed, deleted] = [pks.slice(0, 5), pks.slice(5, 10)];
        for (const pk of changed) await changeAndReplicate(tables, pk);
        for (const pk of deleted) await deleteAndReplicate(tables, pk);
        rechecked.check();
        await rechecked.reached;
        // The re-check's reads are answered; let it end (DifferenceChecker forgets a key only then) before the copies land.
        await sleep(300);
      },
      beforeAnswer: async (request, answer) => {
        recheckReadOf(request, answer, slaveTable).forEach((pk) => {
          recheckedOnSlave.add(pk);
        });
        rechecked.check();
        if (writesTo(request, slaveTable) && held && afterCopy === undefined) {
          // The held copies just landed: this is the window, seen from outside.
          afterCopy = {
            changed: await slaveVersions(clients.slave, slaveTable, changed),
            deleted: await slaveVersions(clients.slave, slaveTable, deleted),
          };
        }
      },
    };

    // Act
    const summary = await watchedBackfillThroughProxy(tables, hooks);

    // Assess: the window really opened — the old copies replaced the replicator's versions and revived the deletes.
    expect(afterCopy).toEqual({ changed: ['1', '1', '1', '1', '1'], deleted: ['1', '1', '1', '1', '1'] });
    // … and the run closed it.
    expect(summary).toMatchObject({ complete: true, thisRun: { scanned: 60, failed: 0, refreshed: 5, undone: 5 } });
    expect(summary.thisRun.rechecked).toBeGreaterThanOrEqual(changed.length + deleted.length);
    expect(await slaveVersions(clients.slave, slaveTable, [...changed, ...deleted])).toEqual([
      ...changed.map(() => '2'),
      ...deleted.map(() => undefined),
    ]);
    expect(await tablesEqual(tables)).toBe(true);
  });

  test('items the stream showed changing before their page is written are copied only where the slave lacks them, never over the replicated version', async () => {
    // Prepare: 60 items with a KEYS_ONLY stream, pages of 20. The answer of the second Scan page (old versions) is
    // held back until 5 of its items were changed on the master and replicated to the slave, and the backfill's
    // watcher has read those changes from the stream (it asked for more records after the answer carrying them).
    const tables = await sixtyItemsWithStream('KEYS_ONLY');
    const slaveTable = tables.slave.table;
    let targets: string[] = [];
    let held = false;
    const seenInStream = new Set<string>();
    let watcherMovedOn = false;
    const watcherSaw = whenever(() => watcherMovedOn);
    const batchWritten = new Set<string>();
    const unconditionalPuts = new Set<string>();
    const conditionalPuts = new Set<string>();

    const hooks: HoldingHooks = {
      beforeForward: (request) => {
        if (request.action === 'GetRecords' && held && targets.every((pk) => seenInStream.has(pk))) {
          watcherMovedOn = true;
          watcherSaw.check();
        }
        if (writesTo(request, slaveTable))
          batchWritePks(request, slaveTable).forEach((pk) => {
            batchWritten.add(pk);
          });
        if (request.action === 'PutItem') {
          const put = JSON.parse(request.body) as PutItemBody;
          if (put.TableName === slaveTable)
            (put.ConditionExpression ? conditionalPuts : unconditionalPuts).add(pkOf(put.Item));
        }
      },
      beforeAnswer: async (request, answer) => {
        if (request.action === 'GetRecords') {
          for (const record of (JSON.parse(answer) as GetRecordsAnswer).Records ?? []) {
            seenInStream.add(pkOf(record.dynamodb?.Keys));
          }
          return;
        }
        if (held || request.action !== 'Scan') return;
        const scan = JSON.parse(request.body) as ScanBody;
        if (scan.TableName !== tables.master.table || scan.ExclusiveStartKey === undefined) return;
        held = true;
        targets = ((JSON.parse(answer) as ScanAnswer).Items ?? []).slice(0, 5).map(pkOf);
        for (const pk of targets) await changeAndReplicate(tables, pk);
        await watcherSaw.reached;
      },
    };

    // Act
    const summary = await watchedBackfillThroughProxy(tables, hooks);

    // Assess: the page with the targets was held and their changes seen first; their copies were conditional only.
    expect(targets).toHaveLength(5);
    expect(watcherMovedOn).toBe(true);
    expect(targets.filter((pk) => batchWritten.has(pk) || unconditionalPuts.has(pk))).toEqual([]);
    expect(targets.filter((pk) => conditionalPuts.has(pk))).toEqual(targets);
    expect(batchWritten.size).toBe(55); // every other item went the fast way
    expect(summary).toMatchObject({
      complete: true,
      thisRun: { scanned: 60, written: 55, present: 5, failed: 0, refreshed: 0, undone: 0 },
    });
    expect(summary.thisRun.rechecked).toBeGreaterThanOrEqual(targets.length);
    expect(await slaveVersions(clients.slave, slaveTable, targets)).toEqual(['2', '2', '2', '2', '2']);
    expect(await tablesEqual(tables)).toBe(true);
  });

  test("a copy that lands while its item's re-check is reading the tables queues the item again, so the old copy it wrote over the replicated version is put right", async () => {
    // Prepare: 60 items with a stream, one segment in pages of 20. The first BatchWriteItem to the slave (page 1) is
    // held back; item X, its first item, is changed on the master and the replicator's version written to the
    // slave. The stream shows X changing, so the re-checker reads X on both tables; its consistent read of the slave
    // (newer version: the tables agree) is answered by DynamoDB Local, and only then does the held copy go through.
    // The read's answer is held until the backfill writes page 2 — so the run has finished page 1, and put X's landed
    // copy to the re-checker, while X's re-check was still running.
    const tables = await sixtyItemsWithStream('NEW_IMAGE');
    const slaveTable = tables.slave.table;
    let x = '';
    let copyHeld = false;
    let copyReleased = false;
    let recheckRead = false;
    let nextPageWritten = false;
    const slaveReadByRecheck = whenever(() => recheckRead);
    const pageOneDone = whenever(() => nextPageWritten);
    let recheckSaw: string | undefined;
    let afterCopy: Array<string | undefined> | undefined;

    const hooks: HoldingHooks = {
      beforeForward: async (request) => {
        if (!writesTo(request, slaveTable)) return;
        if (copyReleased) {
          // Page 1's writePage has returned: putWatched has handed X's landed copy to the re-checker.
          nextPageWritten = true;
          pageOneDone.check();
          return;
        }
        if (copyHeld) return;
        copyHeld = true;
        x = batchWritePks(request, slaveTable)[0] ?? '';
        // The replicator's write goes first, so the re-check the stream triggers cannot read the slave before it.
        await clients.slave.send(new PutItemCommand({ TableName: slaveTable, Item: newerVersion(x) }));
        await clients.master.send(new PutItemCommand({ TableName: tables.master.table, Item: newerVersion(x) }));
        await slaveReadByRecheck.reached;
        copyReleased = true;
      },
      beforeAnswer: async (request, answer) => {
        if (copyHeld && !recheckRead && recheckReadOf(request, answer, slaveTable).includes(x)) {
          recheckSaw = ((JSON.parse(answer) as BatchGetAnswer).Responses?.[slaveTable] ?? []).find(
            (item) => pkOf(item) === x,
          )?.version?.N;
          recheckRead = true;
          slaveReadByRecheck.check();
          await pageOneDone.reached;
          return;
        }
        if (writesTo(request, slaveTable) && copyReleased && afterCopy === undefined) {
          // The held copy just landed: this is the window, seen from outside.
          afterCopy = await slaveVersions(clients.slave, slaveTable, [x]);
        }
      },
    };

    // Act
    const summary = await watchedBackfillThroughProxy(tables, hooks);

    // Assess: the window really opened — X's re-check read the replicated version, then the old copy replaced it,
    // and the run went on to page 2 while that re-check was still running.
    expect(recheckSaw).toBe('2');
    expect(afterCopy).toEqual(['1']);
    expect(nextPageWritten).toBe(true);
    // … and the run closed it.
    expect(summary).toMatchObject({ complete: true, thisRun: { scanned: 60, failed: 0, undone: 0 } });
    expect(summary.thisRun.refreshed).toBeGreaterThanOrEqual(1);
    expect(await slaveVersions(clients.slave, slaveTable, [x])).toEqual(['2']);
    expect(await tablesEqual(tables)).toBe(true);
  });
});
