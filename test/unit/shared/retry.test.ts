import { backoffDelay, retryPatiently } from '../../../src/shared/retry';

function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: 400 } });
}

describe('backoffDelay', () => {
  test('full jitter under a cap that doubles from the base and stops at the maximum', () => {
    // Prepare
    const almostOne = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };

    // Act
    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, almostOne));
    const none = backoffDelay(3, { ...almostOne, random: () => 0 });

    // Assess
    expect(delays).toEqual([99, 199, 399, 799, 999]);
    expect(none).toBe(0);
  });
});

describe('retryPatiently', () => {
  test('an always-transient error is tried 1 + retries times, waiting before each retry, then thrown', async () => {
    // Prepare
    const send = jest.fn(async () => {
      throw awsError('ProvisionedThroughputExceededException');
    });
    const waits: number[] = [];

    // Act
    const outcome = retryPatiently(send, 4, async (attempt) => {
      waits.push(attempt);
    });

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    expect(send).toHaveBeenCalledTimes(5);
    expect(waits).toEqual([1, 2, 3, 4]);
  });

  test('succeeds once the transient error clears', async () => {
    // Prepare
    const send = jest.fn().mockRejectedValueOnce(awsError('ThrottlingException')).mockResolvedValue('done');

    // Act
    const outcome = await retryPatiently(send, 4, async () => undefined);

    // Assess
    expect(outcome).toBe('done');
    expect(send).toHaveBeenCalledTimes(2);
  });

  test('an error retrying cannot fix is thrown at once: as `stop` translates it, or as it is', async () => {
    // Prepare
    const denied = jest.fn(async () => {
      throw awsError('AccessDeniedException');
    });
    const invalid = jest.fn(async () => {
      throw awsError('ValidationException');
    });
    const stop = (error: unknown): Error | undefined =>
      (error as Error).name === 'AccessDeniedException' ? new Error('you need dynamodb:Scan') : undefined;

    // Act
    const deniedOutcome = retryPatiently(denied, 4, async () => undefined, stop);
    const invalidOutcome = retryPatiently(invalid, 4, async () => undefined, stop);

    // Assess
    await expect(deniedOutcome).rejects.toThrow('you need dynamodb:Scan');
    await expect(invalidOutcome).rejects.toMatchObject({ name: 'ValidationException' });
    expect(denied).toHaveBeenCalledTimes(1);
    expect(invalid).toHaveBeenCalledTimes(1);
  });

  test('a wait that throws (Ctrl-C) ends the loop with that error', async () => {
    // Prepare
    const send = jest.fn(async () => {
      throw awsError('ThrottlingException');
    });

    // Act
    const outcome = retryPatiently(send, 4, async () => {
      throw new Error('interrupted');
    });

    // Assess
    await expect(outcome).rejects.toThrow('interrupted');
    expect(send).toHaveBeenCalledTimes(1);
  });
});
