import {
  BatchGetItemCommand,
  type BatchGetItemCommandInput,
  DynamoDBClient,
  DynamoDBServiceException,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { MasterReadError } from '../../../src/replicator/errors';
import { type FetchRequest, MasterReader } from '../../../src/replicator/master';
import { BATCH_GET_LIMIT } from '../../../src/shared/batchLimits';
import { type Budget, startBudget } from '../../../src/shared/budget';
import type { Item } from '../../../src/shared/item';
import { itemKeyOf } from '../../../src/shared/key';
import type { TableRef } from '../../../src/shared/tableRef';
import { FAST_RETRY } from '../../helpers/sdkMocks';

const ORDERS: TableRef = { region: 'us-east-1', table: 'Orders' };

function awsError(name: string, message: string, status = 400): DynamoDBServiceException {
  return new DynamoDBServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

/** A request to read item `id` (key `{ pk: { S: id } }`) from `table`. */
function request(id: string, table: TableRef = ORDERS): FetchRequest {
  const key: Item = { pk: { S: id } };
  return { itemKey: itemKeyOf(key), key, table };
}

function itemKey(id: string): string {
  return itemKeyOf({ pk: { S: id } });
}

/** The keys' ids asked for in one BatchGetItem call for `table`. */
function idsAsked(input: BatchGetItemCommandInput, table: string): (string | undefined)[] {
  return (input.RequestItems?.[table]?.Keys ?? []).map((key) => key.pk?.S);
}

const clients: DynamoDBClient[] = [];
let budget: Budget & { dispose(): void };

/** A reader whose client for every region is one mocked client; `regions` records the regions asked for. */
function readerWithMock(): { reader: MasterReader; mock: AwsClientStub<DynamoDBClient>; regions: string[] } {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
  });
  clients.push(client);
  const regions: string[] = [];
  const reader = new MasterReader(
    (region) => {
      regions.push(region);
      return client;
    },
    4,
    FAST_RETRY,
  );
  return { reader, mock: mockClient(client), regions };
}

/** Answers every BatchGetItem with the asked items that `has` says exist, as DynamoDB does (in any order). */
function masterHolding(mock: AwsClientStub<DynamoDBClient>, has: (id: string) => boolean): void {
  mock.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
    const responses: Record<string, Item[]> = {};
    for (const [table, { Keys = [] }] of Object.entries(input.RequestItems ?? {})) {
      responses[table] = Keys.filter((key) => has(key.pk?.S ?? ''))
        .map((key) => ({ ...key, v: { S: `current ${key.pk?.S}` } }))
        .reverse();
    }
    return { Responses: responses };
  });
}

beforeEach(() => {
  budget = startBudget(60_000);
});

afterEach(() => {
  budget.dispose();
  for (const client of clients.splice(0)) client.destroy();
});

describe('MasterReader: what it reads and what it makes of it', () => {
  test('an item the master has becomes a put of its current state; an item it lacks becomes a delete', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    masterHolding(mock, (id) => id === 'here');

    // Act
    const result = await reader.read([request('here'), request('gone')], budget);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(result.writes.get(itemKey('here'))).toEqual({
      kind: 'put',
      itemKey: itemKey('here'),
      key: { pk: { S: 'here' } },
      item: { pk: { S: 'here' }, v: { S: 'current here' } },
    });
    expect(result.writes.get(itemKey('gone'))).toEqual({
      kind: 'delete',
      itemKey: itemKey('gone'),
      key: { pk: { S: 'gone' } },
    });
    expect(result.requests).toBe(1);
  });

  test('reads are strongly consistent, from the table the request names, in the region it names', async () => {
    // Prepare
    const { reader, mock, regions } = readerWithMock();
    masterHolding(mock, () => true);
    const other: TableRef = { region: 'eu-central-1', table: 'Invoices' };

    // Act
    await reader.read([request('a'), request('b', other)], budget);

    // Assess
    const inputs = mock.commandCalls(BatchGetItemCommand).map((call) => call.args[0].input);
    expect(inputs).toHaveLength(2);
    const perTable = new Map(
      inputs.map((input) => Object.entries(input.RequestItems ?? {})[0] as [string, KeysAndAttributes]),
    );
    expect(perTable.get('Orders')).toEqual({ Keys: [{ pk: { S: 'a' } }], ConsistentRead: true });
    expect(perTable.get('Invoices')).toEqual({ Keys: [{ pk: { S: 'b' } }], ConsistentRead: true });
    expect(regions.sort()).toEqual(['eu-central-1', 'us-east-1']);
  });

  test(`150 keys → 2 calls of at most ${BATCH_GET_LIMIT} keys, each key asked once`, async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    masterHolding(mock, (id) => Number(id.slice(1)) % 2 === 0);
    const requests = Array.from({ length: 150 }, (_, index) => request(`k${index}`));

    // Act
    const result = await reader.read(requests, budget);

    // Assess
    const asked = mock.commandCalls(BatchGetItemCommand).map((call) => idsAsked(call.args[0].input, 'Orders'));
    expect(asked.map((ids) => ids.length).sort((a, b) => a - b)).toEqual([50, 100]);
    expect(new Set(asked.flat()).size).toBe(150);
    expect(result.writes.size).toBe(150);
    expect([...result.writes.values()].filter((write) => write.kind === 'put')).toHaveLength(75);
  });

  test('an empty list of requests makes no call', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();

    // Act
    const result = await reader.read([], budget);

    // Assess
    expect(mock.calls()).toHaveLength(0);
    expect(result.writes.size).toBe(0);
  });
});

