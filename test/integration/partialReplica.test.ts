/**
 * A filtered, projected replica end to end: the built library's `createReplicator` handler with a `filter` (only
 * tenant "a") and a `transform` (without `ssn`), and the zip bundle with `EXCLUDE_ATTRIBUTES=ssn`, each fed by the
 * Lambda-like poller from the master's real stream in DynamoDB Local. Items move into and out of the filter, are
 * deleted and re-created; the slave must hold exactly the hooked master: hooks(item) for every master item the filter
 * keeps, nothing else. Needs `npm run build` first (the global setup rebuilds a stale dist/).
 */
import { type AttributeValue, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { StreamHandler } from '../../harness/lambdaFunction';
import { StreamPoller } from '../../harness/lambdaPoller';
import { type HookItem, loadLibrary } from '../../harness/library';
import {
  loadReplicator,
  MASTER_REGION,
  replicatorEnv,
  SLAVE_REGION,
  TEMPLATE_RESPONSE_TYPES,
} from '../../harness/replicator';
import {
  compareItems,
  createMasterTable,
  createTable,
  differencesOf,
  type Item,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** A 38-digit number: the hooks must see it as this exact string. */
const EXACT = '1234567890.1234567890123456789012345678';

/** A master item of a tenant, with a social security number the replica must not hold. */
function customer(pk: string, tenant: string, extra: Record<string, AttributeValue> = {}): Item {
  return {
    pk: { S: pk },
    tenant: { S: tenant },
    ssn: { S: `ssn-of-${pk}` },
    balance: { N: EXACT },
    photo: { B: new Uint8Array([0, 1, 254, 255]) },
    ...extra,
  };
}

/** The replica's definition, written independently of the code under test: tenant "a" only, without `ssn`. */
function expectedReplica(masterItems: readonly Item[]): Item[] {
  return masterItems.filter((item) => item.tenant?.S === 'a').map(({ ssn: _dropped, ...rest }) => rest as Item);
}

/** What the hooks were given, to check that they see SDK values after decoding. */
interface Seen {
  balances: string[];
  photoIsBytes: boolean[];
}

/** The library's handler for this slave, with the tenant filter and the ssn-dropping transform. */
function hookedHandler(slaveTable: string, seen: Seen): StreamHandler {
  const library = loadLibrary(replicatorEnv({ endpoint, slaveTable }));
  const { handler } = library.createReplicator({
    region: SLAVE_REGION,
    table: slaveTable,
    filter: (item: HookItem) => {
      if (item.balance?.N !== undefined) seen.balances.push(item.balance.N);
      // `Buffer` and `Uint8Array` of another realm both say Uint8Array here; base64 text would not.
      if (item.photo) seen.photoIsBytes.push(Object.prototype.toString.call(item.photo.B) === '[object Uint8Array]');
      return item.tenant?.S === 'a';
    },
    transform: (item: HookItem) => {
      const { ssn: _dropped, ...rest } = item;
      return rest;
    },
  });
  return handler;
}

function put(table: string, item: Item): Promise<unknown> {
  return master.send(new PutItemCommand({ TableName: table, Item: item }));
}

function setTenant(table: string, pk: string, tenant: string): Promise<unknown> {
  return master.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { pk: { S: pk } },
      UpdateExpression: 'SET tenant = :t',
      ExpressionAttributeValues: { ':t': { S: tenant } },
    }),
  );
}

function remove(table: string, pk: string): Promise<unknown> {
  return master.send(new DeleteItemCommand({ TableName: table, Key: { pk: { S: pk } } }));
}

/** The slave against the hooked master, exactly (binary byte for byte, numbers digit for digit). */
async function replicaDifferences(masterTable: string, slaveTable: string) {
  const [masterItems, slaveItems] = await Promise.all([scanAll(master, masterTable), scanAll(slave, slaveTable)]);
  const comparison = compareItems(expectedReplica(masterItems), slaveItems, ['pk']);
  return { differences: differencesOf(comparison), slaveKeys: slaveItems.map((item) => item.pk?.S).sort() };
}

