import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { differingAttributes, itemsEqual, valuesEqual } from '../../../src/cli/verify/valueEquality';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('valuesEqual: numbers compare as exact decimals', () => {
  it.each([
    ['1.50', '1.5'],
    ['1e2', '100'],
    ['100', '1E+2'],
    ['0.0', '-0'],
    ['+7', '7'],
    ['0.001', '1e-3'],
    ['12345678901234567890123456789012345678', '1.2345678901234567890123456789012345678e37'],
  ])('%s equals %s', (a, b) => {
    expect(valuesEqual({ N: a }, { N: b })).toBe(true);
  });

  it.each([
    ['100', '10'],
    ['1.5', '-1.5'],
    ['12345678901234567890123456789012345678', '12345678901234567890123456789012345679'],
    ['0.1', '0.10000000000000001'],
  ])('%s differs from %s (no float rounding)', (a, b) => {
    expect(valuesEqual({ N: a }, { N: b })).toBe(false);
  });
});

describe('valuesEqual: types, sets, binary, nesting', () => {
  it('a number never equals a string with the same text', () => {
    expect(valuesEqual({ N: '1' }, { S: '1' })).toBe(false);
  });

  it('sets compare without order, number sets as numbers, binary sets by bytes', () => {
    expect(valuesEqual({ SS: ['a', 'b', 'c'] }, { SS: ['c', 'a', 'b'] })).toBe(true);
    expect(valuesEqual({ SS: ['a', 'b'] }, { SS: ['a', 'b', 'c'] })).toBe(false);
    expect(valuesEqual({ NS: ['1.0', '20'] }, { NS: ['2e1', '1'] })).toBe(true);
    expect(valuesEqual({ BS: [bytes(1, 2), bytes(3)] }, { BS: [bytes(3), bytes(1, 2)] })).toBe(true);
    expect(valuesEqual({ BS: [bytes(1, 2)] }, { BS: [bytes(1, 3)] })).toBe(false);
  });

  it('binary compares by bytes, whatever the buffer it sits in', () => {
    const backing = new Uint8Array([9, 1, 2, 3, 9]);
    expect(valuesEqual({ B: backing.subarray(1, 4) }, { B: bytes(1, 2, 3) })).toBe(true);
    expect(valuesEqual({ B: bytes(1, 2, 3) }, { B: bytes(1, 2) })).toBe(false);
  });

  it('maps compare deeply and lists in order', () => {
    const nested = (n: string, order: string[]): AttributeValue => ({
      M: {
        list: { L: [{ N: n }, { SS: order }, { M: { deep: { B: bytes(0, 255) } } }] },
        flag: { BOOL: true },
        none: { NULL: true },
      },
    });
    expect(valuesEqual(nested('1.50', ['x', 'y']), nested('1.5', ['y', 'x']))).toBe(true);
    expect(valuesEqual(nested('1.50', ['x', 'y']), nested('1.51', ['x', 'y']))).toBe(false);
    expect(valuesEqual({ L: [{ S: 'a' }, { S: 'b' }] }, { L: [{ S: 'b' }, { S: 'a' }] })).toBe(false);
    expect(valuesEqual({ M: { a: { S: 'x' } } }, { M: { a: { S: 'x' }, b: { S: 'y' } } })).toBe(false);
  });
});

describe('itemsEqual and differingAttributes', () => {
  it('items with the same values in other spellings are equal', () => {
    expect(itemsEqual({ pk: { S: 'k' }, price: { N: '10.0' } }, { price: { N: '1e1' }, pk: { S: 'k' } })).toBe(true);
  });

  it('an attribute present on one side only makes items different and is named', () => {
    const master = { pk: { S: 'k' }, a: { S: 'same' }, b: { N: '1' } };
    const slave = { pk: { S: 'k' }, a: { S: 'same' }, b: { N: '2' }, c: { NULL: true as const } };
    expect(itemsEqual(master, slave)).toBe(false);
    expect(differingAttributes(master, slave)).toEqual(['b', 'c']);
  });
});
