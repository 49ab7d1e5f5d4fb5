import { insertRecord, modifyRecord, seq, stream } from '../../../harness/records';
import { BlockedByEarlierFailureError, InvalidRecordError } from '../../../src/replicator/errors';
import type { PlannedWrite, StreamRecord } from '../../../src/replicator/types';
import { itemKeyOf } from '../../../src/shared/key';
import { delivered, planOf, sequenceNumbers, writeFor } from '../../helpers/plan';

describe('planBatch: coalescing changes to one item', () => {
  test('many changes to one item → one write carrying every record, with the last image', () => {
    // Prepare
    const records = delivered([
      stream.insert(1, 'a', { v: { N: '1' } }),
      stream.modify(2, 'a', { v: { N: '2' } }),
      stream.modify(3, 'a', { v: { N: '3' } }),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes).toHaveLength(1);
    expect(plan.rejected.size).toBe(0);
    const write = plan.writes[0] as PlannedWrite;
    expect(write.change).toMatchObject({ kind: 'put', item: { pk: { S: 'a' }, v: { N: '3' } } });
    expect(write.records).toEqual(records);
  });

  test('delete then re-insert → put of the re-inserted image', () => {
    // Prepare
    const records = delivered([stream.remove(1, 'a'), stream.insert(2, 'a', { v: { S: 'again' } })]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.change).toMatchObject({ kind: 'put', item: { v: { S: 'again' } } });
    expect(plan.writes[0]?.records).toHaveLength(2);
  });

  test('insert then delete → delete', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a'), stream.remove(2, 'a')]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.change).toEqual({
      kind: 'delete',
      itemKey: itemKeyOf({ pk: { S: 'a' } }),
      key: { pk: { S: 'a' } },
    });
  });

  test('out-of-order delete: the highest sequence number wins even when delivered first', () => {
    // Prepare
    const records = delivered([stream.remove(5, 'a'), stream.insert(4, 'a')]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes[0]?.change.kind).toBe('delete');
  });

  test('the same item with its number key written two ways is coalesced into one write', () => {
    // Prepare
    const records = delivered([
      insertRecord(seq(1), { id: { N: '1.50' } }, { id: { N: '1.50' }, v: { S: 'first' } }),
      modifyRecord(seq(2), { id: { N: '15e-1' } }, { id: { N: '15e-1' }, v: { S: 'second' } }),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes).toHaveLength(1);
    expect(plan.writes[0]?.change).toMatchObject({ item: { v: { S: 'second' } } });
  });

  test('different items get one write each', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a'), stream.insert(2, 'b'), stream.remove(3, 'c')]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.writes.map((write) => write.change.kind).sort()).toEqual(['delete', 'put', 'put']);
    expect(new Set(plan.writes.map((write) => write.change.itemKey)).size).toBe(3);
  });

  test('an empty batch plans nothing', () => {
    // Act
    const plan = planOf([]);

    // Assess
    expect(plan.writes).toHaveLength(0);
    expect(plan.rejected.size).toBe(0);
  });
});

