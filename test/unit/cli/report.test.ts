import type { BackfillSummary } from '../../../src/cli/backfill/backfill';
import { backfillExitCode, formatBackfill, formatSegments } from '../../../src/cli/report';

describe('formatSegments', () => {
  it('writes all, single segments and ranges briefly', () => {
    expect(formatSegments([0, 1, 2, 3], 4)).toBe('all 4');
    expect(formatSegments([0, 1, 2, 5, 7, 8], 16)).toBe('0-2,5,7-8 of 16');
  });
});

/** A complete watched backfill's summary with the given counts of this run. */
function summary(counts: Partial<BackfillSummary['thisRun']>): BackfillSummary {
  return {
    command: 'backfill',
    master: 'us-east-1/Orders',
    slave: 'eu-west-1/Copy',
    writeMode: 'watched',
    totalSegments: 4,
    segments: [0, 1, 2, 3],
    complete: true,
    interrupted: false,
    resumed: false,
    thisRun: {
      scanned: 1000,
      written: 990,
      present: 10,
      skipped: 0,
      undone: 0,
      refreshed: 0,
      failed: 0,
      rechecked: 0,
      seconds: 2,
      itemsPerSecond: 500,
      ...counts,
    },
    total: { scanned: 1000, written: 990, present: 10 },
    failures: [],
  };
}

describe('formatBackfill', () => {
  it('names the mode and says nothing of re-checks when the stream showed no change', () => {
    // Act
    const text = formatBackfill(summary({}));

    // Assess
    expect(text).toContain('backfill us-east-1/Orders -> eu-west-1/Copy (watched writes, segments all 4): complete');
    expect(text).toContain('written 990, already present 10, failed 0\n');
    expect(text).not.toContain('re-checked');
  });

  it('reports the items the stream showed changing, and those put right, of a watched run', () => {
    // Act
    const text = formatBackfill(summary({ rechecked: 12, refreshed: 3, undone: 2 }));

    // Assess
    expect(text).toContain(
      'refreshed 3 (changed on the master while being copied), undone 2 (deleted on the master while being copied)',
    );
    expect(text).toContain("re-checked 12 items the master's stream showed changing during the run");
    expect(backfillExitCode(summary({ rechecked: 12 }))).toBe(0);
  });

  it('reports the items the hooks filtered out only when there are some', () => {
    expect(formatBackfill(summary({ skipped: 7 }))).toContain('filtered out by the hooks (not copied): 7');
    expect(formatBackfill(summary({}))).not.toContain('filtered out');
    expect(backfillExitCode(summary({ skipped: 7 }))).toBe(0);
  });
});
