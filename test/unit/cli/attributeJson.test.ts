import { formatKey, itemFromJson, itemToJson } from '../../../src/cli/table/attributeJson';
import { itemsEqual } from '../../../src/cli/verify/valueEquality';

describe('attributeJson: items survive JSON', () => {
  it('binary keys and nested binary come back as the same bytes after JSON.stringify/parse', () => {
    const item = {
      pk: { B: new Uint8Array([0, 1, 254, 255]) },
      nested: { M: { list: { L: [{ BS: [new Uint8Array([7]), new Uint8Array([8, 9])] }, { N: '1.50' }] } } },
      flags: { SS: ['a'] },
      nothing: { NULL: true as const },
      yes: { BOOL: true },
    };
    const text = JSON.stringify(itemToJson(item));
    const back = itemFromJson(JSON.parse(text));
    expect(back.pk?.B).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back.pk?.B ?? new Uint8Array()).toString('hex')).toBe('0001feff');
    expect(itemsEqual(back, item)).toBe(true);
    expect(JSON.parse(text).pk).toEqual({ B: 'AAH+/w==' });
  });

  it('rejects JSON that is not an attribute value, naming the path', () => {
    expect(() => itemFromJson({ pk: { X: 'y' } })).toThrow('$.pk: unknown attribute type X');
    expect(() => itemFromJson({ pk: { S: 1 } })).toThrow('$.pk.S: expected a string');
  });

  it('formats keys for reports in a stable attribute order', () => {
    expect(formatKey({ sk: { N: '5' }, pk: { S: 'order#1' } })).toBe('pk="order#1" sk=5');
    expect(formatKey({ pk: { B: new Uint8Array([1, 2]) } })).toBe('pk=b64:AQI=');
  });
});
