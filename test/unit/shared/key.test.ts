import type { Item } from '../../../src/shared/item';
import { canonicalNumber, itemKeyOf, pickKey } from '../../../src/shared/key';

describe('canonicalNumber', () => {
  test.each([
    ['1.50', '15e-1'],
    ['1.5', '+1.5'],
    ['-0', '0'],
    ['0.000', '0'],
    ['100', '1e2'],
    ['100', '100.00'],
    ['0.0015', '1.5E-3'],
    ['-42', '-4.2e1'],
    ['007', '7'],
    ['123', '1.23e2'],
    ['-5', '-5.000'],
    ['9', '+9'],
    ['12345678901234567890123456789012345678', '1.2345678901234567890123456789012345678E+37'],
  ])('%s and %s are one number', (left, right) => {
    // Act
    const canonical = [canonicalNumber(left), canonicalNumber(right)];

    // Assess
    expect(canonical[0]).toBe(canonical[1]);
  });

  test.each([
    ['1', '10'],
    ['1', '-1'],
    ['0.1', '0.01'],
    ['15e-1', '15e1'],
    ['10', '100'],
    // Differ only in the 38th significant digit: a float conversion would make them equal.
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345679'],
    ['0.10000000000000000000000000000000000001', '0.1'],
  ])('%s and %s are different numbers', (left, right) => {
    // Act
    const canonical = [canonicalNumber(left), canonicalNumber(right)];

    // Assess
    expect(canonical[0]).not.toBe(canonical[1]);
  });
});

describe('itemKeyOf', () => {
  test('does not depend on the order of the key attributes', () => {
    // Prepare
    const forward: Item = { pk: { S: 'order-1' }, sk: { N: '3' } };
    const backward: Item = { sk: { N: '3' }, pk: { S: 'order-1' } };

    // Act
    const identities = [itemKeyOf(forward), itemKeyOf(backward)];

    // Assess
    expect(identities[0]).toBe(identities[1]);
  });

  test('treats equal numbers written differently as one item', () => {
    // Act
    const identities = [itemKeyOf({ id: { N: '1.50' } }), itemKeyOf({ id: { N: '15e-1' } })];

    // Assess
    expect(identities[0]).toBe(identities[1]);
  });

  test.each<[string, Item, Item]>([
    ['different sort key values', { pk: { S: 'a' }, sk: { N: '1' } }, { pk: { S: 'a' }, sk: { N: '10' } }],
    ['the string "1" and the number 1', { id: { S: '1' } }, { id: { N: '1' } }],
    ['different attribute names with one value', { a: { S: 'x' } }, { b: { S: 'x' } }],
    ['values that would collide if joined naively', { a: { S: 'x","b' } }, { a: { S: 'x' }, b: { S: '' } }],
  ])('tells apart %s', (_case, left, right) => {
    // Act
    const identities = [itemKeyOf(left), itemKeyOf(right)];

    // Assess
    expect(identities[0]).not.toBe(identities[1]);
  });

  test('binary keys: equal bytes are one item whatever the byte container, different bytes are not', () => {
    // Prepare
    const bytes = [0x00, 0x01, 0xfe, 0xff];
    const asUint8Array: Item = { pk: { S: 'd' }, sk: { B: new Uint8Array(bytes) } };
    const asBuffer: Item = { sk: { B: Buffer.from(bytes) }, pk: { S: 'd' } };
    const otherBytes: Item = { pk: { S: 'd' }, sk: { B: new Uint8Array([0x00, 0x01, 0xfe, 0xfe]) } };

    // Act
    const [first, second, third] = [itemKeyOf(asUint8Array), itemKeyOf(asBuffer), itemKeyOf(otherBytes)];

    // Assess
    expect(first).toBe(second);
    expect(first).not.toBe(third);
  });

  test('a binary key is not the same item as a string key holding its base64 text', () => {
    // Prepare
    const binary: Item = { id: { B: Buffer.from('hi') } };
    const text: Item = { id: { S: Buffer.from('hi').toString('base64') } };

    // Act
    const identities = [itemKeyOf(binary), itemKeyOf(text)];

    // Assess
    expect(identities[0]).not.toBe(identities[1]);
  });
});

describe('pickKey', () => {
  test('takes only the named key attributes of an item', () => {
    // Prepare
    const item: Item = { pk: { S: 'a' }, sk: { N: '2' }, payload: { S: 'big' } };

    // Act
    const key = pickKey(item, ['sk', 'pk']);

    // Assess
    expect(key).toEqual({ pk: { S: 'a' }, sk: { N: '2' } });
  });
});
