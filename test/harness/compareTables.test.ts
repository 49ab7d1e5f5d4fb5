/**
 * `compareTables`, the oracle of most integration tests: each kind of difference between a source table and a
 * replica is reported (missing item, extra item, an attribute of each type differing, an attribute missing or
 * extra), and the differences that are not differences in DynamoDB (set order, spelling of a number) are not.
 * Runs against the jest-wide DynamoDB Local, with the source and the replica in two regions as in the tests.
 */
import { type AttributeValue, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareItems,
  compareTables,
  createTable,
  type Item,
  type TableComparison,
  uniqueTableName,
} from '../../harness/tables';
import { useRegionClients } from '../helpers/jestLocal';

const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
/** 38 significant digits, DynamoDB's maximum precision. */
const digits37 = '1234567890123456789012345678901234567';
const KEY = 'pk={"S":"item"}';

/** Writes an item with UpdateItem, which (unlike PutItem) makes DynamoDB Local keep the spelling of its numbers. */
async function updateItem(tableName: string, { pk, ...attributes }: Item): Promise<void> {
  const names = Object.keys(attributes);
  await slave.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk },
      ...(names.length > 0 && {
        UpdateExpression: `SET ${names.map((_, index) => `#a${index} = :v${index}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#a${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, index) => [`:v${index}`, attributes[name]])),
      }),
    }),
  );
}

/**
 * Creates a source and a replica table (partition key `pk`), writes the items (the source's with PutItem, the
 * replica's with UpdateItem, so that a number keeps its spelling on one side only) and compares the tables.
 */
async function compare(sourceItems: Item[], replicaItems: Item[]): Promise<TableComparison> {
  const source = await createTable(master, { name: uniqueTableName('compare-source') });
  const replica = await createTable(slave, { name: uniqueTableName('compare-replica') });
  for (const Item of sourceItems) await master.send(new PutItemCommand({ TableName: source.name, Item }));
  for (const item of replicaItems) await updateItem(replica.name, item);
  return compareTables({ client: master, table: source.name }, { client: slave, table: replica.name });
}

/** Item `item` with one attribute `value`. */
const withValue = (value: AttributeValue): Item => ({ pk: { S: 'item' }, value });

describe('compareTables reports', () => {
  it('an item missing from the replica', async () => {
    // Act
    const result = await compare([{ pk: { S: 'a' } }, { pk: { S: 'b' } }], [{ pk: { S: 'a' } }]);

    // Assess
    expect(result).toEqual({
      equal: false,
      sourceCount: 2,
      replicaCount: 1,
      missing: ['pk={"S":"b"}'],
      extra: [],
      different: [],
    });
  });

  it('an item only the replica has', async () => {
    // Act
    const result = await compare([{ pk: { S: 'a' } }], [{ pk: { S: 'a' } }, { pk: { S: 'c' } }]);

    // Assess
    expect(result).toEqual({
      equal: false,
      sourceCount: 1,
      replicaCount: 2,
      missing: [],
      extra: ['pk={"S":"c"}'],
      different: [],
    });
  });

  it.each<[string, AttributeValue, AttributeValue]>([
    ['S', { S: 'x' }, { S: 'y' }],
    ['N', { N: '1' }, { N: '2' }],
    ['N in the 38th digit', { N: `${digits37}8` }, { N: `${digits37}9` }],
    ['N in the 38th digit of a tiny number', { N: `0.${digits37}8E-100` }, { N: `0.${digits37}9E-100` }],
    ['B by one byte', { B: bytes(0, 1, 2, 3, 255) }, { B: bytes(0, 1, 2, 3, 254) }],
    ['B by its length (a trailing zero byte)', { B: bytes(7, 8) }, { B: bytes(7, 8, 0) }],
    ['SS', { SS: ['a', 'b'] }, { SS: ['a', 'c'] }],
    ['SS by one element fewer', { SS: ['a', 'b'] }, { SS: ['a'] }],
    ['NS', { NS: ['1', '2'] }, { NS: ['1', '3'] }],
    ['BS by one byte', { BS: [bytes(1, 2), bytes(3, 4)] }, { BS: [bytes(1, 2), bytes(3, 5)] }],
    ['M (a nested value)', { M: { inner: { N: '1' } } }, { M: { inner: { N: '1.1' } } }],
    ['M (a nested attribute missing)', { M: { a: { S: 'x' }, b: { S: 'y' } } }, { M: { a: { S: 'x' } } }],
    ['L (an element)', { L: [{ S: 'a' }, { N: '1' }] }, { L: [{ S: 'a' }, { N: '2' }] }],
    ['L (the order of its elements)', { L: [{ S: 'a' }, { S: 'b' }] }, { L: [{ S: 'b' }, { S: 'a' }] }],
    ['BOOL', { BOOL: true }, { BOOL: false }],
    ['NULL against BOOL false', { NULL: true }, { BOOL: false }],
    ['NULL against an empty S', { NULL: true }, { S: '' }],
    ['S against N with the same text', { S: '1' }, { N: '1' }],
    ['B against S with the same bytes', { B: Buffer.from('ab') }, { S: 'ab' }],
    ['SS against L of S', { SS: ['a'] }, { L: [{ S: 'a' }] }],
  ])('an attribute differing: %s', async (_kind, sourceValue, replicaValue) => {
    // Act
    const result = await compare([withValue(sourceValue)], [withValue(replicaValue)]);

    // Assess
    expect(result).toEqual({
      equal: false,
      sourceCount: 1,
      replicaCount: 1,
      missing: [],
      extra: [],
      different: [{ key: KEY, attributes: ['value'] }],
    });
  });

  it.each<[string, Item, Item]>([
    ['missing from the replica', withValue({ S: 'x' }), { pk: { S: 'item' } }],
    ['only in the replica', { pk: { S: 'item' } }, withValue({ S: 'x' })],
  ])('an attribute %s', async (_where, sourceItem, replicaItem) => {
    // Act
    const result = await compare([sourceItem], [replicaItem]);

    // Assess
    expect(result.equal).toBe(false);
    expect(result.different).toEqual([{ key: KEY, attributes: ['value'] }]);
  });
});