describe('MasterReader: retries and failures', () => {
  test('UnprocessedKeys are asked for again, and only they', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    mock
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { Orders: [{ pk: { S: 'a' }, v: { S: 'first call' } }] },
        UnprocessedKeys: { Orders: { Keys: [{ pk: { S: 'b' } }, { pk: { S: 'c' } }], ConsistentRead: true } },
      })
      .resolvesOnce({ Responses: { Orders: [{ pk: { S: 'b' }, v: { S: 'second call' } }] } });

    // Act
    const result = await reader.read([request('a'), request('b'), request('c')], budget);

    // Assess
    const asked = mock.commandCalls(BatchGetItemCommand).map((call) => idsAsked(call.args[0].input, 'Orders'));
    expect(asked).toEqual([
      ['a', 'b', 'c'],
      ['b', 'c'],
    ]);
    expect(result.failures.size).toBe(0);
    expect(result.writes.get(itemKey('a'))).toMatchObject({ kind: 'put', item: { v: { S: 'first call' } } });
    expect(result.writes.get(itemKey('b'))).toMatchObject({ kind: 'put', item: { v: { S: 'second call' } } });
    expect(result.writes.get(itemKey('c'))?.kind).toBe('delete');
    expect(result.requests).toBe(2);
  });

  test('throttling is retried until the read succeeds', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    mock
      .on(BatchGetItemCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException', 'throttled'))
      .rejectsOnce(awsError('InternalServerError', 'try again', 500))
      .resolves({ Responses: { Orders: [{ pk: { S: 'a' } }] } });

    // Act
    const result = await reader.read([request('a')], budget);

    // Assess
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(3);
    expect(result.failures.size).toBe(0);
    expect(result.writes.get(itemKey('a'))?.kind).toBe('put');
  });

  test('AccessDenied fails every key of the call at once, naming dynamodb:BatchGetItem, the table and the region', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    mock.on(BatchGetItemCommand).rejects(awsError('AccessDeniedException', 'User is not authorized'));

    // Act
    const result = await reader.read([request('a'), request('b')], budget);

    // Assess
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(result.writes.size).toBe(0);
    expect([...result.failures.keys()].sort()).toEqual([itemKey('a'), itemKey('b')].sort());
    const error = result.failures.get(itemKey('a'));
    expect(error).toBeInstanceOf(MasterReadError);
    expect(error?.message).toBe(
      "master us-east-1/Orders: access denied: on a stream without new images the function's role needs " +
        'dynamodb:BatchGetItem on table Orders in us-east-1 (AccessDeniedException: User is not authorized)',
    );
  });

  test('a failed call fails only its own keys: another table read in the same batch still succeeds', async () => {
    // Prepare
    const { reader, mock } = readerWithMock();
    mock.on(BatchGetItemCommand).callsFake(async (input: BatchGetItemCommandInput) => {
      if (input.RequestItems?.Missing) throw awsError('ResourceNotFoundException', 'Requested resource not found');
      return { Responses: { Orders: [{ pk: { S: 'a' } }] } };
    });

    // Act
    const result = await reader.read([request('a'), request('b', { region: 'us-east-1', table: 'Missing' })], budget);

    // Assess
    expect(result.writes.get(itemKey('a'))?.kind).toBe('put');
    expect(result.failures.get(itemKey('b'))?.message).toContain('master table Missing not found in region us-east-1');
  });

  test('keys still unprocessed when the time budget is over fail with a reason saying so', async () => {
    // Prepare: a budget already at its deadline allows the first call and no retry.
    const { reader, mock } = readerWithMock();
    mock.on(BatchGetItemCommand).resolves({
      Responses: { Orders: [] },
      UnprocessedKeys: { Orders: { Keys: [{ pk: { S: 'a' } }], ConsistentRead: true } },
    });
    const spent: Budget = { remainingMs: () => -1, signal: new AbortController().signal };

    // Act
    const result = await reader.read([request('a')], spent);

    // Assess
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(1);
    expect(result.writes.size).toBe(0);
    expect(result.failures.get(itemKey('a'))?.message).toBe(
      "master us-east-1/Orders: not read before the invocation's time budget ran out; last answer: UnprocessedKeys (throttled)",
    );
  });
});
