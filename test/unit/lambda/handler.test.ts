import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext } from '../../../harness/context';
import {
  imageOf,
  insertRecord,
  keyOf,
  keysOnlyInsertRecord,
  loadFixture,
  modifyRecord,
  removeRecord,
  seq,
  streamEvent,
} from '../../../harness/records';
import { createHandler, type ReplicatorHandler } from '../../../src/lambda/handler';
import { InvalidEventError, ReplicationLoopError } from '../../../src/replicator/errors';
import { MasterReader } from '../../../src/replicator/master';
import { type RetryOptions, Slave } from '../../../src/replicator/slave';
import type { SlaveTarget } from '../../../src/replicator/types';
import { awsError, refuseItem } from '../../helpers/sdkMocks';

const FAST_RETRY: RetryOptions = { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.5 };
const SLAVE: SlaveTarget = { region: 'eu-west-1', table: 'OrdersReplica' };
const ITEM_TOO_LARGE = 'Item size has exceeded the maximum allowed size';

/** One JSON log line as Powertools Logger prints it. */
interface LogLine {
  level: string;
  message: string;
  [attribute: string]: unknown;
}

/** What an invocation returned or threw, and everything it printed on stdout and stderr. */
interface Invocation<T> {
  readonly result: T | undefined;
  readonly error: unknown;
  readonly output: string;
  readonly lines: LogLine[];
}

/** Runs `act` with stdout and stderr captured (Powertools Logger prints its JSON lines there). */
async function captured<T>(act: () => Promise<T>): Promise<Invocation<T>> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  let result: T | undefined;
  let error: unknown;
  try {
    result = await act();
  } catch (thrown) {
    error = thrown;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const output = chunks.join('');
  const lines = output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
  return { result, error, output, lines };
}

function failedSequenceNumbers(result: { batchItemFailures: { itemIdentifier: string }[] } | undefined): string[] {
  return (result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier).sort();
}

const ddb = mockClient(DynamoDBClient);
let client: DynamoDBClient;
let handler: ReplicatorHandler;

/** The slave refuses the item with `pk = "big"` (as DynamoDB refuses an item over 400 KB) and takes the others. */
function refuseBigItem(): void {
  refuseItem(ddb, 'big', ITEM_TOO_LARGE);
  ddb.on(DeleteItemCommand).resolves({});
}

beforeAll(() => {
  // With POWERTOOLS_DEV set, the logger would print through Jest's console instead of stdout.
  delete process.env.POWERTOOLS_DEV;
});

beforeEach(() => {
  ddb.reset();
  client = new DynamoDBClient({
    region: SLAVE.region,
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
  });
  const logger = new Logger({ serviceName: 'dynamo-replicator-test', logLevel: 'INFO' });
  const master = new MasterReader(() => client, 4, FAST_RETRY);
  handler = createHandler({
    replication: { slaves: [new Slave(client, SLAVE, 4, FAST_RETRY)], master, replicateTtlDeletes: true },
    logger,
  });
});

afterEach(() => {
  client.destroy();
});

describe('handler: the partial batch response', () => {
  test('reports exactly the failed records by sequence number', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([
      insertRecord(seq(1), keyOf('a'), imageOf('a')),
      insertRecord(seq(2), keyOf('big'), imageOf('big')),
      modifyRecord(seq(3), keyOf('big'), imageOf('big', { v: { N: '3' } })),
      insertRecord(seq(4), keyOf('c'), imageOf('c', { v: { N: 'not a number' } })),
      removeRecord(seq(5), keyOf('d')),
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
      insertRecord(seq(1), keyOf('a'), imageOf('a', { blob: { B: 'not base64!' } })),
      insertRecord(seq(2), keyOf('b'), imageOf('b', { v: { N: 'NaN' } })),
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
    const event = streamEvent([insertRecord(seq(1), keyOf('a'), imageOf('a'), { eventSourceARN: arn })]);

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
    const event = streamEvent([insertRecord(seq(1), keyOf('a'), imageOf('a'), { eventSourceARN: arn })]);

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
  });

  test('a failed record without SequenceNumber fails the whole invocation (it cannot be reported alone)', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const orphan = insertRecord(seq(2), keyOf('b'), imageOf('b'));
    if (orphan.dynamodb) delete orphan.dynamodb.SequenceNumber;
    const event = streamEvent([insertRecord(seq(1), keyOf('a'), imageOf('a')), orphan]);

    // Act
    const { result, error } = await captured(() => handler(event, fakeContext()));

    // Assess
    expect(result).toBeUndefined();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toContain('SequenceNumber');
  });
});

describe('handler: logs', () => {
  test('one INFO summary line with records, puts, deletes, failures and durationMs', async () => {
    // Prepare
    refuseBigItem();
    const event = streamEvent([
      insertRecord(seq(1), keyOf('a'), imageOf('a')),
      modifyRecord(seq(2), keyOf('a'), imageOf('a', { v: { N: '2' } })),
      insertRecord(seq(3), keyOf('big'), imageOf('big')),
      removeRecord(seq(4), keyOf('gone')),
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
      insertRecord(seq(1), keyOf('big'), imageOf('big')),
      insertRecord(seq(2), keyOf('c'), imageOf('c', { v: { N: 'twelve' } })),
      modifyRecord(seq(3), keyOf('c'), imageOf('c')),
      insertRecord(seq(4), keyOf('fine'), imageOf('fine')),
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
      insertRecord(seq(1), keyOf('ok'), imageOf('ok', attributes)),
      modifyRecord(seq(2), keyOf('big'), imageOf('big', attributes), imageOf('big', attributes)),
      insertRecord(seq(3), keyOf('bad'), imageOf('bad', { ...attributes, count: { N: marker } })),
      modifyRecord(seq(4), keyOf('bad'), imageOf('bad', attributes), imageOf('bad', attributes)),
      removeRecord(seq(5), keyOf('gone'), imageOf('gone', attributes)),
      keysOnlyInsertRecord(seq(6), keyOf('keys-only')),
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
    const event = streamEvent([
      keysOnlyInsertRecord(seq(1), keyOf('a')),
      insertRecord(seq(2), keyOf('b'), imageOf('b')),
    ]);

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
    const event = streamEvent([keysOnlyInsertRecord(seq(1), keyOf('gone'))]);

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
    const logger = new Logger({ serviceName: 'dynamo-replicator-test', logLevel: 'INFO' });
    const master = new MasterReader(() => client, 4, FAST_RETRY);
    const skipping = createHandler({
      replication: { slaves: [new Slave(client, SLAVE, 4, FAST_RETRY)], master, replicateTtlDeletes: false },
      logger,
    });
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
