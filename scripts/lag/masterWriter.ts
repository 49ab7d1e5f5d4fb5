/**
 * The master's load in `npm run bench:lag`: change i writes version i of item i mod `keys`, at `rate` changes/s.
 *
 * Every {@link TICK_MS} the changes that came due go out as `BatchWriteItem` calls of at most 25 items, and each
 * change counts as acknowledged when the call that carried it is answered. On AWS a hot partition's writes come from
 * many clients and cost the replicator nothing; here they cost the one DynamoDB Local that also serves the stream and
 * the slave, and a request per change (`PutItem`) made the writer, not the replicator, what capped the rate. The
 * stream sees the same records either way: one per changed item, in the order the writes were applied.
 *
 * An item is never in two calls in flight (calls may be applied in any order, and an item's versions must reach the
 * master, its stream and the ledger in rising order): the changes in flight always span at most `keys` indices.
 */
import { BATCH_WRITE_LIMIT } from '../../src/shared/batchLimits';
import { sleep } from '../../src/shared/sleep';

/** How often the writer sends what came due: 50 times a second, 20 changes a call at 1,000 changes/s. */
export const TICK_MS = 20;
/** Calls in flight at most (the SDK's default socket pool is 50). */
export const MAX_CALLS_IN_FLIGHT = 50;

/** What the writer needs to know of the run. */
export interface MasterLoad {
  readonly rate: number;
  readonly seconds: number;
  /** Items the changes cycle over. */
  readonly keys: number;
}

/**
 * How many changes the next call carries, from change `next` on: up to 25, no further than `due`, and so that the
 * changes in flight (from `lowestInFlight`, the first change of the oldest call not answered, or `next` when none is)
 * span at most `keys` indices, which makes their items distinct. 0: wait for an answer or for more to come due.
 */
export function nextCallSize(next: number, due: number, lowestInFlight: number, keys: number): number {
  return Math.max(0, Math.min(BATCH_WRITE_LIMIT, due - next, keys - (next - lowestInFlight)));
}

/**
 * Writes the master at the rate asked for through `send(first, count)`, which writes changes first … first+count-1 in
 * one call and resolves once it is answered; resolves with the changes/s the master actually took. `stopped` returns
 * an error (a failed poll, Ctrl-C) that ends the writes.
 */
export async function writeMaster(
  load: MasterLoad,
  send: (first: number, count: number) => Promise<void>,
  stopped: () => unknown,
): Promise<{ written: number; perSecond: number }> {
  const total = load.rate * load.seconds;
  const started = Date.now();
  const inFlight = new Set<number>();
  let next = 0;
  let failure: unknown;
  while (next < total || inFlight.size > 0) {
    failure ??= stopped();
    if (failure) throw failure;
    const due = Math.min(total, Math.floor(((Date.now() - started) * load.rate) / 1000) + 1);
    for (;;) {
      const lowest = inFlight.size > 0 ? Math.min(...inFlight) : next;
      const count = inFlight.size < MAX_CALLS_IN_FLIGHT ? nextCallSize(next, due, lowest, load.keys) : 0;
      if (count === 0) break;
      const first = next;
      inFlight.add(first);
      send(first, count).then(
        () => inFlight.delete(first),
        (error: unknown) => {
          inFlight.delete(first);
          failure ??= error;
        },
      );
      next += count;
    }
    await sleep(next < total ? TICK_MS : 2);
  }
  if (failure) throw failure;
  return { written: total, perSecond: (total * 1000) / (Date.now() - started) };
}
