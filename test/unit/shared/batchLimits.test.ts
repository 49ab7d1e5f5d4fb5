import { BATCH_WRITE_LIMIT, chunk } from '../../../src/shared/batchLimits';

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
