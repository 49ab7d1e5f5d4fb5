import { itemSize, writeUnits } from '../../../src/cli/table/itemSize';

describe('itemSize', () => {
  it('counts names and strings in UTF-8 bytes, binary in bytes, numbers by significant digits', () => {
    expect(itemSize({ pk: { S: 'ab' } })).toBe(4);
    expect(itemSize({ é: { S: 'é' } })).toBe(4);
    expect(itemSize({ b: { B: new Uint8Array(10) } })).toBe(11);
    expect(itemSize({ n: { N: '1234.5000' } })).toBe(1 + 4);
  });

  it('charges one write unit per started kilobyte', () => {
    expect(writeUnits({ pk: { S: 'x'.repeat(1000) } })).toBe(1);
    expect(writeUnits({ pk: { S: 'x'.repeat(1030) } })).toBe(2);
  });
});
