process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ToolError } from '../../../src/cli/errors';
import { toolClientSettings } from '../../../src/cli/table/clients';
import { TokenBucket } from '../../../src/cli/table/rateLimiter';
import { TableAccess } from '../../../src/cli/table/tableAccess';
import { createClient } from '../../../src/shared/clients';
import { PATIENT_RETRY, PATIENT_SDK_ATTEMPTS } from '../../../src/shared/retry';

const ref = { region: 'eu-west-1', table: 'OrdersReplica' };
const table = {
  TableName: 'OrdersReplica',
  KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' as const }],
  ItemCount: 12,
};
const fast = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

function awsError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

describe('TableAccess: errors that say what to change', () => {
  const mock = mockClient(DynamoDBClient);
  let access: TableAccess;
  beforeEach(async () => {
    mock.reset();
    mock.on(DescribeTableCommand).resolves({ Table: table });
    access = new TableAccess(ref, new DynamoDBClient({ region: ref.region }), { retry: fast });
  });

  it('a missing table is reported with its name and region', async () => {
    mock.on(DescribeTableCommand).rejects(awsError('ResourceNotFoundException', 'Requested resource not found'));
    await expect(access.describe()).rejects.toThrow('table OrdersReplica not found in region eu-west-1');
  });

  it('a missing permission names the IAM action of the call that was denied', async () => {
    await access.describe();
    mock.on(ScanCommand).rejects(awsError('AccessDeniedException', 'User is not authorized'));
    const scan = access.scanPage({ segment: 0, totalSegments: 1, limit: 10 });
    await expect(scan).rejects.toThrow(ToolError);
    await expect(scan).rejects.toThrow(
      'your credentials need the IAM action dynamodb:Scan on table OrdersReplica in region eu-west-1',
    );
    mock.on(PutItemCommand).rejects(awsError('AccessDeniedException'));
    await expect(access.putIfAbsent({ pk: { S: 'a' } })).rejects.toThrow('dynamodb:PutItem');
  });

  it('rejected credentials are reported as such', async () => {
    mock
      .on(DescribeTableCommand)
      .rejects(awsError('UnrecognizedClientException', 'The security token included in the request is invalid'));
    await expect(access.describe()).rejects.toThrow('AWS credentials missing or rejected for region eu-west-1');
  });

  it('with its own credentials, the side and its role are named instead of "your credentials"', async () => {
    // Prepare
    const identity = 'the slave side (role arn:aws:iam::444455556666:role/replica-operator)';
    const named = new TableAccess(ref, new DynamoDBClient({ region: ref.region }), { retry: fast, identity });
    mock.on(ScanCommand).rejects(awsError('AccessDeniedException', 'User is not authorized'));

    // Act
    await named.describe();
    const denied = await named.scanPage({ segment: 0, totalSegments: 1, limit: 10 }).catch((error: unknown) => error);
    mock.on(DescribeTableCommand).rejects(awsError('ExpiredTokenException', 'The security token has expired'));
    const rejected = await named.describe().catch((error: unknown) => error);

    // Assess
    expect(denied).toBeInstanceOf(ToolError);
    expect((denied as Error).message).toBe(
      `access denied: ${identity} needs the IAM action dynamodb:Scan on table OrdersReplica in region eu-west-1 (AccessDeniedException: User is not authorized)`,
    );
    expect((rejected as Error).message).toContain(
      `AWS credentials of ${identity} missing or rejected for region eu-west-1 (ExpiredTokenException`,
    );
    expect((rejected as Error).message).toContain('check that role or profile');
  });

  it('a failed attribute_not_exists condition means the slave already has the item', async () => {
    await access.describe();
    mock.on(PutItemCommand).rejects(awsError('ConditionalCheckFailedException'));
    await expect(access.putIfAbsent({ pk: { S: 'a' } })).resolves.toBe('conflict');
    const sent = mock.commandCalls(PutItemCommand)[0]?.args[0].input;
    expect(sent?.ConditionExpression).toBe('attribute_not_exists(#k)');
    expect(sent?.ExpressionAttributeNames).toEqual({ '#k': 'pk' });
  });

  it('throttling is retried until the call goes through', async () => {
    await access.describe();
    mock
      .on(PutItemCommand)
      .rejectsOnce(awsError('ProvisionedThroughputExceededException'))
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({});
    await expect(access.putIfAbsent({ pk: { S: 'a' } })).resolves.toBe('written');
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(3);
  });

  it('an error about the item itself is thrown as is, for the caller to count', async () => {
    await access.describe();
    mock.on(PutItemCommand).rejects(awsError('ValidationException', 'Item size has exceeded the maximum allowed size'));
    await expect(access.putIfAbsent({ pk: { S: 'a' } })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('BatchWriteItem sends UnprocessedItems again until none are left', async () => {
    await access.describe();
    const items = [{ pk: { S: 'a' } }, { pk: { S: 'b' } }, { pk: { S: 'c' } }];
    mock
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { OrdersReplica: [{ PutRequest: { Item: items[2] } }] } })
      .resolves({});
    await access.batchPut(items);
    const calls = mock
      .commandCalls(BatchWriteItemCommand)
      .map((call) => call.args[0].input.RequestItems?.OrdersReplica?.length);
    expect(calls).toEqual([3, 1]);
  });

  it('batchPut through the one write path: an item DynamoDB rejects fails alone, its batch-mates are written', async () => {
    await access.describe();
    const items = [{ pk: { S: 'a' } }, { pk: { S: 'huge' } }, { pk: { S: 'c' } }];
    mock.on(BatchWriteItemCommand).rejects(awsError('ValidationException', 'Item size has exceeded the maximum'));
    mock.on(PutItemCommand).callsFake(async (input: { Item?: { pk?: { S?: string } } }) => {
      if (input.Item?.pk?.S === 'huge') throw awsError('ValidationException', 'Item size has exceeded the maximum');
      return {};
    });
    const failures = await access.batchPut(items);
    expect([...failures.values()].map((failure) => failure.reason)).toEqual([
      'ValidationException: Item size has exceeded the maximum',
    ]);
    expect(failures.size).toBe(1);
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(3);
  });

  it('batchPut with credentials that may only PutItem: the items go one by one, BatchWriteItem is asked once', async () => {
    await access.describe();
    mock
      .on(BatchWriteItemCommand)
      .rejects(awsError('AccessDeniedException', 'not authorized: dynamodb:BatchWriteItem'));
    mock.on(PutItemCommand).resolves({});
    const first = await access.batchPut([{ pk: { S: 'a' } }, { pk: { S: 'b' } }]);
    const second = await access.batchPut([{ pk: { S: 'c' } }]);
    expect([first.size, second.size]).toEqual([0, 0]);
    expect(mock.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
    expect(mock.commandCalls(PutItemCommand)).toHaveLength(3);
  });

  it('batchPut with PutItem denied too stops the run, naming dynamodb:PutItem', async () => {
    await access.describe();
    mock.on(BatchWriteItemCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    mock.on(PutItemCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    const put = access.batchPut([{ pk: { S: 'a' } }]);
    await expect(put).rejects.toThrow(ToolError);
    await expect(put).rejects.toThrow('the IAM action dynamodb:PutItem on table OrdersReplica');
  });

  it('BatchGetItem asks again for UnprocessedKeys and returns what exists by item identity', async () => {
    await access.describe();
    mock
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { OrdersReplica: [{ pk: { S: 'a' } }] },
        UnprocessedKeys: { OrdersReplica: { Keys: [{ pk: { S: 'b' } }] } },
      })
      .resolves({ Responses: { OrdersReplica: [{ pk: { S: 'b' } }] } });
    const found = await access.batchGet([{ pk: { S: 'a' } }, { pk: { S: 'b' } }, { pk: { S: 'c' } }], {
      consistent: true,
    });
    expect(found.size).toBe(2);
    expect(mock.commandCalls(BatchGetItemCommand)).toHaveLength(2);
  });
});

describe('TableAccess: the read cap (--max-rcu)', () => {
  const mock = mockClient(DynamoDBClient);

  it('a read waits while the reads before it used more capacity than the cap has refilled', async () => {
    // Prepare: a 10 RCU/s bucket on a fake clock, 2.5 units in debt from earlier reads.
    mock.reset();
    mock.on(DescribeTableCommand).resolves({ Table: table });
    mock.on(ScanCommand).resolves({ Items: [] });
    let now = 0;
    const bucket = new TokenBucket(10, () => now);
    bucket.charge(12.5);
    const access = new TableAccess(ref, new DynamoDBClient({ region: ref.region }), { retry: fast, readPacer: bucket });
    await access.describe();

    // Act
    const page = access.scanPage({ segment: 0, totalSegments: 1, limit: 10 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const callsWhileInDebt = mock.commandCalls(ScanCommand).length;
    now = 250; // the refill has paid the debt
    await page;

    // Assess
    expect(callsWhileInDebt).toBe(0);
    expect(mock.commandCalls(ScanCommand)).toHaveLength(1);
  });
});

describe('TableAccess: the most requests one call sends (src/shared/retry.ts)', () => {
  const mock = mockClient(DynamoDBClient);
  const savedMaxAttempts = process.env.AWS_MAX_ATTEMPTS;
  afterEach(() => {
    if (savedMaxAttempts === undefined) delete process.env.AWS_MAX_ATTEMPTS;
    else process.env.AWS_MAX_ATTEMPTS = savedMaxAttempts;
  });

  it('a call that is always throttled sends SDK maxAttempts 1 × our 1 + 10 retries = 11 requests, then fails', async () => {
    // Prepare: the client the tools make; no waiting (jitter 0). The mock replaces the SDK's send, so it counts our
    // loop's requests; the SDK's factor is read from the client's configuration.
    delete process.env.AWS_MAX_ATTEMPTS;
    const client = createClient(ref.region, toolClientSettings({ maxSockets: 4 }));
    mock.reset();
    mock
      .on(DescribeTableCommand)
      .rejects(awsError('ThrottlingException', 'Rate of requests exceeds the allowed throughput'));
    const access = new TableAccess(ref, client, { retry: { ...PATIENT_RETRY, random: () => 0 } });

    // Act
    const outcome = access.describe();

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ThrottlingException' });
    const ours = mock.commandCalls(DescribeTableCommand).length;
    const sdkAttempts = await client.config.maxAttempts();
    expect(ours).toBe(PATIENT_RETRY.retries + 1);
    expect(sdkAttempts).toBe(PATIENT_SDK_ATTEMPTS);
    expect(sdkAttempts * ours).toBe(11);
    client.destroy();
  });

  it('AWS_MAX_ATTEMPTS still sets the SDK’s attempts per request of ours', async () => {
    // Prepare
    process.env.AWS_MAX_ATTEMPTS = '2';

    // Act
    const client = createClient(ref.region, toolClientSettings({ maxSockets: 4 }));

    // Assess
    expect(await client.config.maxAttempts()).toBe(2);
    client.destroy();
  });
});
