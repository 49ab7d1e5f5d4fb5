import { formatCount, Progress, renderProgress } from '../../../src/cli/progress';

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

/** A bar redrawn every `intervalMs` on a clock the test moves: `advance` moves the clock and Jest's timers together. */
function clockedBar(intervalMs: number): { progress: Progress; lines: string[]; advance(ms: number): void } {
  jest.useFakeTimers();
  let clock = 0;
  const lines: string[] = [];
  const progress = new Progress('backfill', {
    mode: 'bar',
    write: (text) => lines.push(text),
    intervalMs,
    now: () => clock,
  });
  const advance = (ms: number): void => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };
  return { progress, lines, advance };
}

describe('the last progress line', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('shows the average rate, labelled, and no ETA; the bar is full only when the run is complete', () => {
    // Prepare
    const counts = { done: 3000, expected: 3000, detail: '' };

    // Act
    const complete = renderProgress(counts, 1250, 2.4, true, 'complete');
    const stopped = renderProgress({ ...counts, done: 1200 }, 500, 2.4, true, 'incomplete');

    // Assess
    expect(complete).toBe('[########################] 100% 3,000/~3,000 items, 1,250/s average, elapsed 0:02');
    expect(stopped).toBe('[##########..............] 40% 1,200/~3,000 items, 500/s average, elapsed 0:02');
  });

  it('after a quiet end (no item in the last 10 s) the bar ends with the run’s average rate, not 0/s and ETA ?', () => {
    // Prepare: a clock the test moves, a bar redrawn every 250 ms, 2,000 items in 4 s, then 12 s of waiting.
    const { progress, lines, advance } = clockedBar(250);
    progress.counts.expected = 2000;
    progress.start();
    for (let step = 1; step <= 16; step += 1) {
      progress.counts.done = step * 125;
      advance(250);
    }
    advance(12_000);
    const quietLine = lines.at(-1) ?? '';

    // Act
    progress.stop(true);

    // Assess: while running, the recent rate had fallen to 0; the last line shows 2,000 items / 16 s.
    expect(quietLine).toContain('0/s, elapsed 0:16, ETA ?');
    const last = lines.at(-2) ?? '';
    expect(last).toContain('2,000/~2,000 items, 125/s average, elapsed 0:16');
    expect(last).not.toContain('ETA');
    expect(lines.at(-1)).toBe('\n');
  });

  it('leaves the items of earlier runs (a resumed backfill) out of the average rate', () => {
    // Prepare: 1,000 items done by an earlier run, 500 more in 5 s by this one.
    const { progress, lines, advance } = clockedBar(1000);
    progress.counts.done = 1000;
    progress.start();
    progress.counts.done = 1500;
    advance(5000);

    // Act
    progress.stop(false);

    // Assess
    expect(lines.at(-2)).toContain('1,500 items, 100/s average, elapsed 0:05');
  });
});
