/**
 * Reading one scan segment page by page, with the next page already requested while the caller works on the
 * current one — so writing and scanning overlap and the scan is rarely what the run waits for.
 */
import type { Item } from '../../shared/item';
import type { ScanPage, TableAccess } from './tableAccess';

/** Which part of the table to read. */
export interface SegmentScan {
  readonly segment: number;
  readonly totalSegments: number;
  /** Resume after this key (from the state file). */
  readonly startKey?: Item;
  readonly pageSize: number;
  readonly keysOnly?: boolean;
}

/**
 * Items in a segment's first page at most. Nothing can be written before a first page arrives, and every segment
 * asks for its first page at once: with full-size first pages the run would wait for segments × pageSize items to
 * be read before its first write. A small first page starts the writes early; the next, full-size page is read
 * while it is written.
 */
const FIRST_PAGE_SIZE = 100;

/** The pages of one segment, one request ahead. Stop iterating to stop reading. */
export async function* scanSegment(table: TableAccess, scan: SegmentScan): AsyncGenerator<ScanPage> {
  const request = (startKey: Item | undefined, limit: number): Promise<ScanPage> => {
    const page = table.scanPage({
      segment: scan.segment,
      totalSegments: scan.totalSegments,
      startKey,
      limit,
      keysOnly: scan.keysOnly,
    });
    // A prefetched page may be abandoned when the caller stops early; its error must not surface as unhandled.
    page.catch(() => undefined);
    return page;
  };
  let next: Promise<ScanPage> | undefined = request(scan.startKey, Math.min(scan.pageSize, FIRST_PAGE_SIZE));
  while (next) {
    const page: ScanPage = await next;
    next = page.lastKey ? request(page.lastKey, scan.pageSize) : undefined;
    yield page;
  }
}
