import { BatchGetItemCommand, BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import {
  BlockedByEarlierFailureError,
  InvalidRecordError,
  MasterReadError,
  SlaveWriteError,
} from '../../../src/replicator/errors';
import { MasterReader } from '../../../src/replicator/master';
import type { Replication } from '../../../src/replicator/replicate';
import { replicateBatch } from '../../../src/replicator/replicate';
import { Slave } from '../../../src/replicator/slave';
import type { SlaveTarget, StreamRecord } from '../../../src/replicator/types';
import { type Budget, startBudget } from '../../../src/shared/budget';
import { awsError, FAST_RETRY, refuseItem as refuseMockedItem, unitClient } from '../../helpers/sdkMocks';

/** Replication to these slaves; no record in these tests needs the master. */
function replicationTo(slaves: Slave[]): Replication {
  const master = new MasterReader(() => {
    throw new Error('no master read expected');
  }, 1);
  return { slaves, master, replicateTtlDeletes: true };
}

import { seq, stream, streamEvent } from '../../../harness/records';

const EUROPE: SlaveTarget = { region: 'eu-west-1', table: 'OrdersEurope' };
const ASIA: SlaveTarget = { region: 'ap-southeast-2', table: 'OrdersAsia' };

/** Makes a slave's client refuse the item with key `pk = badId` (as DynamoDB refuses an item too large). */
function refuseItem(mock: AwsClientStub<DynamoDBClient>, badId: string): void {
  refuseMockedItem(mock, badId, 'Item size has exceeded the maximum allowed size');
}

function sequenceNumbersOf(records: Iterable<StreamRecord>): (string | undefined)[] {
  return [...records].map((record) => record.dynamodb?.SequenceNumber).sort();
}

const clients: DynamoDBClient[] = [];
let budget: Budget & { dispose(): void };

function slaveWithMock(target: SlaveTarget): { slave: Slave; mock: AwsClientStub<DynamoDBClient> } {
  const client = unitClient(target.region);
  clients.push(client);
  return { slave: new Slave(client, target, 4, FAST_RETRY), mock: mockClient(client) };
}

beforeEach(() => {
  budget = startBudget(60_000);
});

afterEach(() => {
  budget.dispose();
  for (const client of clients.splice(0)) client.destroy();
});

describe('replicateBatch', () => {
  test('every slave gets every item; nothing fails when every slave takes it', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    const asia = slaveWithMock(ASIA);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    asia.mock.on(BatchWriteItemCommand).resolves({});
    const records = streamEvent([
      stream.insert(1, 'a'),
      stream.modify(2, 'a', { v: { N: '2' } }),
      stream.remove(3, 'b'),
    ]).Records;

    // Act
    const outcome = await replicateBatch(records, replicationTo([europe.slave, asia.slave]), budget);

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(outcome.puts).toBe(1);
    expect(outcome.deletes).toBe(1);
    for (const { mock, target } of [
      { mock: europe.mock, target: EUROPE },
      { mock: asia.mock, target: ASIA },
    ]) {
      const calls = mock.commandCalls(BatchWriteItemCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]?.args[0].input.RequestItems?.[target.table]).toHaveLength(2);
    }
    expect(outcome.slaves).toEqual([
      {
        slave: 'eu-west-1/OrdersEurope',
        itemsWritten: 2,
        itemsFailed: 0,
        requests: 1,
        retries: 0,
        singleItemWrites: 0,
        recordsReplicated: 3,
      },
      {
        slave: 'ap-southeast-2/OrdersAsia',
        itemsWritten: 2,
        itemsFailed: 0,
        requests: 1,
        retries: 0,
        singleItemWrites: 0,
        recordsReplicated: 3,
      },
    ]);
  });

  test("one slave fails an item → all of that item's records fail, naming that slave; other items succeed", async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    const asia = slaveWithMock(ASIA);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    refuseItem(asia.mock, 'big');
    const records = streamEvent([
      stream.insert(1, 'big'),
      stream.insert(2, 'small'),
      stream.modify(3, 'big', { v: { N: '3' } }),
      stream.remove(4, 'gone'),
    ]).Records;

    // Act
    const outcome = await replicateBatch(records, replicationTo([europe.slave, asia.slave]), budget);

    // Assess
    expect(sequenceNumbersOf(outcome.failures.keys())).toEqual([seq(1), seq(3)]);
    for (const error of outcome.failures.values()) {
      expect(error).toBeInstanceOf(SlaveWriteError);
      expect(error.message).toContain('slave ap-southeast-2/OrdersAsia');
      expect(error.message).not.toContain('OrdersEurope');
    }
    const [europeSummary, asiaSummary] = outcome.slaves;
    expect(europeSummary).toMatchObject({ itemsWritten: 3, itemsFailed: 0, recordsReplicated: 4 });
    expect(asiaSummary).toMatchObject({ itemsWritten: 2, itemsFailed: 1, recordsReplicated: 2 });
  });

  test('two slaves failing one item → its records fail with a message naming both slaves', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    const asia = slaveWithMock(ASIA);
    refuseItem(europe.mock, 'big');
    refuseItem(asia.mock, 'big');
    const records = streamEvent([stream.insert(1, 'big'), stream.insert(2, 'ok')]).Records;

    // Act
    const outcome = await replicateBatch(records, replicationTo([europe.slave, asia.slave]), budget);

    // Assess
    expect(sequenceNumbersOf(outcome.failures.keys())).toEqual([seq(1)]);
    const message = outcome.failures.get(records[0] as StreamRecord)?.message ?? '';
    expect(message).toContain('slave eu-west-1/OrdersEurope');
    expect(message).toContain('slave ap-southeast-2/OrdersAsia');
  });

  test('records rejected by the planner fail without I/O, next to slave failures', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    const records = streamEvent([
      stream.insert(1, 'a', { v: { N: '1..2' } }),
      stream.modify(2, 'a'),
      stream.insert(3, 'b'),
    ]).Records;

    // Act
    const outcome = await replicateBatch(records, replicationTo([europe.slave]), budget);

    // Assess
    expect(outcome.failures.get(records[0] as StreamRecord)).toBeInstanceOf(InvalidRecordError);
    expect(outcome.failures.get(records[1] as StreamRecord)).toBeInstanceOf(BlockedByEarlierFailureError);
    expect(outcome.failures.has(records[2] as StreamRecord)).toBe(false);
    const sent = europe.mock.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.[EUROPE.table];
    expect(sent).toEqual([{ PutRequest: { Item: { pk: { S: 'b' } } } }]);
    expect(outcome.slaves[0]?.recordsReplicated).toBe(1);
  });
});