describe('a filtered, projected replica through the built library (createReplicator with filter and transform)', () => {
  test('items entering, leaving, changing and deleted within the filter: the slave holds exactly hooked(master), without ssn', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, {
      name: uniqueTableName('master'),
      streamViewType: 'NEW_AND_OLD_IMAGES',
    });
    const slaveTable = await createTable(slave, { name: uniqueTableName('slave') });
    const seen: Seen = { balances: [], photoIsBytes: [] };
    const poller = new StreamPoller({
      ...TEMPLATE_RESPONSE_TYPES,
      endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      handler: hookedHandler(slaveTable.name, seen),
      batchSize: 100,
      maximumRetryAttempts: 2,
    });
    try {
      for (const [pk, tenant] of [
        ['a-stays', 'a'],
        ['a-leaves', 'a'],
        ['a-deleted', 'a'],
        ['b-enters', 'b'],
        ['b-stays', 'b'],
        ['b-deleted', 'b'],
      ] as const) {
        await put(masterTable.name, customer(pk, tenant));
      }

      // Act: the first state, then moves across the filter in both directions, deletes, and changes of an item
      // that enters and leaves within one batch.
      await poller.drain();
      const afterFirstDrain = await replicaDifferences(masterTable.name, slaveTable.name);
      await setTenant(masterTable.name, 'a-leaves', 'b');
      await setTenant(masterTable.name, 'b-enters', 'a');
      await put(masterTable.name, customer('a-stays', 'a', { note: { S: 'changed' } }));
      await remove(masterTable.name, 'a-deleted');
      await remove(masterTable.name, 'b-deleted');
      await put(masterTable.name, customer('new-b-then-a', 'b'));
      await setTenant(masterTable.name, 'new-b-then-a', 'a');
      await put(masterTable.name, customer('new-a-then-b', 'a'));
      await setTenant(masterTable.name, 'new-a-then-b', 'b');
      await poller.drain();
      const afterSecondDrain = await replicaDifferences(masterTable.name, slaveTable.name);
      // And back: the item that left comes back, the one that entered leaves again.
      await setTenant(masterTable.name, 'a-leaves', 'a');
      await setTenant(masterTable.name, 'b-enters', 'b');
      await poller.drain();
      const afterThirdDrain = await replicaDifferences(masterTable.name, slaveTable.name);

      // Assess
      expect(afterFirstDrain).toEqual({
        differences: NO_DIFFERENCES,
        slaveKeys: ['a-deleted', 'a-leaves', 'a-stays'],
      });
      expect(afterSecondDrain).toEqual({
        differences: NO_DIFFERENCES,
        slaveKeys: ['a-stays', 'b-enters', 'new-b-then-a'],
      });
      expect(afterThirdDrain).toEqual({
        differences: NO_DIFFERENCES,
        slaveKeys: ['a-leaves', 'a-stays', 'new-b-then-a'],
      });
      expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
      // The hooks saw SDK values: the number as its exact string, the binary as bytes.
      expect(new Set(seen.balances)).toEqual(new Set([EXACT]));
      expect(seen.photoIsBytes.length).toBeGreaterThan(0);
      expect(seen.photoIsBytes.every(Boolean)).toBe(true);
    } finally {
      poller.close();
    }
  });
});

describe('the zip bundle with EXCLUDE_ATTRIBUTES=ssn', () => {
  test('puts, updates and deletes reach the slave without ssn, every other attribute exact', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, { name: uniqueTableName('master') });
    const slaveTable = await createTable(slave, { name: uniqueTableName('slave') });
    const handler = loadReplicator({ endpoint, slaveTable: slaveTable.name, env: { EXCLUDE_ATTRIBUTES: 'ssn' } });
    for (const pk of ['one', 'two', 'three']) await put(masterTable.name, customer(pk, 'a'));
    await put(masterTable.name, customer('two', 'a', { note: { S: 'changed' } }));
    await remove(masterTable.name, 'three');
    const poller = new StreamPoller({
      ...TEMPLATE_RESPONSE_TYPES,
      endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      handler,
    });

    try {
      // Act
      await poller.drain();

      // Assess: the slave is the master without ssn (all items are tenant "a", so the expectation is just that).
      const result = await replicaDifferences(masterTable.name, slaveTable.name);
      expect(result).toEqual({ differences: NO_DIFFERENCES, slaveKeys: ['one', 'two'] });
      const slaveItems = await scanAll(slave, slaveTable.name);
      expect(slaveItems.filter((item) => item.ssn !== undefined)).toEqual([]);
      expect(poller.totals).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
    } finally {
      poller.close();
    }
  });
});
