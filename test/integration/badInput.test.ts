/**
 * Hostile and malformed input, each case with its exact outcome, through the BUILT bundle against DynamoDB Local
 * (in this process, a fresh copy per case: badInputFixture; badInputRejected.test.ts runs representative cases in
 * local Lambda containers under the official runtime client, to prove the same outcomes cross the Runtime API):
 * what the handler returned or threw, the reason it logged for each failed record, and what the slave holds.
 *
 * The rule every case checks: a bad record fails by itself (its sequence number in `batchItemFailures`, a reason
 * that says what is wrong) or the whole invocation fails with a clear error — never a silent skip, never a crash that
 * loses the batch-mates' writes, never a wrong item on the slave. Unit tests cover the same shapes with mocks; here
 * the real bundle writes to a real DynamoDB, so the slave's contents are the proof.
 */

import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startHoldingProxy } from '../../harness/holdingProxy';
import {
  imageOf,
  insertRecord,
  keyOf,
  keysOnlyInsertRecord,
  modifyRecord,
  removeRecord,
  seq,
  streamEvent,
} from '../../harness/records';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import { createTable, type Item, uniqueTableName } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import type { StreamImage } from '../../src/shared/item';
import {
  BOTH_MATES,
  between,
  endpoint,
  good,
  goodItem,
  insertWithValue,
  invoke,
  MISSING_SEQUENCE_NUMBER,
  master,
  NO_RECORDS,
  newSlave,
  slave,
} from './badInputFixture';

