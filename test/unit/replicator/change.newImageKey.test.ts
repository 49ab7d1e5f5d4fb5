/**
 * A record's `NewImage` must hold the key its `Keys` give: equal text is taken as equal, anything else is compared as
 * DynamoDB compares keys (numbers by value, binary by bytes).
 */
import { insertRecord, seq } from '../../../harness/records';
import type { StreamImage } from '../../../src/shared/item';
import { toChange } from '../../helpers/plan';
import { thrownBy } from '../../helpers/thrown';

describe("toChange: the NewImage's key against Keys", () => {
  test('a NewImage lacking several key attributes names all of them', () => {
    // Prepare
    const record = insertRecord(seq(1), { pk: { S: 'a' }, sk: { N: '1' } }, { other: { S: 'x' } });

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('NewImage lacks the key attribute(s) pk, sk given in Keys');
  });

  test.each<[string, StreamImage, StreamImage]>([
    ['a number key written another way', { id: { N: '1.50' } }, { id: { N: '15e-1' } }],
    ['a binary key with the same bytes', { id: { B: 'AAH+/w==' } }, { id: { B: 'AAH+/w==' } }],
  ])('a NewImage with %s as in Keys is accepted', (_case, keys, newKey) => {
    // Prepare
    const record = insertRecord(seq(1), keys, { ...newKey, v: { S: 'x' } });

    // Act
    const change = toChange(record);

    // Assess
    expect(change.kind).toBe('put');
  });

  test.each<[string, StreamImage, StreamImage]>([
    ['the same text as another type', { id: { S: '1' } }, { id: { N: '1' } }],
    ['another number', { id: { N: '1.50' } }, { id: { N: '15' } }],
    ['other bytes', { id: { B: 'AAH+/w==' } }, { id: { B: 'AAH+/g==' } }],
    ['one of two attributes different', { pk: { S: 'a' }, sk: { N: '1' } }, { pk: { S: 'a' }, sk: { N: '2' } }],
  ])('a NewImage whose key has %s than Keys is refused', (_case, keys, newKey) => {
    // Prepare
    const record = insertRecord(seq(1), keys, { ...newKey, v: { S: 'x' } });

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('NewImage key attributes differ from the record Keys');
  });
});
