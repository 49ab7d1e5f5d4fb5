/**
 * The handler's answer to Lambda: the partial batch response (which records failed, FullBatchFailureError, loops,
 * records that cannot be reported), fixtures as Lambda delivers them, streams without new images and TTL deletes.
 * What it logs: handler.logs.test.ts.
 */
import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { BatchGetItemCommand, BatchWriteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fakeContext } from '../../../harness/context';
import { loadFixture, seq, stream, streamEvent } from '../../../harness/records';
import { InvalidEventError, ReplicationLoopError } from '../../../src/replicator/errors';
import { captured, failedSequenceNumbers, SLAVE, useHandler } from '../../helpers/handlerUnit';
import { awsError } from '../../helpers/sdkMocks';

const { ddb, handler, handlerWith, refuseBigItem } = useHandler();

describe('handler: the partial batch response', () => {
  test('reports exactly the failed records by sequence number', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([
      stream.insert(1, 'a'),
      stream.insert(2, 'big'),
      stream.modify(3, 'big', { v: { N: '3' } }),
      stream.insert(4, 'c', { v: { N: 'not a number' } }),
      stream.remove(5, 'd'),
    ]);

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(failedSequenceNumbers(result)).toEqual([seq(2), seq(3), seq(4)]);
    const written = ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.pk?.S);
    expect(written.sort()).toEqual(['a', 'big']);
  });

  test('a fully replicated batch reports no failures, and binary reaches the slave as the original bytes', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const event = loadFixture('binary');

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    const calls = ddb.commandCalls(BatchWriteItemCommand);
    expect(calls).toHaveLength(1);
    const requests = calls[0]?.args[0].input.RequestItems?.[SLAVE.table] ?? [];
    const put = requests.find((request) => request.PutRequest)?.PutRequest?.Item;
    const deleted = requests.find((request) => request.DeleteRequest)?.DeleteRequest?.Key;
    expect(Buffer.from(put?.reading?.B as Uint8Array).equals(Buffer.from([0x00, 0x01, 0xfe, 0xff]))).toBe(true);
    expect(Buffer.from(put?.payload?.M?.signature?.B as Uint8Array).equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(
      true,
    );
    expect(Buffer.from(deleted?.reading?.B as Uint8Array).equals(Buffer.from([0xde, 0xad, 0xbe, 0xef]))).toBe(true);
  });

  test('every record failed → throws FullBatchFailureError, so Lambda retries the whole batch', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const event = streamEvent([
      stream.insert(1, 'a', { blob: { B: 'not base64!' } }),
      stream.insert(2, 'b', { v: { N: 'NaN' } }),
    ]);

    // Act
    const { error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeInstanceOf(FullBatchFailureError);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('an empty batch → no failures and no write', async () => {
    // Act
    const { result, error } = await captured(() => handler({ Records: [] }, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb.calls()).toHaveLength(0);
  });

  test.each([
    ['an empty object', {}],
    ['null', null],
    ['Records that is not an array', { Records: 'none' }],
    ['an SQS-like string', 'hello'],
  ])('an event that is %s → InvalidEventError, nothing written', async (_case, event) => {
    // Act
    const { error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toContain('Records');
    expect(ddb.calls()).toHaveLength(0);
  });

  test('a stream whose eventSourceARN names the slave table → ReplicationLoopError, nothing written', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const arn = `arn:aws:dynamodb:${SLAVE.region}:123456789012:table/${SLAVE.table}/stream/2024-05-01T12:00:00.000`;
    const event = streamEvent([stream.insert(1, 'a', undefined, { eventSourceARN: arn })]);

    // Act
    const { error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeInstanceOf(ReplicationLoopError);
    expect((error as Error).message).toContain(`${SLAVE.region}/${SLAVE.table}`);
    expect(ddb.calls()).toHaveLength(0);
  });

  test('a master with the slave’s table name in another region is not a loop', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const arn = `arn:aws:dynamodb:us-east-1:123456789012:table/${SLAVE.table}/stream/2024-05-01T12:00:00.000`;
    const event = streamEvent([stream.insert(1, 'a', undefined, { eventSourceARN: arn })]);

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
  });

  test('a failed record without SequenceNumber fails the whole invocation (it cannot be reported alone)', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const orphan = stream.insert(2, 'b');
    if (orphan.dynamodb) delete orphan.dynamodb.SequenceNumber;
    const event = streamEvent([stream.insert(1, 'a'), orphan]);

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toContain('SequenceNumber');
  });
});

