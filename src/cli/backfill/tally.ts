/**
 * The counts of a backfill run, kept in one place: the run, the write primitives and the `watched` mode's re-checker
 * all add to them, and the progress display and the summary read them.
 */
import { formatCount, type Progress } from '../progress';
import type { JsonItem } from '../table/attributeJson';

/** Item counts of a run. */
export interface BackfillCounts {
  /** Items read from the master. */
  scanned: number;
  /** Items copied to the slave. */
  written: number;
  /** Items the slave already had (written by the stream, or by an earlier run). */
  present: number;
  /** Items the replica's filter (`--hooks`) keeps off the slave: not copied (verify --repair removes old copies). */
  skipped: number;
  /** Copies removed again because the master deleted the item while it was being copied. */
  undone: number;
  /** Copies replaced by the master's current item because the master changed it while it was being copied (`checked`). */
  refreshed: number;
  /** Items that could not be written. */
  failed: number;
  /** Items the master's stream showed changing during the run, re-checked against the master (`watched`). */
  rechecked: number;
}

/** How one write of one or more items ended. */
export type Outcome = 'written' | 'present' | { failed: unknown };

/** The summary shows at most this many failed items (the reasons repeat; the state file knows where to resume). */
export const FAILURE_SAMPLE = 20;

/** The counts of one run, its sample of failures, and the progress display that shows them. */
export class Tally {
  public readonly counts: BackfillCounts = {
    scanned: 0,
    written: 0,
    present: 0,
    skipped: 0,
    undone: 0,
    refreshed: 0,
    failed: 0,
    rechecked: 0,
  };
  /** Up to {@link FAILURE_SAMPLE} failed items, with DynamoDB's reason. */
  public readonly failures: Array<{ key: JsonItem; error: string }> = [];

  public constructor(public readonly progress: Progress) {}

  /** Counts `items` items that ended with `outcome`, for the summary and the progress display. */
  public add(outcome: Outcome, items: number): void {
    if (outcome === 'written') this.counts.written += items;
    else if (outcome === 'present') this.counts.present += items;
    else this.counts.failed += items;
    this.progress.counts.done += items;
    this.updateDetail();
  }

  /** Keeps a failure for the summary while the sample has room; `key` is only worked out then. */
  public sampleFailure(key: () => JsonItem, error: string): void {
    if (this.failures.length < FAILURE_SAMPLE) this.failures.push({ key: key(), error });
  }

  /** Counts `items` items the replica's filter keeps off the slave (they count as done for the progress). */
  public skip(items: number): void {
    if (items === 0) return;
    this.counts.skipped += items;
    this.progress.counts.done += items;
    this.updateDetail();
  }

  public updateDetail(): void {
    const { written, present, skipped, undone, refreshed, failed, rechecked } = this.counts;
    this.progress.counts.detail =
      `written ${formatCount(written)}, present ${formatCount(present)}` +
      (skipped ? `, filtered out ${formatCount(skipped)}` : '') +
      (rechecked ? `, changed on the master ${formatCount(rechecked)}` : '') +
      (refreshed ? `, refreshed ${formatCount(refreshed)}` : '') +
      (undone ? `, undone ${formatCount(undone)}` : '') +
      (failed ? `, failed ${formatCount(failed)}` : '');
  }
}
