import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  DeleteItemCommand,
  DynamoDBClient,
  DynamoDBServiceException,
  PutItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { SlaveWriteError } from '../../../src/replicator/errors';
import { type RetryOptions, Slave } from '../../../src/replicator/slave';
import type { SlaveTarget, WriteChange } from '../../../src/replicator/types';
import { BATCH_WRITE_LIMIT } from '../../../src/shared/batchLimits';
import { type Budget, startBudget } from '../../../src/shared/budget';
import type { Item } from '../../../src/shared/item';
import { itemKeyOf, pickKey } from '../../../src/shared/key';

const TARGET: SlaveTarget = { region: 'eu-west-1', table: 'SlaveOrders' };
/** Tiny backoff so retries take milliseconds; the jitter source is fixed so runs are alike. */
const FAST_RETRY: RetryOptions = { baseDelayMs: 1, maxDelayMs: 4, random: () => 0.5 };

/** A DynamoDB error as the SDK raises it. */
function awsError(name: string, message: string, httpStatusCode = 400): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name,
    message,
    $fault: httpStatusCode >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode },
  });
}

function putChange(id: string, attributes: Item = {}): WriteChange {
  const key: Item = { pk: { S: id } };
  return { kind: 'put', itemKey: itemKeyOf(key), key, item: { ...key, ...attributes } };
}

function deleteChange(id: string): WriteChange {
  const key: Item = { pk: { S: id } };
  return { kind: 'delete', itemKey: itemKeyOf(key), key };
}

/** The write requests of one BatchWriteItem input, for the slave table. */
function requestsOf(input: BatchWriteItemCommandInput): WriteRequest[] {
  return input.RequestItems?.[TARGET.table] ?? [];
}

/** The item identity each write request is about (key schema `pk`). */
function itemKeysOf(requests: readonly WriteRequest[]): string[] {
  return requests.map((request) =>
    itemKeyOf(request.DeleteRequest?.Key ?? pickKey(request.PutRequest?.Item ?? {}, ['pk'])),
  );
}

const ddb = mockClient(DynamoDBClient);
let client: DynamoDBClient;
let budget: Budget & { dispose(): void };

beforeEach(() => {
  ddb.reset();
  client = new DynamoDBClient({
    region: TARGET.region,
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
  });
  budget = startBudget(60_000);
});

afterEach(() => {
  budget.dispose();
  client.destroy();
});

describe('Slave.write: batching', () => {
  test('60 changes → 3 BatchWriteItem calls of at most 25 writes, no item twice in a call, every item once', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const changes = Array.from({ length: 60 }, (_, index) =>
      index % 3 === 0 ? deleteChange(`item-${index}`) : putChange(`item-${index}`, { n: { N: String(index) } }),
    );
    const slave = new Slave(client, TARGET, 4, FAST_RETRY);

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    const calls = ddb.commandCalls(BatchWriteItemCommand).map((call) => requestsOf(call.args[0].input));
    expect(calls).toHaveLength(3);
    for (const requests of calls) {
      expect(requests.length).toBeLessThanOrEqual(BATCH_WRITE_LIMIT);
      expect(new Set(itemKeysOf(requests)).size).toBe(requests.length);
    }
    const written = calls.flatMap(itemKeysOf).sort();
    expect(written).toEqual(changes.map((change) => change.itemKey).sort());
    expect(result.failures.size).toBe(0);
    expect(result.requests).toBe(3);
    expect(result.retries).toBe(0);
  });

  test('puts carry the item and deletes carry the key, binary as bytes', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const bytes = new Uint8Array([0, 255, 128]);
    const changes = [putChange('a', { blob: { B: bytes } }), deleteChange('b')];
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    await slave.write(changes, budget);

    // Assess
    const input = ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input as BatchWriteItemCommandInput;
    expect(Object.keys(input.RequestItems ?? {})).toEqual([TARGET.table]);
    expect(requestsOf(input)).toEqual([
      { PutRequest: { Item: { pk: { S: 'a' }, blob: { B: bytes } } } },
      { DeleteRequest: { Key: { pk: { S: 'b' } } } },
    ]);
  });

  test("every call carries the budget's abort signal, so a hung call ends with the budget", async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    await slave.write([putChange('a')], budget);

    // Assess
    // The mock types `args` as the command alone; the SDK passes the send options second.
    const args: readonly unknown[] = ddb.commandCalls(BatchWriteItemCommand)[0]?.args ?? [];
    const options = args[1];
    expect(options).toEqual({ abortSignal: budget.signal });
  });

  test('no changes → no call', async () => {
    // Prepare
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([], budget);

    // Assess
    expect(ddb.calls()).toHaveLength(0);
    expect(result).toEqual({ failures: new Map(), requests: 0, retries: 0 });
  });

  test('at most `concurrency` BatchWriteItem calls are in flight at once', async () => {
    // Prepare
    let inFlight = 0;
    let maxInFlight = 0;
    ddb.on(BatchWriteItemCommand).callsFake(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return {};
    });
    const changes = Array.from({ length: 6 * BATCH_WRITE_LIMIT }, (_, index) => putChange(`item-${index}`));
    const slave = new Slave(client, TARGET, 2, FAST_RETRY);

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(6);
    expect(maxInFlight).toBe(2);
    expect(result.failures.size).toBe(0);
  });
});

