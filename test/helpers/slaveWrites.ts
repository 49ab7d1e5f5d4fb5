/**
 * What the Slave unit tests share: the slave table, fast retries, change builders, a mocked SDK client made fresh
 * for each test, and writes through the production path (a write session: add every change, then finish).
 */
import { type BatchWriteItemCommandInput, DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { Slave, type SlaveResult } from '../../src/replicator/slave';
import type { SlaveTarget, WriteChange } from '../../src/replicator/types';
import type { BatchWriteAccess } from '../../src/shared/batchWriteAccess';
import { type Budget, startBudget } from '../../src/shared/budget';
import type { Item } from '../../src/shared/item';
import { itemKeyOf, pickKey } from '../../src/shared/key';
import { FAST_RETRY, unitClient } from './sdkMocks';

export const TARGET: SlaveTarget = { region: 'eu-west-1', table: 'SlaveOrders' };

export function putChange(id: string, attributes: Item = {}): WriteChange {
  const key: Item = { pk: { S: id } };
  return { kind: 'put', itemKey: itemKeyOf(key), key, item: { ...key, ...attributes } };
}

export function deleteChange(id: string): WriteChange {
  const key: Item = { pk: { S: id } };
  return { kind: 'delete', itemKey: itemKeyOf(key), key };
}

/** The write requests of one BatchWriteItem input, for the slave table. */
export function requestsOf(input: BatchWriteItemCommandInput): WriteRequest[] {
  return input.RequestItems?.[TARGET.table] ?? [];
}

/** The item identity each write request is about (key schema `pk`). */
export function itemKeysOf(requests: readonly WriteRequest[]): string[] {
  return requests.map((request) =>
    itemKeyOf(request.DeleteRequest?.Key ?? pickKey(request.PutRequest?.Item ?? {}, ['pk'])),
  );
}

/** Writes `changes` as replicateBatch does: one session, every change added, then finished. */
function writeAll(slave: Slave, changes: readonly WriteChange[], budget: Budget): Promise<SlaveResult> {
  const session = slave.startWriting(budget);
  for (const change of changes) session.add(change);
  return session.finish();
}

/** The mocked client of the current test, a minute of budget, and slaves of {@link TARGET} written with them. */
export interface MockedSlave {
  readonly ddb: AwsClientStub<DynamoDBClient>;
  readonly client: DynamoDBClient;
  readonly budget: Budget;
  /** A slave of {@link TARGET} on this test's client, with {@link FAST_RETRY} (and `access` to watch its clock). */
  slave(concurrency: number, access?: BatchWriteAccess): Slave;
  /** Writes `changes` to `slave` within `budget` (by default this test's minute). */
  write(slave: Slave, changes: readonly WriteChange[], budget?: Budget): Promise<SlaveResult>;
}

/** Registers the per-test set-up and tear-down of a mocked slave client; call once at the top of a test file. */
export function useMockedSlave(): MockedSlave {
  const ddb = mockClient(DynamoDBClient);
  let client: DynamoDBClient | undefined;
  let budget: (Budget & { dispose(): void }) | undefined;
  beforeEach(() => {
    ddb.reset();
    client = unitClient(TARGET.region);
    budget = startBudget(60_000);
  });
  afterEach(() => {
    budget?.dispose();
    client?.destroy();
  });
  const current = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useMockedSlave: used outside a test');
    return value;
  };
  return {
    ddb,
    get client() {
      return current(client);
    },
    get budget() {
      return current(budget);
    },
    slave(concurrency, access) {
      return new Slave(current(client), TARGET, concurrency, FAST_RETRY, access);
    },
    write(slave, changes, within) {
      return writeAll(slave, changes, within ?? current(budget));
    },
  };
}
