/**
 * The library's entry as users call it (SDK mocked): the original package's `require('dynamo-replicator')(opts)
 * .process(event)` resolving and rejecting, and createReplicator's Lambda handler, with and without a context.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchWriteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext } from '../../../harness/context';
import { seq, stream, streamEvent } from '../../../harness/records';

import dynamoReplicator = require('../../../src/library');

import { refuseItem } from '../../helpers/sdkMocks';

const ddb = mockClient(DynamoDBClient);
const SILENT = new Logger({ logLevel: 'SILENT' });
const OPTIONS = { region: 'eu-west-1', table: 'Orders', logger: SILENT };

beforeEach(() => {
  ddb.reset();
});

afterAll(() => {
  ddb.restore();
});

describe('require(dynamo-replicator) as the original README used it', () => {
  test('module.exports is the factory, and carries createReplicator, the errors and itself as default', () => {
    // Assess
    expect(typeof dynamoReplicator).toBe('function');
    expect(dynamoReplicator.default).toBe(dynamoReplicator);
    expect(dynamoReplicator.createReplicator).toEqual(expect.any(Function));
    expect(dynamoReplicator.ConfigError).toEqual(expect.any(Function));
    expect(dynamoReplicator.ReplicationFailedError).toEqual(expect.any(Function));
  });

  test('process(event) resolves when every record is on the slave', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const replicator = dynamoReplicator({ region: 'eu-west-1', table: 'Orders' });

    // Act
    const result = replicator.process(streamEvent([stream.insert(1, 'a'), stream.remove(2, 'b')]));

    // Assess
    await expect(result).resolves.toBeUndefined();
    expect(ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.Orders).toEqual([
      { PutRequest: { Item: { pk: { S: 'a' } } } },
      { DeleteRequest: { Key: { pk: { S: 'b' } } } },
    ]);
  });

  test('process(event) writes what it can, then rejects naming the records not replicated and why', async () => {
    // Prepare: the slave refuses the item "big" (too large)
    refuseItem(ddb, 'big', 'Item size has exceeded the maximum allowed size');
    const replicator = dynamoReplicator({ region: 'eu-west-1', table: 'Orders' });

    // Act
    const result = replicator.process(streamEvent([stream.insert(1, 'small'), stream.insert(2, 'big')]));

    // Assess
    await expect(result).rejects.toThrow(dynamoReplicator.ReplicationFailedError);
    await expect(result).rejects.toThrow(
      `1 of 2 record(s) not replicated: ${seq(2)} (slave eu-west-1/Orders: ValidationException: Item size has exceeded the maximum allowed size)`,
    );
    const error = await result.catch(
      (caught: unknown) => caught as InstanceType<typeof dynamoReplicator.ReplicationFailedError>,
    );
    expect(error?.failures).toEqual([
      {
        sequenceNumber: seq(2),
        eventName: 'INSERT',
        reason: 'slave eu-west-1/Orders: ValidationException: Item size has exceeded the maximum allowed size',
      },
    ]);
  });

  test('process(event) rejects an event that is not a stream event', async () => {
    // Prepare
    const replicator = dynamoReplicator({ region: 'eu-west-1', table: 'Orders' });

    // Act
    const result = replicator.process({ hello: 'world' });

    // Assess
    await expect(result).rejects.toThrow('event has no Records array');
  });

  test('invalid options throw at creation, every problem in one ConfigError', () => {
    // Act
    const act = () => dynamoReplicator({ region: 'eu_west_1', table: 'x' } as never);

    // Assess
    expect(act).toThrow(dynamoReplicator.ConfigError);
    expect(act).toThrow(
      /region: "eu_west_1" is not an AWS region name.*; table: "x" is not a valid DynamoDB table name/,
    );
  });
});

describe('createReplicator', () => {
  test('handler with reportBatchItemFailures answers { batchItemFailures } as the zip does, naming the failed record', async () => {
    // Prepare
    refuseItem(ddb, 'big', 'Item size has exceeded the maximum allowed size');
    const { handler } = dynamoReplicator.createReplicator({ ...OPTIONS, reportBatchItemFailures: true });

    // Act
    const response = await handler(streamEvent([stream.insert(1, 'small'), stream.insert(2, 'big')]), fakeContext());

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: seq(2) }] });
  });

  test('handler without reportBatchItemFailures fails the invocation after writing the good record, naming the setting', async () => {
    // Prepare
    refuseItem(ddb, 'big', 'Item size has exceeded the maximum allowed size');
    const { handler } = dynamoReplicator.createReplicator(OPTIONS);

    // Act
    const error = await handler(streamEvent([stream.insert(1, 'small'), stream.insert(2, 'big')]), fakeContext()).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );

    // Assess
    expect(error).toBeInstanceOf(dynamoReplicator.ReplicationFailedError);
    expect(error?.message).toMatch(new RegExp(`^1 of 2 record\\(s\\) not replicated: ${seq(2)} \\(`));
    expect(error?.message).toContain('set reportBatchItemFailures to true');
    const puts = ddb.commandCalls(PutItemCommand).map((call) => call.args[0].input.Item?.pk?.S);
    expect(puts.sort()).toEqual(['big', 'small']);
  });

  test('handler works without a usable Lambda context (a default time budget)', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const { handler } = dynamoReplicator.createReplicator(OPTIONS);

    // Act
    const withNone = await handler(streamEvent([stream.insert(1, 'a')]));
    const withEmpty = await handler(streamEvent([stream.insert(2, 'b')]), {});

    // Assess
    expect(withNone).toEqual({ batchItemFailures: [] });
    expect(withEmpty).toEqual({ batchItemFailures: [] });
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(2);
  });

  test('hooks and excludeAttributes shape the slave’s items; an excluded key attribute names excludeAttributes', async () => {
    // Prepare
    ddb.on(BatchWriteItemCommand).resolves({});
    const shaped = dynamoReplicator.createReplicator({
      ...OPTIONS,
      filter: (item) => item.pk?.S !== 'hidden',
      transform: (item) => ({ ...item, replica: { BOOL: true } }),
      excludeAttributes: ['ssn'],
    });
    const keyless = dynamoReplicator.createReplicator({ ...OPTIONS, excludeAttributes: ['pk'] });

    // Act
    await shaped.process(streamEvent([stream.insert(1, 'shown', { ssn: { S: '1' } }), stream.insert(2, 'hidden')]));
    const refused = keyless.process(streamEvent([stream.insert(3, 'a')]));

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)[0]?.args[0].input.RequestItems?.Orders).toEqual([
      { PutRequest: { Item: { pk: { S: 'shown' }, replica: { BOOL: true } } } },
      { DeleteRequest: { Key: { pk: { S: 'hidden' } } } },
    ]);
    await expect(refused).rejects.toThrow('excludeAttributes names the key attribute(s) pk of the master table');
  });
});
