/**
 * StreamWatcher.caughtUp() (src/cli/backfill/streamWatch.ts) — what lets a backfill count as complete — against the
 * in-memory stream of streamWatchFixture.ts.
 *
 * Proves: caughtUp() resolves only once every shard has been read past the call: an empty answer to a call sent after
 * it, or the shard read up to the first record written after it (so it also resolves while changes keep coming, and
 * only once everything written before it was read) — not on a pass already under way, not while a shard still
 * answers with older records; it ends the pause between passes early.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { itemKeyOf } from '../../../src/shared/key';
import { sleep } from '../../../src/shared/sleep';
import { holdGetRecordsCall, s, useStreamWatchFixture } from './streamWatchFixture';

describe('StreamWatcher', () => {
  const fx = useStreamWatchFixture();

  describe('caughtUp', () => {
    it('does not resolve on the completion of a pass that was already under way when it was called', async () => {
      // Prepare: one open shard; the 3rd GetRecords call is held back until the test lets it go.
      fx.stream.shard('a', { keys: [] });
      const third = holdGetRecordsCall(fx.stream, 3);
      const watch = fx.watcher();
      await watch.start();
      await third.reached;

      // Act: caughtUp() during the held pass, then the held answer (empty: that pass completes).
      let callsWhenResolved: number | undefined;
      const caught = watch.caughtUp().then(() => {
        callsWhenResolved = third.calls();
      });
      third.release();
      await caught;

      // Assess: it resolved only after at least one more GetRecords call, i.e. after a pass begun after the call.
      expect(callsWhenResolved).toBeGreaterThanOrEqual(4);
    });

    it('does not resolve while a shard still answers with records made before the call: it waits for the empty answer', async () => {
      // Prepare: one open shard; 25 changes, served one per GetRecords call (more than one pass's share of 10).
      fx.stream.shard('a', { keys: [] });
      fx.stream.recordsPerCall = 1;
      const watch = fx.watcher();
      await watch.start();
      for (let index = 0; index < 25; index += 1) fx.stream.get('a').keys.push(s(`item-${index}`));
      const readsBefore = fx.stream.reads.length;

      // Act
      await watch.caughtUp();

      // Assess: it resolved only once the shard answered empty: 25 reads with a record and one without.
      expect(fx.stream.reads.length - readsBefore).toBeGreaterThanOrEqual(26);
      expect(watch.stats.records).toBe(25);
      expect(fx.deliveredIds()).toHaveLength(25);
    });

    it('resolves while changes keep coming, once the shard is read up to the first record written after the call', async () => {
      // Prepare: one open shard with a backlog of 30 changes, served one per GetRecords call; and steady traffic:
      // every call adds a record first, so the shard never answers empty.
      fx.stream.shard('a', { keys: [] });
      fx.stream.recordsPerCall = 1;
      const watch = fx.watcher();
      await watch.start();
      const backlog = Array.from({ length: 30 }, (_, index) => s(`backlog-${index}`));
      fx.stream.get('a').keys.push(...backlog);
      let added = 0;
      fx.stream.onGetRecords = () => {
        fx.stream.get('a').keys.push(s(`busy-${added++}`));
      };

      // Act: (with only "an empty answer proves the shard quiet", this would wait forever: the test's timeout)
      await watch.caughtUp();

      // Assess: every change written before the call had been read when it resolved.
      expect(backlog.filter((key) => !watch.hasChanged(itemKeyOf(key)))).toEqual([]);
    });

    it('ends the pause between passes early: resolves long before a pollIntervalMs of 10 minutes', async () => {
      // Prepare: a watcher that would wait 10 minutes between passes that found nothing.
      fx.stream.shard('a', { keys: [] });
      const watch = fx.watcher({ pollIntervalMs: 600_000 });
      await watch.start();
      // The first pass (answered at once by the mock) ends in the pause; a timer tick later the loop is in it.
      await sleep(20);
      expect(watch.stats.passes).toBe(1);
      fx.stream.get('a').keys.push(s('changed'));

      // Act: (the test's 5 s timeout fails it if the pause is not ended)
      await watch.caughtUp();

      // Assess
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
    }, 5000);
  });
});