describe('events that are not a DynamoDB Streams batch: the invocation fails, nothing is written', () => {
  test.each<[string, unknown]>([
    ['an event without Records', {}],
    ['Records that is an object', { Records: { 0: good(1, 'a') } }],
    ['Records that is a string', { Records: 'INSERT' }],
    ['a null event', null],
  ])('%s', async (_, event) => {
    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.thrown).toEqual({ name: 'InvalidEventError', message: NO_RECORDS });
    expect(outcome.slave).toEqual([]);
  });

  test('an empty batch returns no failures and writes nothing', async () => {
    // Act
    const outcome = await invoke({ Records: [] });

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([]);
  });

  test("a batch with one record from the slave's own stream is refused whole, before any write", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const arn = `arn:aws:dynamodb:${SLAVE_REGION}:123456789012:table/${slaveTable}/stream/2024-05-01T12:00:00.000`;
    const looping = insertRecord(seq(2), keyOf('c'), imageOf('c'), { eventSourceARN: arn });

    // Act
    const outcome = await invoke(between(looping), { slaveTable });

    // Assess
    expect(outcome.thrown).toEqual({
      name: 'ReplicationLoopError',
      message: `the trigger's stream (${arn}) belongs to the slave table ${SLAVE_REGION}/${slaveTable} itself: a table cannot replicate onto itself; attach the master table's stream, or correct SLAVE_REGION/SLAVE_TABLE`,
    });
    expect(outcome.slave).toEqual([]);
  });

  test("a stream of a table with the slave's name in another region is not a loop, and is replicated", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${slaveTable}/stream/2024-05-01T12:00:00.000`;

    // Act
    const outcome = await invoke(
      streamEvent([insertRecord(seq(1), keyOf('a'), imageOf('a', { v: { N: '1' } }), { eventSourceARN: arn })]),
      { slaveTable },
    );

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([goodItem('a', 1)]);
  });
});

describe('a malformed record fails alone, with what is wrong; its batch-mates land', () => {
  test.each<[string, unknown, string]>([
    [
      'a SequenceNumber that is not digits',
      { ...insertRecord('abc', keyOf('c'), imageOf('c')) },
      'record has no valid dynamodb.SequenceNumber (a string of digits)',
    ],
    [
      'no Keys',
      {
        ...insertRecord(seq(2), keyOf('c'), imageOf('c')),
        dynamodb: { SequenceNumber: seq(2), NewImage: imageOf('c') },
      },
      'record has no dynamodb.Keys',
    ],
    ['empty Keys', insertRecord(seq(2), {}, imageOf('c')), 'record has empty dynamodb.Keys'],
    [
      'an unknown eventName',
      { ...insertRecord(seq(2), keyOf('c'), imageOf('c')), eventName: 'UPSERT' },
      'unknown eventName "UPSERT": expected INSERT, MODIFY or REMOVE (is the trigger a DynamoDB stream?)',
    ],
    [
      'no eventName',
      { ...insertRecord(seq(2), keyOf('c'), imageOf('c')), eventName: undefined },
      'unknown eventName undefined: expected INSERT, MODIFY or REMOVE (is the trigger a DynamoDB stream?)',
    ],
    [
      'an unknown type tag',
      insertWithValue({ X: '1' }),
      'invalid attribute value at dynamodb.NewImage.v: unknown type tag "X"',
    ],
    [
      'two type tags in one value',
      insertWithValue({ S: 'a', N: '1' }),
      'invalid attribute value at dynamodb.NewImage.v: expected exactly one type tag, found S, N',
    ],
    [
      'N that is not a number',
      insertWithValue({ N: '12abc' }),
      'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
    ],
    [
      'N given as a JSON number',
      insertWithValue({ N: 12 }),
      'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
    ],
    [
      'invalid base64 in B',
      insertWithValue({ B: 'not base64!' }),
      'invalid attribute value at dynamodb.NewImage.v: B must be a base64 string',
    ],
    [
      'invalid base64 in one BS member',
      insertWithValue({ BS: ['AAEC', '***'] }),
      'invalid attribute value at dynamodb.NewImage.v[1]: B must be a base64 string',
    ],
    [
      'NULL that is false',
      insertWithValue({ NULL: false }),
      'invalid attribute value at dynamodb.NewImage.v: NULL must be true',
    ],
    [
      'a bad value deep inside a map and a list',
      insertWithValue({ M: { list: { L: [{ S: 'fine' }, { N: 'x' }] } } }),
      'invalid attribute value at dynamodb.NewImage.v.list[1]: N must be a number written as a string',
    ],
    [
      'invalid base64 in a binary key',
      insertRecord(
        seq(2),
        { pk: { B: '%%%' } } as unknown as StreamImage,
        { pk: { B: '%%%' } } as unknown as StreamImage,
      ),
      'invalid attribute value at dynamodb.Keys.pk: B must be a base64 string',
    ],
    [
      'a NewImage without the key attributes',
      insertRecord(seq(2), keyOf('c'), { v: { N: '1' } }),
      'NewImage lacks the key attribute(s) pk given in Keys',
    ],
    [
      'a NewImage whose key differs from Keys',
      insertRecord(seq(2), keyOf('c'), imageOf('d')),
      'NewImage key attributes differ from the record Keys',
    ],
  ])('%s', async (_, bad, reason) => {
    // Prepare
    const sequenceNumber = String((bad as StreamRecord).dynamodb?.SequenceNumber);

    // Act
    const outcome = await invoke(between(bad));

    // Assess
    expect(outcome.failed).toEqual([sequenceNumber]);
    expect(outcome.reasons).toEqual({ [sequenceNumber]: reason });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });

  test.each<[string, unknown]>([
    ['a record without a dynamodb section', { eventID: 'x', eventName: 'INSERT', eventSource: 'aws:dynamodb' }],
    [
      'a record without a SequenceNumber',
      { ...insertRecord(seq(2), keyOf('c'), imageOf('c')), dynamodb: { Keys: keyOf('c'), NewImage: imageOf('c') } },
    ],
    ['a null record', null],
  ])(
    '%s cannot be reported by sequence number: the batch-mates are written and the invocation fails, so Lambda retries the batch',
    async (_, bad) => {
      // Act
      const outcome = await invoke(between(bad));

      // Assess
      expect(outcome.thrown).toEqual({ name: 'InvalidEventError', message: MISSING_SEQUENCE_NUMBER });
      expect(outcome.slave).toEqual(BOTH_MATES);
    },
  );

  test("a malformed change holds back the item's later changes and keeps its earlier one", async () => {
    // Prepare: item a changes three times, the second change is malformed; item b changes once after.
    const event = streamEvent([
      good(1, 'a'),
      modifyRecord(seq(2), keyOf('a'), { ...keyOf('a'), v: { N: 'two' } } as unknown as StreamImage),
      modifyRecord(seq(3), keyOf('a'), imageOf('a', { v: { N: '3' } })),
      good(4, 'b'),
    ]);

    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.failed).toEqual([seq(2), seq(3)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]: 'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
      [seq(3)]:
        `not applied: an earlier change to the same item (sequence number ${seq(2)}) failed in this batch; it will be retried after it`,
    });
    expect(outcome.slave).toEqual([goodItem('a', 1), goodItem('b', 4)]);
  });
});

describe('records without a new image (KEYS_ONLY stream): the item is read from the master', () => {
  test("the master's current item is copied, and an item the master no longer has is deleted", async () => {
    // Prepare: a master in us-east-1 with item a; the slave has a stale b that the master deleted.
    const masterTable = (await createTable(master, { name: uniqueTableName('bad-input-master') })).name;
    await master.send(new PutItemCommand({ TableName: masterTable, Item: { pk: { S: 'a' }, now: { S: 'current' } } }));
    const slaveTable = await newSlave();
    await slave.send(new PutItemCommand({ TableName: slaveTable, Item: { pk: { S: 'b' }, stale: { BOOL: true } } }));
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${masterTable}/stream/2024-05-01T12:00:00.000`;
    const event = streamEvent([
      keysOnlyInsertRecord(seq(1), keyOf('a'), { eventSourceARN: arn }),
      keysOnlyInsertRecord(seq(2), keyOf('b'), { eventSourceARN: arn }),
    ]);

    // Act
    const outcome = await invoke(event, { slaveTable });

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([{ pk: { S: 'a' }, now: { S: 'current' } }]);
  });

  test('when the master table named by eventSourceARN does not exist, its records fail with that reason', async () => {
    // Prepare
    const missing = uniqueTableName('missing-master');
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${missing}/stream/2024-05-01T12:00:00.000`;

    // Act
    const outcome = await invoke(between(keysOnlyInsertRecord(seq(2), keyOf('c'), { eventSourceARN: arn })));

    // Assess
    expect(outcome.failed).toEqual([seq(2)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]:
        `master ${MASTER_REGION}/${missing}: master table ${missing} not found in region ${MASTER_REGION}: the records' stream (eventSourceARN) belongs to this table: it was deleted, or the stream is another account's (ResourceNotFoundException: Cannot do operations on a non-existent table)`,
    });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });
});

/**
 * A proxy in front of DynamoDB Local that counts, per partition key (`pk.S`), the item writes and deletes for
 * `table` in the requests going through it (BatchWriteItem, PutItem, DeleteItem).
 */
async function countingSlaveWrites(table: string) {
  const byKey: Record<string, number> = {};
  const count = (key: Item | undefined): void => {
    const name = key?.pk?.S ?? '?';
    byKey[name] = (byKey[name] ?? 0) + 1;
  };
  const proxy = await startHoldingProxy(endpoint, {
    beforeForward: ({ action, body }) => {
      const request = JSON.parse(body);
      if (action === 'BatchWriteItem') {
        for (const write of request.RequestItems?.[table] ?? [])
          count(write.PutRequest?.Item ?? write.DeleteRequest?.Key);
      } else if ((action === 'PutItem' || action === 'DeleteItem') && request.TableName === table) {
        count(request.Item ?? request.Key);
      }
    },
  });
  return { endpoint: proxy.endpoint, byKey, close: () => proxy.close() };
}

describe('duplicates and order', () => {
  test('the same batch delivered twice leaves the same slave as once', async () => {
    // Prepare: a batch that inserts and changes a, and inserts and deletes b.
    const slaveTable = await newSlave();
    const event = streamEvent([
      good(1, 'a'),
      modifyRecord(seq(2), keyOf('a'), imageOf('a', { v: { N: '2' } })),
      good(3, 'b'),
      removeRecord(seq(4), keyOf('b')),
    ]);

    // Act
    const once = await invoke(event, { slaveTable });
    const twice = await invoke(event, { slaveTable });

    // Assess: the slave after the first delivery is the batch's end state, and the second leaves it as it is.
    expect(once).toMatchObject({ failed: [], slave: [goodItem('a', 2)] });
    expect(twice.failed).toEqual([]);
    expect(twice.slave).toEqual(once.slave);
  });

  test('the same record twice in one batch is applied once, without failure', async () => {
    // Prepare: a proxy in front of DynamoDB Local counts the writes of each item to the slave.
    const slaveTable = await newSlave();
    const writes = await countingSlaveWrites(slaveTable);

    try {
      // Act
      const outcome = await invoke(streamEvent([good(1, 'a'), good(1, 'a'), good(2, 'b')]), {
        slaveTable,
        via: writes.endpoint,
      });

      // Assess: one write of a reached DynamoDB.
      expect(outcome.failed).toEqual([]);
      expect(outcome.slave).toEqual([goodItem('a', 1), goodItem('b', 2)]);
      expect(writes.byKey).toEqual({ a: 1, b: 1 });
    } finally {
      await writes.close();
    }
  });

  test('records out of sequence order within a batch are applied in sequence order', async () => {
    // Prepare: a's last change (seq 30) comes first in the array; b is deleted (seq 40) before it is inserted (seq 35).
    const event = streamEvent([
      modifyRecord(seq(30), keyOf('a'), imageOf('a', { v: { N: '30' } })),
      removeRecord(seq(40), keyOf('b')),
      insertRecord(seq(10), keyOf('a'), imageOf('a', { v: { N: '10' } })),
      insertRecord(seq(35), keyOf('b'), imageOf('b', { v: { N: '35' } })),
      modifyRecord(seq(20), keyOf('a'), imageOf('a', { v: { N: '20' } })),
    ]);

    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([goodItem('a', 30)]);
  });
});
