import { formatSegments } from '../../../src/tools/report';

describe('formatSegments', () => {
  it('writes all, single segments and ranges briefly', () => {
    expect(formatSegments([0, 1, 2, 3], 4)).toBe('all 4');
    expect(formatSegments([0, 1, 2, 5, 7, 8], 16)).toBe('0-2,5,7-8 of 16');
  });
});