describe('Slave.write: UnprocessedItems', () => {
  test('are sent again until none is left; requests and retries are counted', async () => {
    // Prepare
    const changes = [putChange('a'), putChange('b'), deleteChange('c'), putChange('d')];
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);
    const unprocessedOf = (ids: string[]) => ({
      UnprocessedItems: {
        [TARGET.table]: ids.map((id) =>
          id === 'c' ? { DeleteRequest: { Key: { pk: { S: id } } } } : { PutRequest: { Item: { pk: { S: id } } } },
        ),
      },
    });
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce(unprocessedOf(['b', 'c', 'd']))
      .resolvesOnce(unprocessedOf(['c']))
      .resolves({ UnprocessedItems: {} });

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    const calls = ddb.commandCalls(BatchWriteItemCommand).map((call) => itemKeysOf(requestsOf(call.args[0].input)));
    expect(calls).toEqual([
      ['a', 'b', 'c', 'd'].map((id) => itemKeyOf({ pk: { S: id } })),
      ['b', 'c', 'd'].map((id) => itemKeyOf({ pk: { S: id } })),
      [itemKeyOf({ pk: { S: 'c' } })],
    ]);
    expect(result.failures.size).toBe(0);
    expect(result.requests).toBe(3);
    expect(result.retries).toBe(2);
  });

  test('map back to their items when the key has a binary sort key and a number written differently', async () => {
    // Prepare
    const key = (n: string, byte: number): Item => ({ n: { N: n }, b: { B: new Uint8Array([byte, 0xff]) } });
    const items = [1, 2].map((byte): Item => ({ ...key('1.5', byte), v: { S: 'x' } }));
    const changes: WriteChange[] = [1, 2].map((byte, index) => ({
      kind: 'put',
      itemKey: itemKeyOf(key('1.5', byte)),
      key: key('1.5', byte),
      item: items[index] as Item,
    }));
    // DynamoDB answers with its own copy: bytes in a Buffer, the number in another form.
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({
        UnprocessedItems: {
          [TARGET.table]: [
            { PutRequest: { Item: { v: { S: 'x' }, b: { B: Buffer.from([2, 0xff]) }, n: { N: '15e-1' } } } },
          ],
        },
      })
      .resolves({});
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    const second = ddb.commandCalls(BatchWriteItemCommand)[1]?.args[0].input as BatchWriteItemCommandInput;
    expect(requestsOf(second)).toEqual([{ PutRequest: { Item: items[1] } }]);
    expect(result.failures.size).toBe(0);
  });

  test('left unprocessed forever → those items fail with a "time budget" message once a short budget ends', async () => {
    // Prepare
    const shortBudget = startBudget(400); // 100 ms usable after the reserve
    const changes = [putChange('a'), putChange('b'), putChange('c')];
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      const requests = requestsOf(input);
      const stuck = requests.filter((request) => request.PutRequest?.Item?.pk?.S !== 'a');
      return { UnprocessedItems: { [TARGET.table]: stuck } };
    });
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write(changes, shortBudget).finally(() => shortBudget.dispose());

    // Assess
    expect([...result.failures.keys()].sort()).toEqual([changes[1]?.itemKey, changes[2]?.itemKey].sort());
    for (const error of result.failures.values()) {
      expect(error).toBeInstanceOf(SlaveWriteError);
      expect(error.message).toContain(`slave ${TARGET.region}/${TARGET.table}`);
      expect(error.message).toContain('time budget');
      expect(error.message).toContain('UnprocessedItems');
    }
    expect(result.retries).toBeGreaterThan(0);
    expect(result.requests).toBe(result.retries + 1);
  });
});

