/**
 * The handler's answer to a batch with failed records, by REPORT_BATCH_ITEM_FAILURES: unset (the console's default
 * trigger ignores partial responses), the invocation fails after writing what it could, naming the records and the
 * setting; true, exactly the failed records are reported, and a next batch that brings a later change of a failed
 * item without the failed change is logged as an ERROR naming the trigger setting (the trigger ignored the answer).
 * Against the built zip and the local event source mapping: test/integration/defaultTrigger.test.ts.
 */
import { BatchWriteItemCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { fakeContext } from '../../../harness/context';
import { seq, stream, streamEvent } from '../../../harness/records';
import { ReplicationFailedError } from '../../../src/replicator/errors';
import { captured, failedSequenceNumbers, ITEM_TOO_LARGE, useHandler } from '../../helpers/handlerUnit';

const { ddb, handler, handlerWith, refuseBigItem } = useHandler();

/** The items the slave was sent with PutItem (each item written alone, as after a rejected BatchWriteItem). */
function putKeys(): string[] {
  return ddb
    .commandCalls(PutItemCommand)
    .map((call) => String(call.args[0].input.Item?.pk?.S))
    .sort();
}

describe('REPORT_BATCH_ITEM_FAILURES unset', () => {
  test('a failed record fails the invocation after the good ones are written, naming the records and the setting', async () => {
    // Prepare
    refuseBigItem();
    const unset = handlerWith({ replicateTtlDeletes: true, reportBatchItemFailures: false });
    const event = streamEvent([
      stream.insert(1, 'a'),
      stream.insert(2, 'big'),
      stream.modify(3, 'big', { v: { N: '3' } }),
      stream.remove(4, 'gone'),
    ]);

    // Act
    const { result, error } = await captured(() => unset(event, fakeContext()));

    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(ReplicationFailedError);
    const message = (error as Error).message;
    expect(message).toMatch(/^2 of 4 record\(s\) not replicated: /);
    expect(message).toContain(`${seq(3)} (slave eu-west-1/OrdersReplica: ValidationException: ${ITEM_TOO_LARGE})`);
    expect(message).toContain(
      'to retry only the failed records, turn on ReportBatchItemFailures on the trigger and set REPORT_BATCH_ITEM_FAILURES to true',
    );
    expect((error as ReplicationFailedError).failures.map((failure) => failure.sequenceNumber).sort()).toEqual([
      seq(2),
      seq(3),
    ]);
    expect(putKeys()).toEqual(['a', 'big']);
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });

  test('a batch that fully succeeds answers with no failures', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const unset = handlerWith({ replicateTtlDeletes: true, reportBatchItemFailures: false });

    // Act
    const response = await unset(streamEvent([stream.insert(1, 'a'), stream.remove(2, 'b')]), fakeContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });
});

describe('REPORT_BATCH_ITEM_FAILURES=true', () => {
  test('exactly the failed record (and the change it holds back) is reported; the others are written', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([stream.insert(1, 'a'), stream.insert(2, 'big'), stream.modify(3, 'big')]);

    // Act
    const { result } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(failedSequenceNumbers(result)).toEqual([seq(2), seq(3)]);
    expect(putKeys()).toEqual(['a', 'big']);
  });

  test('the next batch brings a later change of the failed item without the failed one: one ERROR naming the trigger setting', async () => {
    // Prepare: batch 1 fails `big` at 2; a trigger that ignores the answer delivers 4 onwards next.
    refuseBigItem();
    await captured(() => handler(streamEvent([stream.insert(1, 'a'), stream.insert(2, 'big')]), fakeContext()));
    ddb.reset();
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act
    const { lines } = await captured(() =>
      handler(streamEvent([stream.modify(4, 'big', { v: { N: '4' } }), stream.insert(5, 'c')]), fakeContext()),
    );

    // Assess
    const errors = lines.filter((line) => line.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain(
      'changes this function reported failed were not delivered again: a later change of the same item came without them. REPORT_BATCH_ITEM_FAILURES=true says the trigger has ReportBatchItemFailures on',
    );
    expect(errors[0]).toMatchObject({
      setting: 'REPORT_BATCH_ITEM_FAILURES',
      trigger: 'ReportBatchItemFailures',
      count: 1,
      skipped: [{ sequenceNumber: seq(2), seenInstead: seq(4), stream: expect.stringContaining(':table/') }],
    });
  });

  test('a retry from the failed record (what the trigger does when it honours the answer) logs no ERROR', async () => {
    // Prepare
    refuseBigItem();
    await captured(() => handler(streamEvent([stream.insert(1, 'a'), stream.insert(2, 'big')]), fakeContext()));
    ddb.reset();
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act: Lambda delivers again from sequence number 2, with the item's later change.
    const { lines, result } = await captured(() =>
      handler(streamEvent([stream.insert(2, 'big'), stream.modify(4, 'big')]), fakeContext()),
    );

    // Assess
    expect(failedSequenceNumbers(result)).toEqual([]);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
  });

  test('a next batch of other items (another shard) logs no ERROR, and the batch after it is not compared', async () => {
    // Prepare
    refuseBigItem();
    await captured(() => handler(streamEvent([stream.insert(2, 'big')]), fakeContext()));
    ddb.reset();
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act
    const other = await captured(() => handler(streamEvent([stream.insert(7, 'x')]), fakeContext()));
    const later = await captured(() => handler(streamEvent([stream.modify(9, 'big')]), fakeContext()));

    // Assess
    expect([...other.lines, ...later.lines].filter((line) => line.level === 'ERROR')).toEqual([]);
  });
});
