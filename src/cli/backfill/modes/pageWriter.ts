/**
 * The one interface every write mode of the backfill implements, so the run reads pages the same way whatever the
 * mode, and the mode is chosen once per run instead of on every page.
 */
import type { Item } from '../../../shared/item';

/**
 * Whether a page's items are first looked up on the slave (where present ones cost a read instead of a write):
 * `probe` looks up the first 100 only, `all` every one, `none` none.
 */
export type PresenceCheck = 'probe' | 'all' | 'none';

/** Keep checking a segment's pages for present items while at least this share of what was looked up was present. */
export const PRESENT_SHARE_TO_KEEP_CHECKING = 0.05;

/** What writing one page came to; the run commits the page's resume key only when nothing failed. */
export interface PageOutcome {
  readonly written: number;
  readonly present: number;
  readonly failed: number;
  /** Of the items looked up on the slave, the share found present (0 when none was looked up). */
  readonly presentShare: number;
}

/** Writes a run's pages in one write mode. */
export interface PageWriter {
  /** Resolves when each of the page's items is written (and checked), present or failed. */
  writePage(items: readonly Item[], presence: PresenceCheck): Promise<PageOutcome>;
  /**
   * Called once after the last page, for a mode with work of its own outside the pages. `complete`: every segment
   * was read to its end and nothing stopped the run.
   */
  finish?(complete: boolean): Promise<void>;
}
