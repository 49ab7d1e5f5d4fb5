import { formatCount, renderProgress } from '../../../src/cli/progress';

describe('progress line', () => {
  it('shows counts, rate, ETA from the expected total, and the bar only on a terminal', () => {
    const counts = { done: 2500, expected: 10_000, detail: 'written 2,500' };
    expect(renderProgress(counts, 500, 5, false)).toBe(
      '2,500/~10,000 items, 500/s, elapsed 0:05, ETA 0:15 | written 2,500',
    );
    expect(renderProgress(counts, 500, 5, true)).toMatch(/^\[######\.{18}\] 25% 2,500/);
  });

  it('says the ETA is unknown without an item count, and caps the bar at 99% when the count was too low', () => {
    expect(renderProgress({ done: 10, expected: 0, detail: '' }, 5, 2, false)).toContain('ETA ?');
    expect(renderProgress({ done: 120, expected: 100, detail: '' }, 5, 2, true)).toContain('99%');
  });

  it('formats counts with thousands separators', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12)).toBe('12');
  });
});
