import {
  imageOf,
  insertRecord,
  keyOf as keyFor,
  keysOnlyInsertRecord,
  loadFixture,
  modifyRecord,
  removeRecord,
  seq,
} from '../../../harness/records';
import { decodeChange, identifyRecord, isTtlDelete, sequenceNumberOf } from '../../../src/replicator/change';
import { InvalidRecordError } from '../../../src/replicator/errors';
import type { Change, StreamRecord } from '../../../src/replicator/types';
import { itemKeyOf } from '../../../src/shared/key';
import { toChange } from '../../helpers/plan';
import { thrownBy } from '../../helpers/thrown';

function firstRecord(name: Parameters<typeof loadFixture>[0]): StreamRecord {
  const record = loadFixture(name).Records[0];
  if (!record) throw new Error(`fixture ${name} has no record`);
  return record;
}

function asPut(change: Change): Extract<Change, { kind: 'put' }> {
  if (change.kind !== 'put') throw new Error(`expected a put, got a ${change.kind}`);
  return change;
}

describe('toChange: what each record asks of the slave', () => {
  test('INSERT (AWS example) → put of the decoded NewImage under its key', () => {
    // Prepare
    const record = firstRecord('insert');

    // Act
    const change = toChange(record);

    // Assess
    expect(change).toEqual({
      kind: 'put',
      itemKey: itemKeyOf({ Id: { N: '101' } }),
      key: { Id: { N: '101' } },
      item: { Message: { S: 'New item!' }, Id: { N: '101' } },
    });
  });

  test('MODIFY (NEW_AND_OLD_IMAGES) → put of the NewImage, the OldImage is not used', () => {
    // Prepare
    const record = firstRecord('modify');

    // Act
    const change = asPut(toChange(record));

    // Assess
    expect(change.item).toEqual({ Message: { S: 'This item has changed' }, Id: { N: '101' } });
  });

  test('REMOVE → delete of the record Keys', () => {
    // Prepare
    const record = firstRecord('remove');

    // Act
    const change = toChange(record);

    // Assess
    expect(change).toEqual({ kind: 'delete', itemKey: itemKeyOf({ Id: { N: '101' } }), key: { Id: { N: '101' } } });
  });

  test('a TTL delete (REMOVE by the dynamodb.amazonaws.com service) → delete, like any REMOVE', () => {
    // Prepare
    const record = firstRecord('ttl-remove');

    // Act
    const change = toChange(record);

    // Assess
    expect(record.userIdentity).toEqual({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });
    expect(change).toEqual({
      kind: 'delete',
      itemKey: itemKeyOf({ SessionId: { S: 'session-4711' } }),
      key: { SessionId: { S: 'session-4711' } },
    });
  });

  test('a binary sort key is decoded to its bytes in both the key and the item', () => {
    // Prepare
    const record = firstRecord('binary');

    // Act
    const change = asPut(toChange(record));

    // Assess
    const expected = Buffer.from([0x00, 0x01, 0xfe, 0xff]);
    expect(Buffer.from(change.key.reading?.B as Uint8Array).equals(expected)).toBe(true);
    expect(Buffer.from(change.item.reading?.B as Uint8Array).equals(expected)).toBe(true);
    expect(change.itemKey).toBe(itemKeyOf({ device: { S: 'sensor-7' }, reading: { B: expected } }));
  });

  test('a REMOVE with a binary key deletes the key with its decoded bytes', () => {
    // Prepare
    const record = loadFixture('binary').Records[1] as StreamRecord;

    // Act
    const change = toChange(record);

    // Assess
    expect(change.kind).toBe('delete');
    expect(Buffer.from(change.key.reading?.B as Uint8Array).equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
  });

  test('a 38-digit number key and values pass through unchanged', () => {
    // Prepare
    const record = firstRecord('numbers-38-digits');

    // Act
    const change = asPut(toChange(record));

    // Assess
    expect(change.key).toEqual({ Account: { N: '12345678901234567890123456789012345678' } });
    expect(change.item.Largest).toEqual({ N: '9.9999999999999999999999999999999999999E+125' });
  });

  test('a KEYS_ONLY INSERT → fetch of the item from the master, under its key', () => {
    // Prepare
    const record = firstRecord('keys-only-insert');

    // Act
    const change = toChange(record);

    // Assess
    const key = { OrderId: { S: 'order-1' }, Line: { N: '1' } };
    expect(change).toEqual({ kind: 'fetch', itemKey: itemKeyOf(key), key });
  });

  test('an OLD_IMAGE MODIFY → fetch as well: its OldImage is not the state to write', () => {
    // Prepare
    const record = modifyRecord(seq(1), keyFor('a'), imageOf('a', { v: { N: '2' } }), imageOf('a', { v: { N: '1' } }), {
      streamViewType: 'OLD_IMAGE',
    });
    if (record.dynamodb) delete record.dynamodb.NewImage;

    // Act
    const change = toChange(record);

    // Assess
    expect(change).toEqual({ kind: 'fetch', itemKey: itemKeyOf({ pk: { S: 'a' } }), key: { pk: { S: 'a' } } });
  });

  test('a REMOVE on a KEYS_ONLY stream → delete of the Keys, no master read', () => {
    // Prepare
    const record = removeRecord(seq(1), keyFor('a'), undefined, { streamViewType: 'KEYS_ONLY' });

    // Act
    const change = toChange(record);

    // Assess
    expect(change).toEqual({ kind: 'delete', itemKey: itemKeyOf({ pk: { S: 'a' } }), key: { pk: { S: 'a' } } });
  });

  test('a fetch record with undecodable Keys is still refused, naming the key path', () => {
    // Prepare
    const record = keysOnlyInsertRecord(seq(1), { pk: { B: 'not base64!' } });

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain('dynamodb.Keys.pk');
  });
});

describe('isTtlDelete', () => {
  test('the REMOVE made by the TTL process (AWS example) is a TTL delete', () => {
    // Prepare
    const record = firstRecord('ttl-remove');

    // Act
    const ttl = isTtlDelete(record);

    // Assess
    expect(ttl).toBe(true);
  });

  test.each([
    ['a REMOVE by a user (no userIdentity)', removeRecord(seq(1), keyFor('a'))],
    [
      'a REMOVE by another service principal',
      removeRecord(seq(1), keyFor('a'), undefined, {
        userIdentity: { type: 'Service', principalId: 'backup.amazonaws.com' },
      }),
    ],
    [
      'a REMOVE with the TTL principal but a non-Service type',
      removeRecord(seq(1), keyFor('a'), undefined, {
        userIdentity: { type: 'User', principalId: 'dynamodb.amazonaws.com' },
      }),
    ],
    [
      'an INSERT carrying the TTL identity',
      insertRecord(seq(1), keyFor('a'), imageOf('a'), {
        userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      }),
    ],
  ])('%s is not a TTL delete', (_case, record) => {
    // Act
    const ttl = isTtlDelete(record);

    // Assess
    expect(ttl).toBe(false);
  });
});

describe('toChange: records it refuses', () => {
  test('an unknown eventName is named in the message', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('a'));
    record.eventName = 'UPSERT';

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain('unknown eventName "UPSERT"');
  });

  test('a missing eventName is refused', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('a'));
    delete record.eventName;

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('unknown eventName');
  });

  test('a record without a dynamodb section is refused', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('a'));
    delete record.dynamodb;

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toContain('no dynamodb section');
  });

  test.each([
    ['missing', undefined],
    ['not digits', '12ab'],
    ['a number, not a string', 111],
  ])('a SequenceNumber that is %s is refused', (_case, sequenceNumber) => {
    // Prepare
    const record: unknown = { ...insertRecord(seq(1), keyFor('a'), imageOf('a')) };
    const dynamodb = (record as { dynamodb: Record<string, unknown> }).dynamodb;
    if (sequenceNumber === undefined) delete dynamodb.SequenceNumber;
    else dynamodb.SequenceNumber = sequenceNumber;

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('dynamodb.SequenceNumber');
  });

  test('a record without Keys is refused', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('a'));
    if (record.dynamodb) delete record.dynamodb.Keys;

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('no dynamodb.Keys');
  });

  test('a record with empty Keys is refused', () => {
    // Prepare
    const record = insertRecord(seq(1), {}, imageOf('a'));

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('empty dynamodb.Keys');
  });

  test('a NewImage lacking a key attribute names the missing attribute', () => {
    // Prepare
    const record = insertRecord(seq(1), { pk: { S: 'a' }, sk: { N: '1' } }, { pk: { S: 'a' }, other: { S: 'x' } });

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error.message).toMatch(/NewImage lacks the key attribute\(s\) sk/);
  });

  test('a NewImage whose key attributes differ from Keys is refused', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('b'));

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('differ from the record Keys');
  });

  test('a malformed value in NewImage fails with its path', () => {
    // Prepare
    const record = insertRecord(seq(1), keyFor('a'), imageOf('a', { blob: { B: '%%%' } }));

    // Act
    const error = thrownBy(() => toChange(record));

    // Assess
    expect(error.message).toContain('dynamodb.NewImage.blob');
  });

  test('a record that is not an object is refused', () => {
    // Act
    const error = thrownBy(() => toChange(null));

    // Assess
    expect(error).toBeInstanceOf(InvalidRecordError);
  });
});