describe('compareTables finds equal', () => {
  it.each<[string, AttributeValue, AttributeValue]>([
    ['N spelled with a trailing zero (1.5 and 1.50)', { N: '1.5' }, { N: '1.50' }],
    ['N spelled with an exponent (1.5 and 15E-1)', { N: '1.5' }, { N: '15E-1' }],
    ['a tiny N spelled out and with an exponent', { N: `0.${'0'.repeat(86)}679` }, { N: '6.79E-87' }],
    ['NS spelled differently', { NS: ['1.5', '100'] }, { NS: ['1E2', '1.50'] }],
    [
      'M with its attributes written in another order',
      { M: { a: { N: '1' }, b: { S: 'x' } } },
      { M: { b: { S: 'x' }, a: { N: '1' } } },
    ],
    ['38-digit N, the same digits', { N: `${digits37}8` }, { N: `${digits37}8` }],
  ])('%s', async (_kind, sourceValue, replicaValue) => {
    // Act
    const result = await compare([withValue(sourceValue)], [withValue(replicaValue)]);

    // Assess
    expect(result).toEqual({ equal: true, sourceCount: 1, replicaCount: 1, missing: [], extra: [], different: [] });
  });

  it('tables with the same items of every attribute type', async () => {
    // Prepare
    const item: Item = {
      pk: { S: 'item' },
      s: { S: 'text' },
      n: { N: '-12.5' },
      b: { B: bytes(0, 255) },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2'] },
      bs: { BS: [bytes(1), bytes(2)] },
      m: { M: { deep: { L: [{ NULL: true }, { BOOL: false }] } } },
      l: { L: [{ S: 'x' }, { N: '0' }] },
      t: { BOOL: true },
      z: { NULL: true },
    };

    // Act
    const result = await compare([item, { pk: { S: 'other' } }], [{ pk: { S: 'other' } }, item]);

    // Assess
    expect(result).toEqual({ equal: true, sourceCount: 2, replicaCount: 2, missing: [], extra: [], different: [] });
  });
});

// DynamoDB Local sorts set elements before it returns them, so sets in another order cannot be written to it:
// the comparison of the scanned items is checked on items in memory.
describe('compareItems finds equal', () => {
  it.each<[string, AttributeValue, AttributeValue]>([
    ['SS in another order', { SS: ['c', 'a', 'b'] }, { SS: ['b', 'c', 'a'] }],
    ['NS in another order', { NS: ['3', '-1', '2.5'] }, { NS: ['2.5', '3', '-1'] }],
    ['NS in another order and spelling', { NS: ['10', '2'] }, { NS: ['2.0', '1E1'] }],
    ['BS in another order', { BS: [bytes(9), bytes(1, 2), bytes(0)] }, { BS: [bytes(0), bytes(9), bytes(1, 2)] }],
    [
      'SS in another order inside M and L',
      { M: { l: { L: [{ SS: ['y', 'x'] }] } } },
      { M: { l: { L: [{ SS: ['x', 'y'] }] } } },
    ],
  ])('%s', (_kind, sourceValue, replicaValue) => {
    // Act
    const result = compareItems([withValue(sourceValue)], [withValue(replicaValue)], ['pk']);

    // Assess
    expect(result).toEqual({ equal: true, sourceCount: 1, replicaCount: 1, missing: [], extra: [], different: [] });
  });

  it('sets that differ in one element, in another order', () => {
    // Act
    const result = compareItems([withValue({ SS: ['c', 'a', 'b'] })], [withValue({ SS: ['b', 'd', 'a'] })], ['pk']);

    // Assess
    expect(result.different).toEqual([{ key: KEY, attributes: ['value'] }]);
  });
});
