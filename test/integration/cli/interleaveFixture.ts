/**
 * The race tests' window (race.test.ts, fromExportRace.test.ts): the backfill's requests go through a proxy that
 * notes, at each write of copies to the slave, how many changes the changer had made by then, and — until
 * `windowChanges` have been made since the first copy — holds each such write until the changer has made `step`
 * (2 by default) more changes than the previous write waited for. The changes interleave with the copies however
 * fast either side runs on a loaded machine.
 */
import { startHoldingProxy } from '../../../harness/holdingProxy';

/** A proxy interleaving copies with changes, and its counts. */
export interface Interleaving {
  /** Point the backfill here. */
  readonly endpoint: string;
  /** Changes made in all, and by the first and the last write of copies (-1 before any). */
  readonly changes: { made: number; atFirstCopy: number; atLastCopy: number };
  /** Counts one change made on the master (the changer's `onChange`). */
  changeMade(): void;
  /** Holds no more writes (the copying ended, or the test is over). */
  release(): void;
  close(): Promise<void>;
}

/** Starts the proxy in front of `target` for the writes of copies to `slaveTable`. */
export async function startInterleaving(
  target: string,
  slaveTable: string,
  windowChanges: number,
  step = 2,
): Promise<Interleaving> {
  const changes = { made: 0, atFirstCopy: -1, atLastCopy: -1 };
  let released = false;
  let required = 0;
  const waiting: Array<() => void> = [];
  const wake = (): void => {
    for (const resume of waiting.splice(0)) resume();
  };
  const proxy = await startHoldingProxy(target, {
    beforeForward: async (request) => {
      const copies = ['BatchWriteItem', 'PutItem'].includes(request.action);
      if (!copies || !request.body.includes(`"${slaveTable}"`)) return;
      if (changes.atFirstCopy < 0) changes.atFirstCopy = changes.made;
      if (changes.made - changes.atFirstCopy < windowChanges) {
        required = Math.max(required, changes.made) + step;
        const target = required;
        while (changes.made < target && !released) await new Promise<void>((resume) => waiting.push(resume));
      }
      changes.atLastCopy = changes.made;
    },
  });
  return {
    endpoint: proxy.endpoint,
    changes,
    changeMade: () => {
      changes.made += 1;
      wake();
    },
    release: () => {
      released = true;
      wake();
    },
    close: () => proxy.close(),
  };
}
