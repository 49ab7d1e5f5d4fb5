/**
 * The `conditional` write mode (safe while the replicator runs, one request per item): PutItem with
 * `attribute_not_exists(<partition key>)`, so a copy lands only where the slave lacks the item and never replaces a
 * version the stream already wrote (a failed condition counts as "already present"). A page is first checked with a
 * keys-only BatchGetItem on the slave while the slave turns out to hold much of it (a rerun, a resume), so present
 * items cost a read instead of a write. After a page is written, a consistent BatchGetItem on the master finds
 * copies of items the master deleted since the scan — the stream's delete may have reached the slave before our
 * copy did — and removes them again with a compare-and-set delete (only if the slave still holds exactly our copy).
 */
import type { Item } from '../../../shared/item';
import type { PageOutcome, PageWriter, PresenceCheck } from './pageWriter';
import { PageWrites, type WriteContext } from './writes';

/** Writes pages in the `conditional` mode. */
export class ConditionalWriter implements PageWriter {
  private readonly writes: PageWrites;

  public constructor(context: WriteContext) {
    this.writes = new PageWrites(context);
  }

  public async writePage(items: readonly Item[], presence: PresenceCheck): Promise<PageOutcome> {
    const lookup = await this.writes.lookUp(items, presence, false);
    return this.writes.settle(lookup, await this.writes.putEach(lookup.toWrite), 'deletions');
  }
}
