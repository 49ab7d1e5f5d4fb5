import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { fakeContext } from '../../../harness/context';
import { imageOf, keyOf, modifyRecord, removeRecord, seq, stream, streamEvent } from '../../../harness/records';
import {
  captured,
  failedSequenceNumbers,
  ITEM_TOO_LARGE,
  type LogLine,
  SLAVE,
  useHandler,
} from '../../helpers/handlerUnit';
import { awsError } from '../../helpers/sdkMocks';

const { ddb, handler, refuseBigItem } = useHandler();

describe('handler: logs', () => {
  test('BatchWriteItem denied (the original PutItem/DeleteItem policy): one WARN per container naming the action and the ARN, nothing failed', async () => {
    // Prepare
    const arn = `arn:aws:dynamodb:${SLAVE.region}:123456789012:table/${SLAVE.table}`;
    ddb
      .on(BatchWriteItemCommand)
      .rejects(
        awsError(
          'AccessDeniedException',
          `User: arn:aws:sts::123456789012:assumed-role/old/fn is not authorized to perform: dynamodb:BatchWriteItem on resource: ${arn} because no identity-based policy allows the dynamodb:BatchWriteItem action`,
        ),
      );
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    const events = [1, 2, 3].map((batch) =>
      streamEvent([stream.insert(batch * 10, `a${batch}`), stream.remove(batch * 10 + 1, `b${batch}`)]),
    );

    // Act
    const runs = [];
    for (const event of events) runs.push(await captured(() => handler(event, fakeContext())));

    // Assess
    expect(runs.map((run) => failedSequenceNumbers(run.result))).toEqual([[], [], []]);
    const lines = runs.flatMap((run) => run.lines);
    const naming = lines.filter((line) => JSON.stringify(line).includes('dynamodb:BatchWriteItem'));
    expect(naming).toHaveLength(1);
    expect(naming[0]).toMatchObject({ level: 'WARN', missingAction: 'dynamodb:BatchWriteItem', resource: arn });
    expect(naming[0]?.message).toContain('one request per item instead of one per 25');
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
    const summaries = lines.filter((line) => line.message === 'batch replicated');
    expect(summaries.map((line) => (line.slaves as Array<{ singleItemWrites: number }>)[0]?.singleItemWrites)).toEqual([
      2, 2, 2,
    ]);
  });

  test('one INFO summary line with records, puts, deletes, failures and durationMs', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([
      stream.insert(1, 'a'),
      stream.modify(2, 'a', { v: { N: '2' } }),
      stream.insert(3, 'big'),
      stream.remove(4, 'gone'),
    ]);

    // Act
    const { lines } = await captured(() => handler(event, fakeContext({ functionName: 'replicator-under-test' })));

    // Assess
    const summaries = lines.filter((line) => line.message === 'batch replicated');
    expect(summaries).toHaveLength(1);
    const summary = summaries[0] as LogLine;
    expect(summary).toMatchObject({ level: 'INFO', records: 4, puts: 2, deletes: 1, failures: 1 });
    expect(typeof summary.durationMs).toBe('number');
    expect(summary.durationMs as number).toBeGreaterThanOrEqual(0);
    expect(summary.function_name).toBe('replicator-under-test');
    expect(summary.slaves).toEqual([
      expect.objectContaining({ slave: `${SLAVE.region}/${SLAVE.table}`, itemsWritten: 2, itemsFailed: 1 }),
    ]);
  });

  test('each failed record gets a line with its sequenceNumber, eventName, keys and reason', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([
      stream.insert(1, 'big'),
      stream.insert(2, 'c', { v: { N: 'twelve' } }),
      stream.modify(3, 'c'),
      stream.insert(4, 'fine'),
    ]);

    // Act
    const { lines } = await captured(() => handler(event, fakeContext()));

    // Assess
    const failures = lines.filter((line) => line.message === 'record not replicated');
    expect(failures.map((line) => line.sequenceNumber).sort()).toEqual([seq(1), seq(2), seq(3)]);
    const byNumber = new Map(failures.map((line) => [line.sequenceNumber, line]));
    expect(byNumber.get(seq(1))).toMatchObject({
      level: 'ERROR',
      eventName: 'INSERT',
      keys: { pk: { S: 'big' } },
      errorName: 'SlaveWriteError',
      reason: `slave ${SLAVE.region}/${SLAVE.table}: ValidationException: ${ITEM_TOO_LARGE}`,
    });
    expect(byNumber.get(seq(2))).toMatchObject({
      level: 'ERROR',
      eventName: 'INSERT',
      keys: { pk: { S: 'c' } },
      errorName: 'InvalidRecordError',
      reason: 'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
    });
    expect(byNumber.get(seq(3))).toMatchObject({
      level: 'WARN',
      eventName: 'MODIFY',
      keys: { pk: { S: 'c' } },
      errorName: 'BlockedByEarlierFailureError',
    });
  });

  test('values of non-key attributes never appear in the output at INFO level, whatever fails', async () => {
    // Prepare: the marker is in every non-key value, new and old, valid and invalid, of records that succeed,
    // fail at the slave, fail in planning and are blocked, and in the item read from the master for a KEYS_ONLY record.
    const marker = 'SECRET-7f3a9c';
    refuseBigItem();
    const attributes = {
      note: { S: `${marker} note` },
      nested: { M: { deep: { L: [{ S: marker }, { SS: [marker] }] } } },
      blob: { B: Buffer.from(marker).toString('base64') },
    };
    const event = streamEvent([
      stream.insert(1, 'ok', attributes),
      modifyRecord(seq(2), keyOf('big'), imageOf('big', attributes), imageOf('big', attributes)),
      stream.insert(3, 'bad', { ...attributes, count: { N: marker } }),
      modifyRecord(seq(4), keyOf('bad'), imageOf('bad', attributes), imageOf('bad', attributes)),
      removeRecord(seq(5), keyOf('gone'), imageOf('gone', attributes)),
      stream.keysOnlyInsert(6, 'keys-only'),
    ]);
    ddb.on(BatchGetItemCommand).resolves({ Responses: { Master: [{ pk: { S: 'keys-only' }, note: { S: marker } }] } });

    // Act
    const { output, lines, result } = await captured(() => handler(event, fakeContext()));

    // Assess: the run did log failures (so the check below looked at real failure lines), without the marker.
    expect(failedSequenceNumbers(result)).toEqual([seq(2), seq(3), seq(4)]);
    expect(lines.filter((line) => line.message === 'record not replicated')).toHaveLength(3);
    expect(ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.note?.S)).toContain(marker);
    expect(output).not.toContain(marker);
    expect(output).not.toContain(Buffer.from(marker).toString('base64'));
  });
});

describe('handler: an invocation that ends after its deadline', () => {
  test('logs one ERROR with the overrun, naming the cause and verify; an invocation in time logs none', async () => {
    // Prepare: 350 ms left, of which 300 are kept back; the slave answers after 400 ms, past the deadline
    ddb
      .on(BatchWriteItemCommand)
      .callsFake(() => new Promise((resolve) => setTimeout(() => resolve({ UnprocessedItems: {} }), 400)));
    const late = { ...fakeContext(), getRemainingTimeInMillis: () => 350 };
    const event = streamEvent([stream.insert(1, 'a')]);

    // Act
    const overran = await captured(() => handler(event, late));
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: {} });
    const inTime = await captured(() => handler(event, fakeContext()));

    // Assess
    const errors = (run: { lines: LogLine[] }) => run.lines.filter((line) => line.level === 'ERROR');
    expect(errors(overran)).toHaveLength(1);
    expect(errors(overran)[0]?.message).toContain("ended after Lambda's deadline");
    expect(errors(overran)[0]?.message).toContain('dynamo-replicator verify');
    expect(Number(errors(overran)[0]?.overrunMs)).toBeGreaterThan(0);
    expect(errors(inTime)).toEqual([]);
  });
});
