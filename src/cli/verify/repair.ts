/**
 * Making the slave match the master for one confirmed difference, without undoing what the stream writes meanwhile.
 *
 * Every repair is a compare-and-set against what the re-check just read on the slave: put the master's item where
 * the slave still lacks it, replace the slave's item only while it is still the differing version we saw, delete an
 * extra item only while it is still the one we saw. When the condition fails, the slave changed (the stream is
 * delivering something): both sides are read again and the repair is decided anew, a few times, before it is
 * reported as a conflict for the next run to look at.
 */
import type { Item } from '../../shared/item';
import { writeUnits } from '../table/itemSize';
import { type Pacer, UNLIMITED } from '../table/rateLimiter';
import type { ReplicaShape } from '../table/replica';
import type { TableAccess } from '../table/tableAccess';
import { itemsEqual } from './valueEquality';

/** How a repair ended. */
export type RepairOutcome =
  /** The slave now holds the master's version (or lacks the item, like the master). */
  | 'repaired'
  /** Before we wrote, the stream made the slave equal to the master. */
  | 'converged'
  /** The item kept changing under the repair; it is left as it is. */
  | 'conflict';

/** How many times a repair is decided anew after the slave changed under it. */
const ROUNDS = 3;

/**
 * Repairs the item whose current versions are `master` (as the replica hooks shape it: what the slave should hold)
 * and `slave` (undefined where a side lacks it). Each write first takes its write units from `writePacer`
 * (`--max-wcu`). Errors other than a failed condition (a HookError on a re-read included) are thrown for the caller
 * to count.
 */
export async function repairItem(
  tables: { master: TableAccess; slave: TableAccess; replica: ReplicaShape },
  key: Item,
  initial: { master?: Item; slave?: Item },
  writePacer: Pacer = UNLIMITED,
): Promise<RepairOutcome> {
  let { master, slave } = initial;
  for (let round = 0; round < ROUNDS; round += 1) {
    if (round > 0) {
      const [current, copy] = await Promise.all([tables.master.get(key), tables.slave.get(key)]);
      [master, slave] = [tables.replica.expected(current), copy];
      if ((!master && !slave) || (master && slave && itemsEqual(master, slave))) return 'converged';
    }
    await writePacer.take(writeUnits(master ?? slave ?? key));
    let result: 'written' | 'conflict';
    if (master && !slave) result = await tables.slave.putIfAbsent(master);
    else if (master && slave) result = await tables.slave.putIfUnchanged(master, slave);
    else if (slave) result = await tables.slave.deleteIfUnchanged(slave);
    else return 'converged';
    if (result === 'written') return 'repaired';
  }
  return 'conflict';
}