describe('identifyRecord: the item and the sequence number', () => {
  test('names the item of a record without a new image (KEYS_ONLY), for the planner', () => {
    // Prepare
    const record = firstRecord('keys-only-insert');

    // Act
    const identified = identifyRecord(record);

    // Assess
    expect(identified.itemKey).toBe(itemKeyOf({ OrderId: { S: 'order-1' }, Line: { N: '1' } }));
  });

  test('names the item of a record it refuses for another reason, so the planner can hold back its later changes', () => {
    // Prepare
    const badImage = insertRecord(seq(1), keyFor('a'), imageOf('a', { v: { N: 'NaN' } }));
    const noSequenceNumber = insertRecord(seq(1), keyFor('a'), imageOf('a'));
    if (noSequenceNumber.dynamodb) delete noSequenceNumber.dynamodb.SequenceNumber;

    // Act
    const identified = [identifyRecord(badImage), identifyRecord(noSequenceNumber)];
    const decoded = identified.map(decodeChange);

    // Assess
    for (const { itemKey } of identified) expect(itemKey).toBe(itemKeyOf({ pk: { S: 'a' } }));
    for (const { error } of decoded) expect(error).toBeInstanceOf(InvalidRecordError);
    expect(decoded[0]?.error?.message).toContain('dynamodb.NewImage.v');
    expect(decoded[1]?.error?.message).toContain('SequenceNumber');
  });

  test('names no item without usable Keys', () => {
    // Prepare
    const noKeys: unknown = { eventName: 'INSERT', dynamodb: { SequenceNumber: seq(1), NewImage: imageOf('a') } };
    const badKeys: unknown = { dynamodb: { SequenceNumber: seq(1), Keys: { pk: { B: '!!' } } } };
    const emptyKeys: unknown = { dynamodb: { SequenceNumber: seq(1), Keys: {} } };

    // Act
    const decoded = [noKeys, badKeys, emptyKeys, 'record'].map((record) => identifyRecord(record as StreamRecord));

    // Assess
    expect(decoded.map((entry) => entry.itemKey)).toEqual([undefined, undefined, undefined, undefined]);
    expect(decoded.map((entry) => entry.error?.message)).toEqual([
      'record has no dynamodb.Keys',
      expect.stringContaining('dynamodb.Keys.pk'),
      'record has empty dynamodb.Keys',
      'record is not an object',
    ]);
  });

  test('sequenceNumberOf returns digit strings longer than a JS number can hold, unchanged', () => {
    // Prepare
    const record = firstRecord('binary');

    // Act
    const sequenceNumber = sequenceNumberOf(record);

    // Assess
    expect(sequenceNumber).toBe('4421584500000000017450439091');
  });
});
