/**
 * Slave write sessions when the role lacks dynamodb:BatchWriteItem (the original package's policy: PutItem and
 * DeleteItem only): the items go out one by one, the denied call is not sent with every batch, it is asked again
 * after the recheck interval, the first denial is reported once, and a role denied the single writes too fails the
 * items naming every action. Against DynamoDB Local behind an IAM-like proxy: test/integration/oldPolicy.test.ts.
 */
import { BatchWriteItemCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { WriteChange } from '../../../src/replicator/types';
import { BATCH_WRITE_RECHECK_MS, BatchWriteAccess } from '../../../src/shared/batchWriteAccess';
import { startBudget } from '../../../src/shared/budget';
import { awsError } from '../../helpers/sdkMocks';
import { deleteChange, putChange, requestsOf, TARGET, useMockedSlave } from '../../helpers/slaveWrites';

const mocked = useMockedSlave();
const ddb = mocked.ddb;
const SLAVE_ARN = `arn:aws:dynamodb:${TARGET.region}:123456789012:table/${TARGET.table}`;

/** IAM's answer to a role without `action` on the slave. */
function denied(action: string, name = 'AccessDeniedException') {
  return awsError(
    name,
    `User: arn:aws:sts::123456789012:assumed-role/replicator/fn is not authorized to perform: dynamodb:${action} on resource: ${SLAVE_ARN} because no identity-based policy allows the dynamodb:${action} action`,
  );
}

/** `count` changes, every third a delete. */
function changes(count: number, prefix = 'item'): WriteChange[] {
  return Array.from({ length: count }, (_, index) =>
    index % 3 === 2 ? deleteChange(`${prefix}-${index}`) : putChange(`${prefix}-${index}`),
  );
}

/** A clock the test moves. */
function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('Slave write sessions: BatchWriteItem denied', () => {
  test.each(['AccessDeniedException', 'UnrecognizedClientException'])(
    '%s on BatchWriteItem → every item written with PutItem or DeleteItem, none failed, the denial reported with the ARN',
    async (name) => {
      // Prepare
      ddb.on(BatchWriteItemCommand).rejects(denied('BatchWriteItem', name));
      ddb.on(PutItemCommand).resolves({});
      ddb.on(DeleteItemCommand).resolves({});
      const batch = changes(60);

      // Act
      const result = await mocked.write(mocked.slave(4), batch);

      // Assess
      expect(result.failures.size).toBe(0);
      expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
      expect(ddb.commandCalls(PutItemCommand)).toHaveLength(40);
      expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(20);
      expect(result.singleWrites).toBe(60);
      expect(result.requests).toBe(61);
      expect(result.batchWriteDenial).toEqual({
        action: 'dynamodb:BatchWriteItem',
        resource: SLAVE_ARN,
        answer: expect.stringContaining(`${name}: User: `),
      });
    },
  );

  test('a denial whose message names no ARN is reported with the table and region', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    ddb.on(PutItemCommand).resolves({});

    // Act
    const result = await mocked.write(mocked.slave(1), [putChange('a')]);

    // Assess
    expect(result.batchWriteDenial?.resource).toBe(`table ${TARGET.table} in region ${TARGET.region}`);
  });

  test('later sessions go straight to single writes: one denied call per slave, one report', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(denied('BatchWriteItem'));
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    const slave = mocked.slave(8);

    // Act
    const results = [];
    for (let batch = 0; batch < 5; batch += 1) results.push(await mocked.write(slave, changes(100, `b${batch}`)));

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
    expect(results.map((result) => result.failures.size)).toEqual([0, 0, 0, 0, 0]);
    expect(results.map((result) => result.batchWriteDenial !== undefined)).toEqual([true, false, false, false, false]);
    expect(results.map((result) => result.singleWrites)).toEqual([100, 100, 100, 100, 100]);
  });

  test('after the recheck interval one BatchWriteItem asks again; once allowed, batches return', async () => {
    // Prepare: denied at first; the user adds the permission later.
    const time = clock();
    const slave = mocked.slave(8, new BatchWriteAccess(BATCH_WRITE_RECHECK_MS, time.now));
    ddb.on(BatchWriteItemCommand).rejects(denied('BatchWriteItem'));
    ddb.on(PutItemCommand).resolves({});
    ddb.on(DeleteItemCommand).resolves({});
    await mocked.write(slave, changes(50, 'first'));
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act: just before the interval ends, then after it.
    time.advance(BATCH_WRITE_RECHECK_MS - 1);
    const before = await mocked.write(slave, changes(50, 'before'));
    time.advance(1);
    const after = await mocked.write(slave, changes(50, 'after'));
    const later = await mocked.write(slave, changes(50, 'later'));

    // Assess
    expect(before).toMatchObject({ singleWrites: 50, requests: 50 });
    expect(after).toMatchObject({ singleWrites: 0, requests: 2 });
    expect(later).toMatchObject({ singleWrites: 0, requests: 2 });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1 + 2 + 2);
    expect(after.batchWriteDenial).toBeUndefined();
  });

  test('a recheck that is denied again is not reported again', async () => {
    // Prepare
    const time = clock();
    const slave = mocked.slave(2, new BatchWriteAccess(BATCH_WRITE_RECHECK_MS, time.now));
    ddb.on(BatchWriteItemCommand).rejects(denied('BatchWriteItem'));
    ddb.on(PutItemCommand).resolves({});
    const first = await mocked.write(slave, [putChange('a')]);
    time.advance(BATCH_WRITE_RECHECK_MS);

    // Act
    const second = await mocked.write(slave, [putChange('b'), putChange('c')]);

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(2);
    expect(first.batchWriteDenial).toBeDefined();
    expect(second).toMatchObject({ singleWrites: 2 });
    expect(second.batchWriteDenial).toBeUndefined();
  });

  test('PutItem denied too → each item fails naming every action the role needs; DeleteItem allowed → deletes land', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).rejects(denied('BatchWriteItem'));
    ddb.on(PutItemCommand).rejects(denied('PutItem'));
    ddb.on(DeleteItemCommand).resolves({});
    const batch = [putChange('a'), deleteChange('b'), putChange('c')];

    // Act
    const result = await mocked.write(mocked.slave(1), batch);

    // Assess
    expect([...result.failures.keys()].sort()).toEqual([batch[0]?.itemKey, batch[2]?.itemKey].sort());
    for (const error of result.failures.values()) {
      expect(error.message).toContain(
        `access denied: the function's role needs dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem on table ${TARGET.table} in ${TARGET.region}`,
      );
      expect(error.message).toContain('dynamodb:PutItem on resource');
    }
    expect(ddb.commandCalls(DeleteItemCommand)).toHaveLength(1);
  });
});

