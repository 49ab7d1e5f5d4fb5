/**
 * Slave write sessions, batching: how changes become BatchWriteItem calls (size, content, concurrency, the budget's
 * abort signal) and how UnprocessedItems are sent again. Errors DynamoDB answers with: slave.errors.test.ts.
 */
import { BatchWriteItemCommand, type BatchWriteItemCommandInput } from '@aws-sdk/client-dynamodb';
import { SlaveWriteError } from '../../../src/replicator/errors';
import type { WriteChange } from '../../../src/replicator/types';
import { BATCH_WRITE_LIMIT } from '../../../src/shared/batchLimits';
import { startBudget } from '../../../src/shared/budget';
import type { Item } from '../../../src/shared/item';
import { itemKeyOf } from '../../../src/shared/key';
import { deleteChange, itemKeysOf, putChange, requestsOf, TARGET, useMockedSlave } from '../../helpers/slaveWrites';

const mocked = useMockedSlave();
const ddb = mocked.ddb;

describe('Slave write sessions: batching', () => {
  test('60 changes → 3 BatchWriteItem calls of at most 25 writes, no item twice in a call, every item once', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const changes = Array.from({ length: 60 }, (_, index) =>
      index % 3 === 0 ? deleteChange(`item-${index}`) : putChange(`item-${index}`, { n: { N: String(index) } }),
    );
    const slave = mocked.slave(4);

    // Act
    const result = await mocked.write(slave, changes);

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
    const slave = mocked.slave(1);

    // Act
    await mocked.write(slave, changes);

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
    const slave = mocked.slave(1);

    // Act
    await mocked.write(slave, [putChange('a')]);

    // Assess
    // The mock types `args` as the command alone; the SDK passes the send options second.
    const args: readonly unknown[] = ddb.commandCalls(BatchWriteItemCommand)[0]?.args ?? [];
    const options = args[1];
    expect(options).toEqual({ abortSignal: mocked.budget.signal });
  });

  test('no changes → no call', async () => {
    // Prepare
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, []);

    // Assess
    expect(ddb.calls()).toHaveLength(0);
    expect(result).toEqual({ failures: new Map(), requests: 0, retries: 0, singleWrites: 0 });
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
    const slave = mocked.slave(2);

    // Act
    const result = await mocked.write(slave, changes);

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(6);
    expect(maxInFlight).toBe(2);
    expect(result.failures.size).toBe(0);
  });
});

describe('Slave write sessions: UnprocessedItems', () => {
  test('are sent again until none is left; requests and retries are counted', async () => {
    // Prepare
    const changes = [putChange('a'), putChange('b'), deleteChange('c'), putChange('d')];
    const slave = mocked.slave(1);
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
    const result = await mocked.write(slave, changes);

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
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, changes);

    // Assess
    const second = ddb.commandCalls(BatchWriteItemCommand)[1]?.args[0].input as BatchWriteItemCommandInput;
    expect(requestsOf(second)).toEqual([{ PutRequest: { Item: items[1] } }]);
    expect(result.failures.size).toBe(0);
  });

  test('left unprocessed forever → those items fail with a "time budget" message once a short budget ends', async () => {
    // Prepare
    const shortBudget = startBudget(1000); // 700 ms usable after the reserve: retries fit even on a loaded machine
    const changes = [putChange('a'), putChange('b'), putChange('c')];
    ddb.on(BatchWriteItemCommand).callsFake(async (input: BatchWriteItemCommandInput) => {
      const requests = requestsOf(input);
      const stuck = requests.filter((request) => request.PutRequest?.Item?.pk?.S !== 'a');
      return { UnprocessedItems: { [TARGET.table]: stuck } };
    });
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, changes, shortBudget).finally(() => shortBudget.dispose());

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
