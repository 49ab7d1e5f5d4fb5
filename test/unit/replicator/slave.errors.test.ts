/**
 * Slave write sessions, errors: an invalid item isolated by writing one by one, errors retrying cannot fix explained
 * with what to change, transient errors retried within the budget. Batching: slave.batching.test.ts.
 */
import { BatchWriteItemCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startBudget } from '../../../src/shared/budget';
import type { Item } from '../../../src/shared/item';
import { awsError } from '../../helpers/sdkMocks';
import { deleteChange, itemKeysOf, putChange, requestsOf, TARGET, useMockedSlave } from '../../helpers/slaveWrites';

const mocked = useMockedSlave();
const ddb = mocked.ddb;

describe('Slave write sessions: errors', () => {
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
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, changes);

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
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a')]);

    // Assess
    expect(result.failures.get(putChange('a').itemKey)?.message).toContain('Type mismatch for key pk');
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(result.requests).toBe(1);
  });

  test('ResourceNotFoundException → every item fails with a message naming the table and the region, no retry', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    const changes = [putChange('a'), deleteChange('b')];
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, changes);

    // Assess
    expect(result.failures.size).toBe(2);
    for (const error of result.failures.values()) {
      expect(error.message).toContain(`table ${TARGET.table} not found in region ${TARGET.region}`);
    }
    expect(result.requests).toBe(1);
    expect(result.retries).toBe(0);
  });

  test('an unknown client error fails the items with its name and message, without retrying', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(awsError('SomethingNewException', 'a new kind of refusal'));
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a')]);

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
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a'), putChange('b')]);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(result.requests).toBe(2);
    expect(result.retries).toBe(1);
    expect(itemKeysOf(requestsOf(ddb.commandCalls(BatchWriteItemCommand)[1]?.args[0].input ?? {}))).toHaveLength(2);
  });

  test('transient errors until a short budget ends → failures naming the time budget and the last error', async () => {
    // Prepare
    // 700 ms usable after the reserve: short, yet room for a retry however slow a loaded machine makes the first call.
    const shortBudget = startBudget(1000);
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError', 'Internal server error', 500));
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a')], shortBudget).finally(() => shortBudget.dispose());

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
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a'), putChange('b')]);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(3);
    expect(result.retries).toBe(1);
  });

  test('the failure keeps the SDK error as its cause', async () => {
    // Prepare
    const sdkError = awsError('ResourceNotFoundException', 'Requested resource not found');
    ddb.on(BatchWriteItemCommand).rejects(sdkError);
    const slave = mocked.slave(1);

    // Act
    const result = await mocked.write(slave, [putChange('a')]);

    // Assess
    const failure = result.failures.get(putChange('a').itemKey);
    expect(failure?.slave).toBe(`${TARGET.region}/${TARGET.table}`);
    expect(failure?.cause).toBe(sdkError);
  });
});
