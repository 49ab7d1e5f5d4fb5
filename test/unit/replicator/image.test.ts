import { loadFixture } from '../../../harness/records';
import { InvalidRecordError } from '../../../src/replicator/errors';
import { checkImage, toAttributeValue, toItem } from '../../../src/replicator/image';
import { thrownBy } from '../../helpers/thrown';

describe('toAttributeValue: every type tag', () => {
  test('S, N, BOOL and NULL become the same SDK values', () => {
    // Prepare
    const inputs = [{ S: 'héllo' }, { N: '-12.50' }, { BOOL: false }, { BOOL: true }, { NULL: true }];

    // Act
    const outputs = inputs.map((input, index) => toAttributeValue(input, `a${index}`));

    // Assess
    expect(outputs).toEqual([{ S: 'héllo' }, { N: '-12.50' }, { BOOL: false }, { BOOL: true }, { NULL: true }]);
  });

  test('SS and NS keep their members and their order', () => {
    // Prepare
    const ss = { SS: ['b', 'a', ''] };
    const ns = { NS: ['3', '1.5', '-2e3'] };

    // Act
    const outputs = [toAttributeValue(ss, 'ss'), toAttributeValue(ns, 'ns')];

    // Assess
    expect(outputs).toEqual([{ SS: ['b', 'a', ''] }, { NS: ['3', '1.5', '-2e3'] }]);
  });

  test('B base64 becomes exactly the original bytes, including bytes that are not UTF-8', () => {
    // Prepare
    const bytes = Buffer.from([0x00, 0x01, 0xfe, 0xff, 0x80]);

    // Act
    const value = toAttributeValue({ B: bytes.toString('base64') }, 'blob');

    // Assess
    expect(value.B).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(value.B as Uint8Array).equals(bytes)).toBe(true);
  });

  test('an empty B decodes to zero bytes', () => {
    // Act
    const value = toAttributeValue({ B: '' }, 'blob');

    // Assess
    expect(Buffer.from(value.B as Uint8Array).length).toBe(0);
  });

  test('every BS member becomes its original bytes, in order', () => {
    // Prepare
    const members = [Buffer.from([0]), Buffer.from([0xff, 0xfe]), Buffer.from('abc')];

    // Act
    const value = toAttributeValue({ BS: members.map((member) => member.toString('base64')) }, 'blobs');

    // Assess
    const decoded = (value.BS ?? []).map((member) => Buffer.from(member));
    expect(decoded).toHaveLength(3);
    decoded.forEach((member, index) => {
      expect(member.equals(members[index] as Buffer)).toBe(true);
    });
  });

  test('M and L are converted recursively, binary included at any depth', () => {
    // Prepare
    const deep = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const json = {
      M: {
        name: { S: 'x' },
        list: { L: [{ N: '1' }, { M: { blob: { B: deep.toString('base64') } } }, { L: [{ NULL: true }] }] },
      },
    };

    // Act
    const value = toAttributeValue(json, 'doc');

    // Assess
    const list = value.M?.list?.L ?? [];
    expect(value.M?.name).toEqual({ S: 'x' });
    expect(list[0]).toEqual({ N: '1' });
    expect(Buffer.from(list[1]?.M?.blob?.B as Uint8Array).equals(deep)).toBe(true);
    expect(list[2]).toEqual({ L: [{ NULL: true }] });
  });

  test('an empty M and an empty L stay empty', () => {
    // Act
    const values = [toAttributeValue({ M: {} }, 'm'), toAttributeValue({ L: [] }, 'l')];

    // Assess
    expect(values).toEqual([{ M: {} }, { L: [] }]);
  });
});

