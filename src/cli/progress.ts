/**
 * Progress display: a bar redrawn in place on a terminal, plain lines otherwise (CI logs, pipes, files).
 *
 * Shows items done, items per second (over the last ~10 s, so it follows rate changes) and an ETA from the
 * expected total — DynamoDB's approximate ItemCount, refreshed about every six hours, so the ETA is a guide and the
 * bar stops at 99% rather than lie when the table has grown. The last line of a finished run shows the run's
 * average rate and no ETA (the recent rate there is often 0: the end of a run is waiting, not copying). Writes to
 * stderr; results go to stdout.
 */

/** Where progress goes and how. */
export interface ProgressOptions {
  /** 'bar' redraws one line with \r, 'lines' prints a line every `intervalMs`, 'none' prints nothing. */
  readonly mode: 'bar' | 'lines' | 'none';
  readonly write: (text: string) => void;
  /** Between redraws (bar) or lines. */
  readonly intervalMs: number;
  readonly now?: () => number;
}

/** What the display shows; the runner updates it. */
export interface ProgressCounts {
  /** Items processed so far (the bar's numerator). */
  done: number;
  /** Items expected in total, 0 when unknown. */
  expected: number;
  /** Extra text after the figures, e.g. `written 10 present 2`. */
  detail: string;
}

const BAR_WIDTH = 24;

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** Thousands separators without locale surprises: 1234567 → 1,234,567. */
export function formatCount(value: number): string {
  return Math.round(value)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** How a run ended, for its last line: the bar fills to 100% only for a complete one. */
export type ProgressEnd = 'complete' | 'incomplete';

/**
 * Renders one progress line from counts, rate and elapsed time (pure, for tests and both modes). The last line (an
 * `end` given) is given the run's average rate, labelled so, and has no ETA: nothing is left to estimate.
 */
export function renderProgress(
  counts: ProgressCounts,
  ratePerSecond: number,
  elapsedSeconds: number,
  withBar: boolean,
  end?: ProgressEnd,
): string {
  const { done, expected } = counts;
  const complete = end === 'complete';
  const final = end !== undefined;
  const fraction = expected > 0 ? Math.min(complete ? 1 : 0.99, done / expected) : complete ? 1 : 0;
  const finished = expected > 0 && done >= expected;
  const eta = expected > 0 && ratePerSecond > 0 && !finished ? formatDuration((expected - done) / ratePerSecond) : '?';
  const total = expected > 0 ? `/~${formatCount(expected)}` : '';
  const bar = withBar
    ? `[${'#'.repeat(Math.round(fraction * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')}] ${String(Math.floor(fraction * 100)).padStart(2)}% `
    : '';
  const detail = counts.detail ? ` | ${counts.detail}` : '';
  const timing = final
    ? `${formatCount(ratePerSecond)}/s average, elapsed ${formatDuration(elapsedSeconds)}`
    : `${formatCount(ratePerSecond)}/s, elapsed ${formatDuration(elapsedSeconds)}, ETA ${eta}`;
  return `${bar}${formatCount(done)}${total} items, ${timing}${detail}`;
}

/** A running progress display. */
export class Progress {
  public readonly counts: ProgressCounts = { done: 0, expected: 0, detail: '' };
  private timer: NodeJS.Timeout | undefined;
  private readonly startedAt: number;
  /** Items already done when the display started (a resumed run's earlier runs), left out of the average rate. */
  private doneAtStart = 0;
  /** (time, done) samples of the last ~10 s, for the current rate. */
  private samples: Array<[number, number]> = [];
  private lastLength = 0;

  public constructor(
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.startedAt = this.now();
  }

  private now(): number {
    return (this.options.now ?? (() => performance.now()))();
  }

  /** Starts periodic output. */
  public start(): void {
    if (this.options.mode === 'none' || this.timer) return;
    this.doneAtStart = this.counts.done;
    this.timer = setInterval(() => this.render(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Items per second over the recent window (or since the start). */
  public rate(): number {
    const now = this.now();
    this.samples.push([now, this.counts.done]);
    while (this.samples.length > 2 && now - (this.samples[1] as [number, number])[0] > 10_000) this.samples.shift();
    const [since, doneThen] = this.samples[0] as [number, number];
    const seconds = (now - since) / 1000;
    return seconds > 0 ? (this.counts.done - doneThen) / seconds : 0;
  }

  /** Items per second over the whole run (this run's items only). */
  private averageRate(elapsedSeconds: number): number {
    return elapsedSeconds > 0 ? (this.counts.done - this.doneAtStart) / elapsedSeconds : 0;
  }

  private render(end?: ProgressEnd): void {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const rate = end ? this.averageRate(elapsed) : this.rate();
    const line = `${this.label} ${renderProgress(this.counts, rate, elapsed, this.options.mode === 'bar', end)}`;
    if (this.options.mode === 'bar') {
      const padding = ' '.repeat(Math.max(0, this.lastLength - line.length));
      this.options.write(`\r${line}${padding}`);
      this.lastLength = line.length;
    } else {
      this.options.write(`${line}\n`);
    }
  }

  /** Stops output; a bar gets a last redraw (100% when the work is complete) and its line is ended. */
  public stop(complete = false): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.mode === 'bar' && this.lastLength > 0) {
      this.render(complete ? 'complete' : 'incomplete');
      this.options.write('\n');
    }
  }
}
