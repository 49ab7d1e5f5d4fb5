/**
 * The `batch` write mode (fast initial load, NOT safe while the replicator writes to the slave): unconditional
 * BatchWriteItem of 25 items, with no read at all. For a slave no replicator writes to yet; the "fast
 * initial load" procedure of docs/operations.md then replays the stream from its trim horizon over the copy.
 */
import type { Item } from '../../../shared/item';
import type { PageOutcome, PageWriter } from './pageWriter';
import { PageWrites, type WriteContext } from './writes';

/** Writes pages in the `batch` mode. */
export class BatchWriter implements PageWriter {
  private readonly writes: PageWrites;

  public constructor(context: WriteContext) {
    this.writes = new PageWrites(context);
  }

  /** Looks nothing up (so the run stops asking for lookups after the first page). */
  public async writePage(items: readonly Item[]): Promise<PageOutcome> {
    const lookup = { toWrite: items, present: 0, lookedUp: 0 };
    return this.writes.settle(lookup, await this.writes.putBatches(items));
  }
}
