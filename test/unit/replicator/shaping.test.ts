/**
 * Hooks and excluded attributes in the replication core (replicateBatch with a Shaping): they shape each item's
 * final put, a filtered-out item is deleted, a hook's failure fails every record its write carries and nothing else,
 * REMOVE records are never hooked, and KEYS_ONLY items are hooked as read from the master.
 */
import { BatchGetItemCommand, BatchWriteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { seq, stream, streamEvent } from '../../../harness/records';
import { MasterReader } from '../../../src/replicator/master';
import { type Replication, replicateBatch } from '../../../src/replicator/replicate';
import { createShaping, ExcludedKeyAttributeError, type ShapingOptions } from '../../../src/replicator/shaping';
import { Slave } from '../../../src/replicator/slave';
import type { StreamRecord, WriteChange } from '../../../src/replicator/types';
import { type Budget, startBudget } from '../../../src/shared/budget';
import { HookError } from '../../../src/shared/hooks';
import type { Item } from '../../../src/shared/item';
import { FAST_RETRY, unitClient } from '../../helpers/sdkMocks';

const SLAVE = { region: 'eu-west-1', table: 'Orders' };

const clients: DynamoDBClient[] = [];
let budget: Budget & { dispose(): void };
let slaveMock: AwsClientStub<DynamoDBClient>;
let masterMock: AwsClientStub<DynamoDBClient>;

/** Replication to one mocked slave (accepting every write) with `options`' shaping, reading a mocked master. */
function replicationWith(options: Omit<ShapingOptions, 'excludeSetting'>): Replication {
  const slaveClient = unitClient(SLAVE.region);
  const masterClient = unitClient('us-east-1');
  clients.push(slaveClient, masterClient);
  slaveMock = mockClient(slaveClient);
  slaveMock.on(BatchWriteItemCommand).resolves({});
  masterMock = mockClient(masterClient);
  const shaping = createShaping({ ...options, excludeSetting: 'EXCLUDE_ATTRIBUTES' });
  return {
    slaves: [new Slave(slaveClient, SLAVE, 4, FAST_RETRY)],
    master: new MasterReader(() => masterClient, 4, FAST_RETRY),
    replicateTtlDeletes: true,
    ...(shaping ? { shaping } : {}),
  };
}

/** Every write request the slave received, across calls. */
function sentToSlave(): unknown[] {
  return slaveMock.commandCalls(BatchWriteItemCommand).flatMap((call) => call.args[0].input.RequestItems?.Orders ?? []);
}

function failedSequenceNumbers(failures: ReadonlyMap<StreamRecord, Error>): (string | undefined)[] {
  return [...failures.keys()].map((record) => record.dynamodb?.SequenceNumber).sort();
}

beforeEach(() => {
  budget = startBudget(60_000);
});

afterEach(() => {
  budget.dispose();
  for (const client of clients.splice(0)) client.destroy();
});

describe('replicateBatch with hooks', () => {
  test('an item leaving the filter is deleted on the slave, one entering it is put', async () => {
    // Prepare: the filter keeps items whose status is "open"
    const replication = replicationWith({ hooks: { filter: (item) => item.status?.S === 'open' } });
    const records = streamEvent([
      stream.modify(1, 'leaving', { status: { S: 'closed' } }),
      stream.modify(2, 'entering', { status: { S: 'open' } }),
    ]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(sentToSlave()).toEqual([
      { DeleteRequest: { Key: { pk: { S: 'leaving' } } } },
      { PutRequest: { Item: { pk: { S: 'entering' }, status: { S: 'open' } } } },
    ]);
    expect(outcome).toMatchObject({ puts: 1, deletes: 1 });
  });

  test('the filter judges the item’s final state in the batch, given the record that state comes from', async () => {
    // Prepare
    const seen: [string | undefined, string | undefined][] = [];
    const replication = replicationWith({
      hooks: {
        filter: (item, record) => {
          seen.push([item.status?.S, record?.dynamodb?.SequenceNumber]);
          return true;
        },
      },
    });
    const records = streamEvent([
      stream.insert(1, 'a', { status: { S: 'first' } }),
      stream.modify(2, 'a', { status: { S: 'last' } }),
    ]).Records;

    // Act
    await replicateBatch(records, replication, budget);

    // Assess
    expect(seen).toEqual([['last', seq(2)]]);
  });

  test('a transform that keeps the key is written as it returns the item', async () => {
    // Prepare: the transform drops `secret` and adds `copied`
    const transform = ({ secret: _secret, ...rest }: Item): Item => ({ ...rest, copied: { BOOL: true } });
    const replication = replicationWith({ hooks: { transform } });
    const records = streamEvent([stream.insert(1, 'a', { secret: { S: 's' }, n: { N: '1.50' } })]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(sentToSlave()).toEqual([
      { PutRequest: { Item: { pk: { S: 'a' }, n: { N: '1.50' }, copied: { BOOL: true } } } },
    ]);
  });

  test('a transform that changes the key fails that record alone, naming the key; its batch-mates land', async () => {
    // Prepare
    const transform = (item: Item): Item => (item.pk?.S === 'bad' ? { ...item, pk: { S: 'moved' } } : item);
    const replication = replicationWith({ hooks: { transform } });
    const records = streamEvent([stream.insert(1, 'good'), stream.insert(2, 'bad'), stream.insert(3, 'fine')]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(failedSequenceNumbers(outcome.failures)).toEqual([seq(2)]);
    const error = [...outcome.failures.values()][0];
    expect(error).toBeInstanceOf(HookError);
    expect(error?.message).toContain('transform changed the key attribute(s) pk of the item pk="bad"');
    expect(sentToSlave()).toEqual([
      { PutRequest: { Item: { pk: { S: 'good' } } } },
      { PutRequest: { Item: { pk: { S: 'fine' } } } },
    ]);
  });

  test('a hook that throws fails every record of the item in the batch (the later ones too), and writes nothing for it', async () => {
    // Prepare
    const filter = (item: Item): boolean => {
      if (item.pk?.S === 'a') throw new Error('no region for this customer');
      return true;
    };
    const replication = replicationWith({ hooks: { filter } });
    const records = streamEvent([
      stream.insert(1, 'a', { v: { N: '1' } }),
      stream.insert(2, 'b'),
      stream.modify(3, 'a', { v: { N: '2' } }),
    ]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(failedSequenceNumbers(outcome.failures)).toEqual([seq(1), seq(3)]);
    for (const error of outcome.failures.values()) {
      expect(error.message).toBe('filter threw for the item pk="a": no region for this customer');
    }
    expect(sentToSlave()).toEqual([{ PutRequest: { Item: { pk: { S: 'b' } } } }]);
  });

  test('REMOVE records never reach the hooks: the item is deleted even when a filter or transform would fail', async () => {
    // Prepare
    const boom = (): never => {
      throw new Error('must not be called');
    };
    const replication = replicationWith({ hooks: { filter: boom, transform: boom } });
    const records = streamEvent([stream.insert(1, 'a'), stream.remove(2, 'a'), stream.remove(3, 'b')]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(sentToSlave()).toEqual([
      { DeleteRequest: { Key: { pk: { S: 'a' } } } },
      { DeleteRequest: { Key: { pk: { S: 'b' } } } },
    ]);
  });

  test('on a KEYS_ONLY stream the hooks see the item as read from the master, and shape its put', async () => {
    // Prepare
    const seen: Item[] = [];
    const replication = replicationWith({
      hooks: {
        transform: (item) => {
          seen.push(item);
          return { pk: item.pk as Item[string], kept: { S: 'yes' } };
        },
      },
    });
    masterMock
      .on(BatchGetItemCommand)
      .resolves({ Responses: { Master: [{ pk: { S: 'here' }, v: { S: 'from master' } }] } });
    const records = streamEvent([stream.keysOnlyInsert(1, 'here')]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(seen).toEqual([{ pk: { S: 'here' }, v: { S: 'from master' } }]);
    expect(sentToSlave()).toEqual([{ PutRequest: { Item: { pk: { S: 'here' }, kept: { S: 'yes' } } } }]);
  });
});

describe('replicateBatch with excluded attributes', () => {
  test('the excluded attributes are dropped from every put, after the user’s transform', async () => {
    // Prepare: the transform adds an attribute that is excluded too
    const replication = replicationWith({
      hooks: { transform: (item) => ({ ...item, email: { S: 'added@example.com' } }) },
      excludeAttributes: ['ssn', 'email'],
    });
    const records = streamEvent([stream.insert(1, 'a', { ssn: { S: '123' }, name: { S: 'Ann' } })]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(sentToSlave()).toEqual([{ PutRequest: { Item: { pk: { S: 'a' }, name: { S: 'Ann' } } } }]);
  });

  test('a record whose Keys name an excluded attribute fails with a message naming EXCLUDE_ATTRIBUTES, deletes too', async () => {
    // Prepare
    const replication = replicationWith({ excludeAttributes: ['pk'] });
    const records = streamEvent([stream.insert(1, 'a'), stream.remove(2, 'b')]).Records;

    // Act
    const outcome = await replicateBatch(records, replication, budget);

    // Assess
    expect(failedSequenceNumbers(outcome.failures)).toEqual([seq(1), seq(2)]);
    for (const error of outcome.failures.values()) {
      expect(error).toBeInstanceOf(ExcludedKeyAttributeError);
      expect(error.message).toContain('EXCLUDE_ATTRIBUTES names the key attribute(s) pk');
    }
    expect(sentToSlave()).toEqual([]);
  });
});

describe('createShaping', () => {
  test('without hooks or excluded attributes there is no shaping at all (replication does nothing extra)', () => {
    // Act
    const shaping = createShaping({ hooks: {}, excludeAttributes: [], excludeSetting: 'EXCLUDE_ATTRIBUTES' });

    // Assess
    expect(shaping).toBeUndefined();
  });

  test('a filter returning false turns a put into a delete of the same key', () => {
    // Prepare
    const shaping = createShaping({ hooks: { filter: () => false }, excludeSetting: 'excludeAttributes' });
    const put: WriteChange = { kind: 'put', itemKey: 'k', key: { pk: { S: 'a' } }, item: { pk: { S: 'a' } } };

    // Act
    const shaped = shaping?.shape(put, undefined);

    // Assess
    expect(shaped).toEqual({ kind: 'delete', itemKey: 'k', key: { pk: { S: 'a' } } });
  });
});