describe('replicateBatch: records without a new image', () => {
  const MASTER_REGION = 'us-east-1';

  function masterWithMock(): { master: MasterReader; mock: AwsClientStub<DynamoDBClient>; regions: string[] } {
    const client = new DynamoDBClient({
      region: MASTER_REGION,
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'unit', secretAccessKey: 'unit' },
    });
    clients.push(client);
    const regions: string[] = [];
    const master = new MasterReader(
      (region) => {
        regions.push(region);
        return client;
      },
      4,
      FAST_RETRY,
    );
    return { master, mock: mockClient(client), regions };
  }

  test('found items are put and gone items deleted on every slave; records with images need no read', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    const asia = slaveWithMock(ASIA);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    asia.mock.on(BatchWriteItemCommand).resolves({});
    const { master, mock, regions } = masterWithMock();
    mock.on(BatchGetItemCommand).resolves({ Responses: { Master: [{ pk: { S: 'here' }, v: { S: 'now' } }] } });
    const records = streamEvent([
      stream.keysOnlyInsert(1, 'here'),
      stream.keysOnlyInsert(2, 'gone'),
      stream.insert(3, 'imaged'),
    ]).Records;

    // Act
    const outcome = await replicateBatch(
      records,
      { slaves: [europe.slave, asia.slave], master, replicateTtlDeletes: true },
      budget,
    );

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(outcome).toMatchObject({ fetched: 2, puts: 2, deletes: 1 });
    expect(regions).toEqual([MASTER_REGION]);
    const keys = mock.commandCalls(BatchGetItemCommand)[0]?.args[0].input.RequestItems?.Master?.Keys;
    expect(keys).toEqual([{ pk: { S: 'here' } }, { pk: { S: 'gone' } }]);
    for (const { mock: slaveMock, target } of [
      { mock: europe.mock, target: EUROPE },
      { mock: asia.mock, target: ASIA },
    ]) {
      const sent = slaveMock.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.[target.table];
      expect(sent).toEqual(
        expect.arrayContaining([
          { PutRequest: { Item: { pk: { S: 'here' }, v: { S: 'now' } } } },
          { DeleteRequest: { Key: { pk: { S: 'gone' } } } },
          { PutRequest: { Item: { pk: { S: 'imaged' } } } },
        ]),
      );
      expect(sent).toHaveLength(3);
    }
  });

  test('a master read that fails fails those records only; nothing is written for them', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    const { master, mock } = masterWithMock();
    mock.on(BatchGetItemCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    const records = streamEvent([stream.keysOnlyInsert(1, 'a'), stream.insert(2, 'b')]).Records;

    // Act
    const outcome = await replicateBatch(
      records,
      { slaves: [europe.slave], master, replicateTtlDeletes: true },
      budget,
    );

    // Assess
    const error = outcome.failures.get(records[0] as StreamRecord);
    expect(error).toBeInstanceOf(MasterReadError);
    expect(error?.message).toContain('master table Master not found in region us-east-1');
    expect(outcome.failures.has(records[1] as StreamRecord)).toBe(false);
    const sent = europe.mock.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.[EUROPE.table];
    expect(sent).toEqual([{ PutRequest: { Item: { pk: { S: 'b' } } } }]);
    expect(outcome.slaves[0]?.recordsReplicated).toBe(1);
  });

  test('a record without a new image and without an eventSourceARN fails: there is no table to read', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    const { master, mock } = masterWithMock();
    const record = stream.keysOnlyInsert(1, 'a');
    delete record.eventSourceARN;
    const records = streamEvent([record]).Records;

    // Act
    const outcome = await replicateBatch(
      records,
      { slaves: [europe.slave], master, replicateTtlDeletes: true },
      budget,
    );

    // Assess
    expect(outcome.failures.get(records[0] as StreamRecord)?.message).toContain('no eventSourceARN naming its table');
    expect(mock.calls()).toHaveLength(0);
    expect(europe.mock.calls()).toHaveLength(0);
  });
});

describe('replicateBatch: TTL deletes', () => {
  test('skipped TTL deletes are counted as skipped, not as replicated, and their batch-mates are written', async () => {
    // Prepare
    const europe = slaveWithMock(EUROPE);
    europe.mock.on(BatchWriteItemCommand).resolves({});
    const ttl = { userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } };
    const records = streamEvent([
      stream.remove(1, 'expired', ttl),
      stream.insert(2, 'b'),
      stream.remove(3, 'c'),
    ]).Records;

    // Act
    const outcome = await replicateBatch(
      records,
      { ...replicationTo([europe.slave]), replicateTtlDeletes: false },
      budget,
    );

    // Assess
    expect(outcome.failures.size).toBe(0);
    expect(outcome).toMatchObject({ skipped: 1, puts: 1, deletes: 1 });
    expect(outcome.slaves[0]?.recordsReplicated).toBe(2);
    const sent = europe.mock.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.[EUROPE.table];
    expect(sent).toHaveLength(2);
    expect(sent).not.toContainEqual({ DeleteRequest: { Key: { pk: { S: 'expired' } } } });
  });
});