describe('toItem', () => {
  test('decodes the binary fixture: key, M, L and BS bytes are exact', () => {
    // Prepare
    const record = loadFixture('binary').Records[0];

    // Act
    const item = toItem(record?.dynamodb?.NewImage, 'dynamodb.NewImage');

    // Assess
    const bytes = (value: Uint8Array | undefined): Buffer => Buffer.from(value as Uint8Array);
    expect(bytes(item.reading?.B).equals(Buffer.from([0x00, 0x01, 0xfe, 0xff]))).toBe(true);
    expect(bytes(item.payload?.M?.signature?.B).equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
    const chunks = item.payload?.M?.chunks?.L ?? [];
    expect(bytes(chunks[0]?.B).equals(Buffer.from([0x80, 0x81, 0x82]))).toBe(true);
    expect(chunks[1]).toEqual({ S: 'text' });
    expect((chunks[2]?.BS ?? []).map((member) => [...member])).toEqual([[0x00], [0xff]]);
    expect((item.digests?.BS ?? []).map((member) => [...member])).toEqual([[0x00], [0xff], [0x00, 0x01, 0xfe, 0xff]]);
    expect(bytes(item.raw?.B)).toHaveLength(48);
  });

  test('keeps 38-significant-digit numbers as their exact text', () => {
    // Prepare
    const newImage = loadFixture('numbers-38-digits').Records[0]?.dynamodb?.NewImage;

    // Act
    const item = toItem(newImage, 'dynamodb.NewImage');

    // Assess
    expect(item.Account).toEqual({ N: '12345678901234567890123456789012345678' });
    expect(item.Balance).toEqual({ N: '-0.12345678901234567890123456789012345678' });
    expect(item.Largest).toEqual({ N: '9.9999999999999999999999999999999999999E+125' });
    expect(item.Smallest).toEqual({ N: '1E-130' });
    expect(item.History).toEqual({
      NS: ['99999999999999999999999999999999999999', '0.00000000000000000000000000000000000001'],
    });
    expect(item.Nested?.M?.Exact).toEqual({ N: '3.1415926535897932384626433832795028841' });
  });

  test('keeps an attribute named __proto__ as an ordinary attribute (DynamoDB allows any attribute name)', () => {
    // Prepare: JSON.parse makes "__proto__" an own property, as Lambda's payload parser does.
    const image: unknown = JSON.parse('{"pk":{"S":"a"},"__proto__":{"S":"kept"}}');

    // Act
    const item = toItem(image, 'dynamodb.NewImage');

    // Assess
    expect(Object.keys(item).sort()).toEqual(['__proto__', 'pk']);
    expect(Object.getOwnPropertyDescriptor(item, '__proto__')?.value).toEqual({ S: 'kept' });
  });

  test('rejects an image that is not a map', () => {
    // Act
    const error = thrownBy(() => toItem([{ S: 'x' }], 'dynamodb.NewImage'));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain('dynamodb.NewImage');
  });
});

/** Malformed images, where toItem names the bad value, and what it says. */
const cases: { name: string; image: unknown; path: string; problem: RegExp }[] = [
  { name: 'invalid base64 characters', image: { blob: { B: 'not base64!' } }, path: 'img.blob', problem: /base64/ },
  { name: 'base64 of a wrong length', image: { blob: { B: 'abc' } }, path: 'img.blob', problem: /base64/ },
  {
    name: 'URL-safe base64 (not what Lambda sends)',
    image: { blob: { B: '-_8=' } },
    path: 'img.blob',
    problem: /base64/,
  },
  { name: 'B that is bytes, not a string', image: { blob: { B: [1, 2] } }, path: 'img.blob', problem: /base64/ },
  {
    name: 'an invalid BS member',
    image: { blobs: { BS: ['AA==', '***'] } },
    path: 'img.blobs[1]',
    problem: /base64/,
  },
  { name: 'an unknown type tag', image: { x: { STRING: 'a' } }, path: 'img.x', problem: /unknown type tag "STRING"/ },
  {
    name: 'two type tags',
    image: { x: { S: 'a', N: '1' } },
    path: 'img.x',
    problem: /exactly one type tag, found S, N/,
  },
  { name: 'no type tag', image: { x: {} }, path: 'img.x', problem: /exactly one type tag, found none/ },
  { name: 'a value that is not an object', image: { x: 'plain' }, path: 'img.x', problem: /one type tag/ },
  { name: 'N that is not a number', image: { n: { N: 'twelve' } }, path: 'img.n', problem: /N must be a number/ },
  { name: 'N given as a JSON number', image: { n: { N: 12 } }, path: 'img.n', problem: /N must be a number/ },
  { name: 'N that is NaN', image: { n: { N: 'NaN' } }, path: 'img.n', problem: /N must be a number/ },
  { name: 'an empty N', image: { n: { N: '' } }, path: 'img.n', problem: /N must be a number/ },
  {
    name: 'an NS member that is not a number',
    image: { ns: { NS: ['1', '1x'] } },
    path: 'img.ns[1]',
    problem: /N must be a number/,
  },
  { name: 'NULL false', image: { z: { NULL: false } }, path: 'img.z', problem: /NULL must be true/ },
  { name: 'BOOL as a string', image: { f: { BOOL: 'true' } }, path: 'img.f', problem: /BOOL must be true or false/ },
  { name: 'S that is a number', image: { s: { S: 5 } }, path: 'img.s', problem: /S must be a string/ },
  {
    name: 'an SS member that is not a string',
    image: { ss: { SS: ['a', 1] } },
    path: 'img.ss[1]',
    problem: /SS members must be strings/,
  },
  { name: 'SS that is not an array', image: { ss: { SS: 'a' } }, path: 'img.ss', problem: /SS must be an array/ },
  { name: 'L that is not an array', image: { l: { L: {} } }, path: 'img.l', problem: /L must be an array/ },
  { name: 'M that is an array', image: { m: { M: [] } }, path: 'img.m', problem: /M must be an object/ },
  {
    name: 'a bad value deep in M and L',
    image: { doc: { M: { tags: { L: [{ S: 'ok' }, { M: { when: { N: '1.2.3' } } }] } } } },
    path: 'img.doc.tags[1].when',
    problem: /N must be a number/,
  },
];

describe('toAttributeValue: malformed values fail with the attribute path', () => {
  test.each(cases)('$name → InvalidRecordError at $path', ({ image, path, problem }) => {
    // Act
    const error = thrownBy(() => toItem(image, 'img'));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain(`invalid attribute value at ${path}:`);
    expect(error.message).toMatch(problem);
  });
});

describe('checkImage: the checks of toItem without building the item', () => {
  test.each(cases)('$name → the same InvalidRecordError as toItem', ({ image }) => {
    // Act
    const checked = thrownBy(() => checkImage(image, 'img'));
    const decoded = thrownBy(() => toItem(image, 'img'));

    // Assess
    expect(checked).toBeInstanceOf(InvalidRecordError);
    expect(checked.message).toBe(decoded.message);
  });

  test('a well-formed image of every type passes', () => {
    // Prepare
    const image = {
      s: { S: 'a' },
      n: { N: '-1.5e3' },
      b: { B: 'AAH+/w==' },
      t: { BOOL: false },
      z: { NULL: true },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2'] },
      bs: { BS: ['AA==', 'AQ=='] },
      l: { L: [{ S: 'x' }, { M: { deep: { B: 'AQ==' } } }] },
      m: { M: { inner: { N: '7' } } },
    };

    // Act + Assess
    expect(() => checkImage(image, 'img')).not.toThrow();
  });
});

describe('toItem hands on what needs no conversion', () => {
  test('an image without binary is the same object; one with binary below is a copy, the event left as it was', () => {
    // Prepare
    const plain = { pk: { S: 'a' }, n: { N: '1.50' }, m: { M: { l: { L: [{ S: 'x' }, { NULL: true }] } } } };
    const withBinary = { pk: { S: 'a' }, m: { M: { l: { L: [{ S: 'x' }, { B: 'AAEC' }] } } } };
    const before = JSON.stringify(withBinary);

    // Act
    const same = toItem(plain, 'NewImage');
    const copied = toItem(withBinary, 'NewImage');

    // Assess
    expect(same).toBe(plain);
    expect(copied).not.toBe(withBinary);
    expect(copied.pk).toBe(withBinary.pk);
    expect(copied.m?.M?.l?.L?.[0]).toBe(withBinary.m.M.l.L[0]);
    expect(copied.m?.M?.l?.L?.[1]).toEqual({ B: new Uint8Array([0, 1, 2]) });
    expect(JSON.stringify(withBinary)).toBe(before);
  });
});
