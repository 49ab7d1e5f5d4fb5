/**
 * Which errors are worth another try, including the SDK's wrapper of a network error thrown from another realm (a
 * test runner's vm context), whose name and code survive only in its message.
 */
import { isTransient } from '../../../src/shared/awsErrors';

const wrapped = (text: string): Error => new Error(`AWS SDK error wrapper for ${text}`);

describe('isTransient', () => {
  test('throttling, 5xx answers and dropped connections are transient; a validation error is not', () => {
    // Act
    const answers = [
      Object.assign(new Error('slow down'), { name: 'ThrottlingException' }),
      Object.assign(new Error('oops'), { name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      Object.assign(new Error('bad item'), { name: 'ValidationException', $metadata: { httpStatusCode: 400 } }),
    ].map(isTransient);

    // Assess
    expect(answers).toEqual([true, true, true, false]);
  });

  test("the SDK's wrapper of a network error from another realm is transient by the name or code in its message", () => {
    // Act
    const answers = [
      wrapped('TimeoutError: read ECONNRESET'),
      wrapped('Error: socket hang up ECONNRESET'),
      wrapped('Error: connect ECONNREFUSED 127.0.0.1:8000'),
      wrapped('Error: something else'),
      new Error('TimeoutError: read ECONNRESET'),
    ].map(isTransient);

    // Assess
    expect(answers).toEqual([true, true, true, false, false]);
  });
});