describe('Slave.write: errors', () => {
  test('ValidationException on a batch → writes one by one; only the bad item fails, with DynamoDB’s message', async () => {
    // Prepare
    const itemTooLarge = 'Item size has exceeded the maximum allowed size';
    ddb.on(BatchWriteItemCommand).rejects(awsError('ValidationException', itemTooLarge));
    ddb.on(PutItemCommand).callsFake(async (input: { Item?: Item }) => {
      if (input.Item?.pk?.S === 'huge') throw awsError('ValidationException', itemTooLarge);
      return {};
    });
    ddb.on(DeleteItemCommand).resolves({});
    const changes = [putChange('a'), putChange('huge'), deleteChange('c'), putChange('d')];
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    expect([...result.failures.keys()]).toEqual([changes[1]?.itemKey]);
    const error = result.failures.get(changes[1]?.itemKey as string);
    expect(error?.message).toBe(`slave ${TARGET.region}/${TARGET.table}: ValidationException: ${itemTooLarge}`);
    const puts = ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input);
    expect(puts.map((input) => input.Item?.pk?.S).sort()).toEqual(['a', 'd', 'huge']);
    expect(puts.every((input) => input.TableName === TARGET.table)).toBe(true);
    expect(ddb.commandCalls(DeleteItemCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: TARGET.table, Key: { pk: { S: 'c' } } },
    ]);
    expect(result.requests).toBe(1 + 4);
  });

  test('ValidationException on a single-item batch fails that item at once', async () => {
    // Prepare
    ddb
      .on(BatchWriteItemCommand)
      .rejects(awsError('ValidationException', 'Type mismatch for key pk expected: N actual: S'));
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a')], budget);

    // Assess
    expect(result.failures.get(putChange('a').itemKey)?.message).toContain('Type mismatch for key pk');
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(result.requests).toBe(1);
  });

  test('ResourceNotFoundException → every item fails with a message naming the table and the region, no retry', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    const changes = [putChange('a'), deleteChange('b')];
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write(changes, budget);

    // Assess
    expect(result.failures.size).toBe(2);
    for (const error of result.failures.values()) {
      expect(error.message).toContain(`table ${TARGET.table} not found in region ${TARGET.region}`);
    }
    expect(result.requests).toBe(1);
    expect(result.retries).toBe(0);
  });

  test.each(['AccessDeniedException', 'UnrecognizedClientException'])(
    '%s → the message names the permission dynamodb:BatchWriteItem and the table',
    async (name) => {
      // Prepare
      ddb.on(BatchWriteItemCommand).rejects(awsError(name, 'not authorized to perform: dynamodb:BatchWriteItem'));
      const slave = new Slave(client, TARGET, 1, FAST_RETRY);

      // Act
      const result = await slave.write([putChange('a')], budget);

      // Assess
      const message = result.failures.get(putChange('a').itemKey)?.message ?? '';
      expect(message).toContain('dynamodb:BatchWriteItem');
      expect(message).toContain(`table ${TARGET.table} in ${TARGET.region}`);
      expect(result.requests).toBe(1);
    },
  );

  test('an unknown client error fails the items with its name and message, without retrying', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(awsError('SomethingNewException', 'a new kind of refusal'));
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a')], budget);

    // Assess
    expect(result.failures.get(putChange('a').itemKey)?.message).toBe(
      `slave ${TARGET.region}/${TARGET.table}: SomethingNewException: a new kind of refusal`,
    );
    expect(result.retries).toBe(0);
  });

  const transientErrors: [string, unknown][] = [
    ['InternalServerError (500)', awsError('InternalServerError', 'Internal server error', 500)],
    ['an unnamed 503', awsError('Unknown', 'Service Unavailable', 503)],
    [
      'ProvisionedThroughputExceededException',
      awsError('ProvisionedThroughputExceededException', 'throughput exceeded'),
    ],
    ['ThrottlingException', awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput.')],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ];

  test.each(transientErrors)('transient %s then success → written, one retry', async (_case, error) => {
    // Prepare
    ddb
      .on(BatchWriteItemCommand)
      .rejectsOnce(error as Error)
      .resolves({});
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a'), putChange('b')], budget);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(result.requests).toBe(2);
    expect(result.retries).toBe(1);
    expect(itemKeysOf(requestsOf(ddb.commandCalls(BatchWriteItemCommand)[1]?.args[0].input ?? {}))).toHaveLength(2);
  });

  test('transient errors until a short budget ends → failures naming the time budget and the last error', async () => {
    // Prepare
    const shortBudget = startBudget(400);
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError', 'Internal server error', 500));
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a')], shortBudget).finally(() => shortBudget.dispose());

    // Assess
    const message = result.failures.get(putChange('a').itemKey)?.message ?? '';
    expect(message).toContain('time budget');
    expect(message).toContain('InternalServerError: Internal server error');
    expect(result.retries).toBeGreaterThan(0);
  });

  test('while writing one by one, a transient error on a single write is retried', async () => {
    // Prepare
    ddb
      .on(BatchWriteItemCommand)
      .rejects(awsError('ValidationException', 'Item size has exceeded the maximum allowed size'));
    ddb
      .on(PutItemCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException', 'throughput exceeded'))
      .resolves({});
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a'), putChange('b')], budget);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(3);
    expect(result.retries).toBe(1);
  });

  test('the failure keeps the SDK error as its cause', async () => {
    // Prepare
    const sdkError = awsError('ResourceNotFoundException', 'Requested resource not found');
    ddb.on(BatchWriteItemCommand).rejects(sdkError);
    const slave = new Slave(client, TARGET, 1, FAST_RETRY);

    // Act
    const result = await slave.write([putChange('a')], budget);

    // Assess
    const failure = result.failures.get(putChange('a').itemKey);
    expect(failure?.slave).toBe(`${TARGET.region}/${TARGET.table}`);
    expect(failure?.cause).toBe(sdkError);
  });
});
