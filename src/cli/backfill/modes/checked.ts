/**
 * The `checked` write mode (safe while the replicator runs, about 4× faster than `conditional`). For each page:
 * 1. a consistent keys-only BatchGetItem on the slave keeps only the items the slave lacks;
 * 2. those are written with BatchWriteItem, 25 per call;
 * 3. a consistent BatchGetItem on the master then reads the copied items again. Where the master's item now differs
 *    from our copy (the stream may have written a newer version to the slave between 1 and 2, which our copy
 *    replaced) or is gone (deleted since the scan), a compare-and-set puts the master's current item on the slave,
 *    or deletes our copy — only if the slave still holds exactly our copy, so anything the stream wrote after our
 *    copy stays.
 * A copy can therefore replace a newer stream write only for the moment between steps 1 and 2, and step 3 corrects
 * it before the page counts as done. It costs two reads of 100 keys per four 25-item writes, instead of one request
 * per item.
 */
import type { Item } from '../../../shared/item';
import type { PageOutcome, PageWriter } from './pageWriter';
import { PageWrites, type WriteContext } from './writes';

/** Writes pages in the `checked` mode. */
export class CheckedWriter implements PageWriter {
  private readonly writes: PageWrites;

  public constructor(context: WriteContext) {
    this.writes = new PageWrites(context);
  }

  /** Needs the truth (a consistent read) for every item, whatever the run's presence check suggests. */
  public async writePage(items: readonly Item[]): Promise<PageOutcome> {
    const lookup = await this.writes.lookUp(items, 'all', true);
    return this.writes.settle(lookup, await this.writes.putBatches(lookup.toWrite), 'refresh');
  }
}