describe('planBatch: failures', () => {
  test('a bad record in the middle of an item: the prefix is written, the bad and later records are rejected', () => {
    // Prepare
    const records = delivered([
      stream.insert(1, 'a', { v: { N: '1' } }),
      stream.modify(2, 'a', { v: { N: 'not a number' } }),
      stream.modify(3, 'a', { v: { N: '3' } }),
      stream.remove(4, 'a'),
    ]);
    const [first, bad, third, fourth] = records as [StreamRecord, StreamRecord, StreamRecord, StreamRecord];

    // Act
    const plan = planOf(records);

    // Assess
    const write = writeFor(plan, 'a') as PlannedWrite;
    expect(write.change).toMatchObject({ kind: 'put', item: { v: { N: '1' } } });
    expect(write.records).toEqual([first]);
    expect(plan.rejected.get(bad)).toBeInstanceOf(InvalidRecordError);
    for (const blocked of [third, fourth]) {
      const error = plan.rejected.get(blocked);
      expect(error).toBeInstanceOf(BlockedByEarlierFailureError);
      expect(error?.message).toContain(seq(2));
    }
  });

  test('a bad first record: nothing is written for the item, every record of it is rejected', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a', { blob: { B: 'not base64!' } }), stream.modify(2, 'a')]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(writeFor(plan, 'a')).toBeUndefined();
    const error = plan.rejected.get(records[0] as StreamRecord);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error?.message).toContain('dynamodb.NewImage.blob');
    expect(plan.rejected.get(records[1] as StreamRecord)).toBeInstanceOf(BlockedByEarlierFailureError);
  });

  test('a bad record blocks only its own item: other items are planned in full', () => {
    // Prepare
    const records = delivered([
      stream.insert(1, 'b', { v: { N: '1' } }),
      stream.insert(2, 'a', { v: { N: 'NaN' } }),
      stream.modify(3, 'b', { v: { N: '3' } }),
      stream.modify(4, 'a'),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    const write = writeFor(plan, 'b') as PlannedWrite;
    expect(write.change).toMatchObject({ item: { v: { N: '3' } } });
    expect(sequenceNumbers(write.records)).toEqual([seq(1), seq(3)]);
    expect(sequenceNumbers([...plan.rejected.keys()]).sort()).toEqual([seq(2), seq(4)]);
  });

  test('the blocking order follows sequence numbers, not delivery order', () => {
    // Prepare: the bad record (seq 5) is delivered first but comes after seq 4.
    const records = delivered([
      stream.modify(5, 'a', { v: { B: 'bad base64' } }),
      stream.insert(4, 'a', { v: { N: '4' } }),
      stream.modify(6, 'a', { v: { N: '6' } }),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(writeFor(plan, 'a')?.change).toMatchObject({ item: { v: { N: '4' } } });
    expect(plan.rejected.get(records[0] as StreamRecord)).toBeInstanceOf(InvalidRecordError);
    expect(plan.rejected.get(records[2] as StreamRecord)).toBeInstanceOf(BlockedByEarlierFailureError);
  });

  test('a record without usable Keys fails alone and blocks nothing', () => {
    // Prepare
    const keyless = stream.insert(2, 'a');
    if (keyless.dynamodb) delete keyless.dynamodb.Keys;
    const records = delivered([
      stream.insert(1, 'a', { v: { N: '1' } }),
      keyless,
      stream.modify(3, 'a', { v: { N: '3' } }),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.rejected.size).toBe(1);
    const error = plan.rejected.get(records[1] as StreamRecord);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect(error?.message).toContain('Keys');
    expect(writeFor(plan, 'a')?.change).toMatchObject({ item: { v: { N: '3' } } });
    expect(sequenceNumbers(writeFor(plan, 'a')?.records ?? [])).toEqual([seq(1), seq(3)]);
  });

  test('a record with undecodable Keys fails alone with the reason from the key', () => {
    // Prepare
    const records = delivered([
      insertRecord(seq(1), { pk: { B: '***' } }, { pk: { B: '***' } }),
      stream.insert(2, 'b'),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.rejected.get(records[0] as StreamRecord)?.message).toContain('dynamodb.Keys.pk');
    expect(plan.writes).toHaveLength(1);
  });
});

describe('planBatch: records without a new image (KEYS_ONLY, OLD_IMAGE)', () => {
  test('an INSERT without NewImage plans a fetch of the item, carrying the record', () => {
    // Prepare
    const records = delivered([stream.keysOnlyInsert(1, 'a')]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(plan.rejected.size).toBe(0);
    expect(plan.writes).toEqual([
      {
        change: { kind: 'fetch', itemKey: itemKeyOf({ pk: { S: 'a' } }), key: { pk: { S: 'a' } } },
        records,
        source: records[0],
      },
    ]);
  });

  test('several changes to one item end in one fetch when the last has no image, one delete when the last is a REMOVE', () => {
    // Prepare
    const records = delivered([
      stream.keysOnlyInsert(1, 'a'),
      stream.remove(2, 'a', { streamViewType: 'KEYS_ONLY' }),
      stream.keysOnlyInsert(3, 'a'),
      stream.keysOnlyInsert(4, 'b'),
      stream.remove(5, 'b', { streamViewType: 'KEYS_ONLY' }),
    ]);

    // Act
    const plan = planOf(records);

    // Assess
    expect(writeFor(plan, 'a')?.change.kind).toBe('fetch');
    expect(sequenceNumbers(writeFor(plan, 'a')?.records ?? [])).toEqual([seq(1), seq(2), seq(3)]);
    expect(writeFor(plan, 'b')?.change.kind).toBe('delete');
    expect(sequenceNumbers(writeFor(plan, 'b')?.records ?? [])).toEqual([seq(4), seq(5)]);
  });
});

describe('planBatch: TTL deletes', () => {
  const TTL = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } };

  test('with replicateTtlDeletes false, a TTL delete is skipped: no write, not rejected, listed as skipped', () => {
    // Prepare
    const records = delivered([stream.remove(1, 'a', TTL), stream.insert(2, 'b')]);

    // Act
    const plan = planOf(records, { replicateTtlDeletes: false });

    // Assess
    expect(writeFor(plan, 'a')).toBeUndefined();
    expect(plan.rejected.size).toBe(0);
    expect(plan.skipped).toEqual([records[0]]);
    expect(writeFor(plan, 'b')?.change.kind).toBe('put');
  });

  test('with replicateTtlDeletes false, a TTL delete after a put leaves the put, and the put carries the skipped record', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a', { v: { N: '1' } }), stream.remove(2, 'a', TTL)]);

    // Act
    const plan = planOf(records, { replicateTtlDeletes: false });

    // Assess: if the put fails, the skipped record after it must fail with it (Lambda retries from the put).
    const write = writeFor(plan, 'a') as PlannedWrite;
    expect(write.change).toMatchObject({ kind: 'put', item: { v: { N: '1' } } });
    expect(write.records).toEqual(records);
    expect(plan.skipped).toEqual([records[1]]);
  });

  test('with replicateTtlDeletes false, a user delete is still a delete', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a'), stream.remove(2, 'a')]);

    // Act
    const plan = planOf(records, { replicateTtlDeletes: false });

    // Assess
    expect(writeFor(plan, 'a')?.change.kind).toBe('delete');
    expect(plan.skipped).toEqual([]);
  });

  test('with replicateTtlDeletes true (the default), a TTL delete after a put is a delete', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a'), stream.remove(2, 'a', TTL)]);

    // Act
    const explicit = planOf(records, { replicateTtlDeletes: true });
    const byDefault = planOf(records);

    // Assess
    for (const plan of [explicit, byDefault]) {
      expect(writeFor(plan, 'a')?.change).toEqual({
        kind: 'delete',
        itemKey: itemKeyOf({ pk: { S: 'a' } }),
        key: { pk: { S: 'a' } },
      });
      expect(plan.skipped).toEqual([]);
    }
  });

  test('a TTL delete behind a failed change is blocked, not skipped', () => {
    // Prepare
    const records = delivered([stream.insert(1, 'a', { v: { N: 'x' } }), stream.remove(2, 'a', TTL)]);

    // Act
    const plan = planOf(records, { replicateTtlDeletes: false });

    // Assess
    expect(plan.rejected.get(records[1] as StreamRecord)).toBeInstanceOf(BlockedByEarlierFailureError);
    expect(plan.skipped).toEqual([]);
  });
});