describe('handler: fixtures as Lambda delivers them', () => {
  test.each(['insert', 'modify', 'remove', 'ttl-remove', 'numbers-38-digits'] as const)(
    '%s fixture → replicated with no failure',
    async (name) => {
      // Prepare
      ddb.on(BatchWriteItemCommand).resolves({});
      const event = loadFixture(name);

      // Act
      const { result, error } = await captured(() => handler(event, fakeContext()));

      // Assess
      expect(error).toBeUndefined();
      expect(result).toEqual({ batchItemFailures: [] });
      expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
    },
  );

  test('keys-only-insert fixture → the item is read from the master named by eventSourceARN and put on the slave', async () => {
    // Prepare
    const event = loadFixture('keys-only-insert');
    const key = { OrderId: { S: 'order-1' }, Line: { N: '1' } };
    const current = { ...key, Quantity: { N: '3' }, Note: { S: 'as the master has it now' } };
    ddb.on(BatchGetItemCommand).resolves({ Responses: { Orders: [current] } });
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act
    const { result, error, lines } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    const reads = ddb.commandCalls(BatchGetItemCommand);
    expect(reads).toHaveLength(1);
    expect(reads[0]?.args[0].input.RequestItems).toEqual({ Orders: { Keys: [key], ConsistentRead: true } });
    const writes = ddb.commandCalls(BatchWriteItemCommand);
    expect(writes[0]?.args[0].input.RequestItems).toEqual({ [SLAVE.table]: [{ PutRequest: { Item: current } }] });
    expect(lines.find((line) => line.message === 'batch replicated')).toMatchObject({ fetchedFromMaster: 1, puts: 1 });
  });
});

describe('handler: records without a new image, and TTL deletes', () => {
  test('a KEYS_ONLY record whose master read is denied fails alone, with a reason naming dynamodb:BatchGetItem', async () => {
    // Prepare
    ddb
      .on(BatchGetItemCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized to perform: dynamodb:BatchGetItem'));
    ddb.on(BatchWriteItemCommand).resolves({});
    const event = streamEvent([stream.keysOnlyInsert(1, 'a'), stream.insert(2, 'b')]);

    // Act
    const { result, lines } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(failedSequenceNumbers(result)).toEqual([seq(1)]);
    const failure = lines.find((line) => line.message === 'record not replicated');
    expect(failure).toMatchObject({ sequenceNumber: seq(1), errorName: 'MasterReadError' });
    expect(String(failure?.reason)).toContain('needs dynamodb:BatchGetItem on table Master in us-east-1');
  });

  test('an item the master no longer has is deleted from the slave', async () => {
    // Prepare
    ddb.on(BatchGetItemCommand).resolves({ Responses: { Master: [] } });
    ddb.on(BatchWriteItemCommand).resolves({});
    const event = streamEvent([stream.keysOnlyInsert(1, 'gone')]);

    // Act
    const { result } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    const requests = ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.[SLAVE.table];
    expect(requests).toEqual([{ DeleteRequest: { Key: { pk: { S: 'gone' } } } }]);
  });

  test('with replicateTtlDeletes false, the TTL fixture succeeds without a write and the summary counts it skipped', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const skipping = handlerWith({ replicateTtlDeletes: false });
    const event = loadFixture('ttl-remove');

    // Act
    const { result, error, lines } = await captured(() => skipping(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb.calls()).toHaveLength(0);
    expect(lines.find((line) => line.message === 'batch replicated')).toMatchObject({
      records: 1,
      skipped: 1,
      deletes: 0,
      failures: 0,
    });
  });
});