describe('Slave write sessions: the first call of a slave asks for the permission', () => {
  test("a new slave's first BatchWriteItem goes out alone; once answered, the rest go out together", async () => {
    // Prepare: record how many calls are in flight as each starts.
    let inFlight = 0;
    const seen: number[] = [];
    ddb.on(BatchWriteItemCommand).callsFake(async () => {
      inFlight += 1;
      seen.push(inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight -= 1;
      return {};
    });
    const batch = changes(100);

    // Act
    const result = await mocked.write(mocked.slave(4), batch);

    // Assess
    expect(result.failures.size).toBe(0);
    expect(seen[0]).toBe(1);
    expect(Math.max(...seen.slice(1))).toBe(3);
    const written = ddb.commandCalls(BatchWriteItemCommand).flatMap((call) => requestsOf(call.args[0].input));
    expect(written).toHaveLength(100);
    expect(result.singleWrites).toBe(0);
  });

  test('a probe throttled to the end of the budget leaves the next call to ask again', async () => {
    // Prepare: the first BatchWriteItem answers with a 500 every time, and the budget is short.
    ddb.on(BatchWriteItemCommand).rejects(awsError('InternalServerError', 'oops', 500));
    const slave = mocked.slave(1);
    const short = startBudget(30);
    const first = await mocked.write(slave, [putChange('a')], short).finally(() => short.dispose());
    ddb.on(BatchWriteItemCommand).resolves({});

    // Act
    const second = await mocked.write(slave, changes(50));

    // Assess
    expect(first.failures.size).toBe(1);
    expect(second).toMatchObject({ singleWrites: 0, requests: 2 });
    expect(second.failures.size).toBe(0);
  });
});
