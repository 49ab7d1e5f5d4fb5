import { BATCH_WRITE_LIMIT, chunk, entryOf } from '../../../src/shared/batchLimits';

describe('chunk', () => {
  test('cuts a list into runs of at most the size, in order', () => {
    // Prepare
    const items = Array.from({ length: 2 * BATCH_WRITE_LIMIT + 1 }, (_, index) => index);

    // Act
    const chunks = chunk(items, BATCH_WRITE_LIMIT);

    // Assess
    expect(chunks.map((part) => part.length)).toEqual([BATCH_WRITE_LIMIT, BATCH_WRITE_LIMIT, 1]);
    expect(chunks.flat()).toEqual(items);
  });

  test('an empty list gives no chunks; a size that is not a positive integer is refused', () => {
    // Act and assess
    expect(chunk([], 25)).toEqual([]);
    expect(() => chunk([1], 0)).toThrow(RangeError);
  });
});

describe('entryOf: the one table of a batch call’s answer', () => {
  const arn = 'arn:aws:dynamodb:eu-west-1:444455556666:table/Replica';

  test('the entry under the key the call sent', () => {
    // Act
    const entry = entryOf({ [arn]: ['unprocessed'] }, arn);

    // Assess
    expect(entry).toEqual(['unprocessed']);
  });

  test('an answer keyed by the table’s name for a call that sent its ARN still gives the unprocessed writes', () => {
    // Act
    const entry = entryOf({ Replica: ['unprocessed'] }, arn);

    // Assess
    expect(entry).toEqual(['unprocessed']);
  });

  test('no answer, or an empty one, gives nothing', () => {
    // Act
    const entries = [entryOf(undefined, arn), entryOf({}, arn)];

    // Assess
    expect(entries).toEqual([undefined, undefined]);
  });
});
