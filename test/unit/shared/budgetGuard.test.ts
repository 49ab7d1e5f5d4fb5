/**
 * The send guard of the invocation's budget, on a real SDK client whose HTTP handler is a stand-in: what counts is how
 * many attempts reach the handler, the SDK's own retries included, once the monotonic cutoff has passed.
 */
import { Readable } from 'node:stream';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type Budget, guardCommand, TimeBudgetSpentError } from '../../../src/shared/budget';

/** A client whose every attempt calls `answer` (its 1-based attempt number) instead of the network. */
function clientAnswering(answer: (attempt: number) => { statusCode: number; body: string }) {
  const attempts: number[] = [];
  const client = new DynamoDBClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts: 3,
    requestHandler: {
      handle: async () => {
        attempts.push(attempts.length + 1);
        const { statusCode, body } = answer(attempts.length);
        return {
          response: {
            statusCode,
            headers: { 'content-type': 'application/x-amz-json-1.0' },
            body: Readable.from([Buffer.from(body)]),
          },
        };
      },
    },
  });
  return { client, attempts };
}

function budgetWith(remaining: () => number): Budget {
  return { remainingMs: remaining, signal: new AbortController().signal };
}

const WRITE = { RequestItems: { T: [{ PutRequest: { Item: { pk: { S: 'a' } } } }] } };

describe('guardCommand', () => {
  test('a budget with time left lets the attempt through', async () => {
    // Prepare
    const { client, attempts } = clientAnswering(() => ({ statusCode: 200, body: '{"UnprocessedItems":{}}' }));

    // Act
    const output = await client.send(
      guardCommand(
        new BatchWriteItemCommand(WRITE),
        budgetWith(() => 1000),
      ),
    );

    // Assess
    expect(attempts).toEqual([1]);
    expect(output.UnprocessedItems).toEqual({});
  });

  test('a spent budget sends nothing, even though its abort timer never fired', async () => {
    // Prepare
    const { client, attempts } = clientAnswering(() => ({ statusCode: 200, body: '{"UnprocessedItems":{}}' }));

    // Act
    const sending = client.send(
      guardCommand(
        new BatchWriteItemCommand(WRITE),
        budgetWith(() => 0),
      ),
    );

    // Assess
    await expect(sending).rejects.toBeInstanceOf(TimeBudgetSpentError);
    expect(attempts).toEqual([]);
  });

  test("the SDK's own retry is not sent once the cutoff passed during the first attempt", async () => {
    // Prepare: the first attempt answers 500 (the SDK retries it) and takes the clock past the cutoff
    let remaining = 1000;
    const { client, attempts } = clientAnswering(() => {
      remaining = -1;
      return { statusCode: 500, body: '{"__type":"InternalServerError","message":"boom"}' };
    });

    // Act
    const sending = client.send(
      guardCommand(
        new BatchWriteItemCommand(WRITE),
        budgetWith(() => remaining),
      ),
    );

    // Assess
    await expect(sending).rejects.toBeInstanceOf(TimeBudgetSpentError);
    expect(attempts).toEqual([1]);
  });

  test('without a budget (the tools) the command is left as it is: the SDK retries as usual', async () => {
    // Prepare
    const { client, attempts } = clientAnswering((attempt) =>
      attempt < 2
        ? { statusCode: 500, body: '{"__type":"InternalServerError","message":"boom"}' }
        : { statusCode: 200, body: '{"UnprocessedItems":{}}' },
    );

    // Act
    await client.send(guardCommand(new BatchWriteItemCommand(WRITE), undefined));

    // Assess
    expect(attempts).toEqual([1, 2]);
  });
});
