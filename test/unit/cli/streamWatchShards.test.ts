/**
 * StreamWatcher (src/cli/backfill/streamWatch.ts): where it starts reading, which keys it reports, and the shards it
 * follows as they close — against the in-memory stream of streamWatchFixture.ts.
 *
 * Proves:
 * - start(): a first run positions open shards at LATEST and skips shards closed before the start; a resumed run
 *   (fromTrimHorizon) reads every shard, open or closed, from TRIM_HORIZON; DescribeStream is paged.
 * - a shard closed before a first run's start is not read at a later shard refresh either.
 * - keys of records (S, N, B; "1.0" and "1" are one number) reach onKeys once per item; hasChanged() is true for
 *   exactly those items; stats count records and distinct items.
 * - a closed shard read to its end is dropped and its child, listed by a later DescribeStream, is read from
 *   TRIM_HORIZON; caughtUp() resolves only once that child has been read.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { DescribeStreamCommand } from '@aws-sdk/client-dynamodb-streams';
import { itemKeyOf } from '../../../src/shared/key';
import { STREAM_ARN, s, useStreamWatchFixture } from './streamWatchFixture';

describe('StreamWatcher', () => {
  const fx = useStreamWatchFixture();

  describe('start', () => {
    it('a first run starts open shards at LATEST and never reads shards closed before the start', async () => {
      // Prepare: two shards closed before the start (with old changes) and two open shards with old changes.
      fx.stream.shard('closed-1', { closed: true, keys: [s('old-closed-1')] });
      fx.stream.shard('closed-2', { parent: 'closed-1', closed: true, keys: [s('old-closed-2')] });
      fx.stream.shard('open-1', { parent: 'closed-2', keys: [s('old-open-1')] });
      fx.stream.shard('open-2', { keys: [s('old-open-2')] });
      const watch = fx.watcher();

      // Act: start, then changes on both open shards, then wait for a pass after them.
      await watch.start();
      fx.stream.get('open-1').keys.push(s('new-1'));
      fx.stream.get('open-2').keys.push(s('new-2'));
      await watch.caughtUp();

      // Assess: only the open shards were positioned, at LATEST; only the changes after the start were seen.
      expect(fx.stream.readerPositions()).toEqual([
        { shardId: 'open-1', type: 'LATEST' },
        { shardId: 'open-2', type: 'LATEST' },
      ]);
      const readShards = fx.stream.reads.map((read) => read.shardId);
      expect(readShards).not.toContain('closed-1');
      expect(readShards).not.toContain('closed-2');
      expect(fx.mock.commandCalls(DescribeStreamCommand)[0]?.args[0].input.StreamArn).toBe(STREAM_ARN);
      expect(fx.deliveredIds().sort()).toEqual([itemKeyOf(s('new-1')), itemKeyOf(s('new-2'))].sort());
      expect(watch.hasChanged(itemKeyOf(s('old-open-1')))).toBe(false);
      expect(watch.hasChanged(itemKeyOf(s('old-closed-1')))).toBe(false);
    });

    it('a resumed run (fromTrimHorizon) reads every shard, open and closed, from TRIM_HORIZON', async () => {
      // Prepare: the same stream: two closed shards and two open shards, each with a change from before the start.
      fx.stream.shard('closed-1', { closed: true, keys: [s('old-closed-1')] });
      fx.stream.shard('closed-2', { parent: 'closed-1', closed: true, keys: [s('old-closed-2')] });
      fx.stream.shard('open-1', { parent: 'closed-2', keys: [s('old-open-1')] });
      fx.stream.shard('open-2', { keys: [s('old-open-2')] });
      const watch = fx.watcher({ fromTrimHorizon: true });

      // Act
      await watch.start();
      await watch.caughtUp();

      // Assess: every shard positioned at TRIM_HORIZON, and every change the stream holds was seen.
      expect([...fx.stream.positionedAt('TRIM_HORIZON')].sort()).toEqual(['closed-1', 'closed-2', 'open-1', 'open-2']);
      expect(fx.stream.positionedAt('LATEST')).toEqual([]);
      expect(fx.deliveredIds().sort()).toEqual(
        ['old-closed-1', 'old-closed-2', 'old-open-1', 'old-open-2'].map((pk) => itemKeyOf(s(pk))).sort(),
      );
    });

    // start() records a shard closed before a first run's start as known, so a later refreshShards() (as soon as any
    // shard closes, or every 10 s) does not take it for a new child and read it from TRIM_HORIZON: the changes of the
    // last 24 hours held in closed shards do not count as changes during the backfill.
    it('a first run does not read a shard closed before the start even after a later shard refresh', async () => {
      // Prepare: a shard closed before the start, and an open shard.
      fx.stream.shard('closed-before', { closed: true, keys: [s('old')] });
      fx.stream.shard('open', { keys: [] });
      const watch = fx.watcher();
      await watch.start();

      // Act: the open shard closes (which makes the watcher list the shards again) and a child takes over.
      fx.stream.get('open').keys.push(s('last'));
      fx.stream.get('open').closed = true;
      fx.stream.shard('child', { parent: 'open', keys: [s('in-child')] });
      await fx.seen(s('in-child'));
      await watch.caughtUp();

      // Assess: the child was read from TRIM_HORIZON, the shard closed before the start never.
      expect(fx.stream.positionedAt('TRIM_HORIZON')).toEqual(['child']);
      expect(watch.hasChanged(itemKeyOf(s('old')))).toBe(false);
    });
  });

  describe('keys', () => {
    it('each changed item reaches onKeys once, whatever the spelling of its number key; hasChanged() and stats agree', async () => {
      // Prepare: two open shards, records served one page of 2 at a time.
      fx.stream.shard('a', { keys: [] });
      fx.stream.shard('b', { keys: [] });
      fx.stream.recordsPerCall = 2;
      const watch = fx.watcher();
      await watch.start();
      const bytes = Uint8Array.from([1, 2, 3]);

      // Act: changes of S, N and B keys, some items changed twice, on both shards and in two rounds.
      fx.stream.get('a').keys.push(s('order-1'), { pk: { N: '1.0' } }, { pk: { B: bytes } }, s('order-1'));
      fx.stream.get('b').keys.push({ pk: { N: '1' } }, { pk: { B: Uint8Array.from([1, 2, 3]) } });
      await watch.caughtUp();
      fx.stream.get('b').keys.push(s('order-1'), { pk: { N: '10e-1' } }, s('order-2'));
      await watch.caughtUp();

      // Assess: four distinct items, each delivered once; nine records read.
      const expected = [s('order-1'), { pk: { N: '1' } }, { pk: { B: bytes } }, s('order-2')].map((key) =>
        itemKeyOf(key),
      );
      expect(fx.deliveredIds()).toHaveLength(4);
      expect(fx.deliveredIds().sort()).toEqual([...expected].sort());
      for (const id of expected) expect(watch.hasChanged(id)).toBe(true);
      expect(watch.hasChanged(itemKeyOf(s('order-3')))).toBe(false);
      expect(watch.hasChanged(itemKeyOf({ pk: { N: '2' } }))).toBe(false);
      expect(watch.hasChanged(itemKeyOf({ pk: { B: Uint8Array.from([1, 2]) } }))).toBe(false);
      expect(watch.stats.records).toBe(9);
      expect(watch.stats.changedItems).toBe(4);
      expect(watch.stats.passes).toBeGreaterThanOrEqual(2);
    });
  });

  describe('shards that close', () => {
    it('a closed shard read to its end is dropped, and its child (listed later) is read from TRIM_HORIZON', async () => {
      // Prepare: one open shard, started at LATEST.
      fx.stream.shard('parent', { keys: [s('before-start')] });
      const watch = fx.watcher();
      await watch.start();
      const childSeen = fx.seen(s('in-child-2'));

      // Act: a last change on the parent, the parent closes, and a child shard appears with changes of its own.
      fx.stream.get('parent').keys.push(s('last-in-parent'));
      fx.stream.get('parent').closed = true;
      fx.stream.shard('child', { parent: 'parent', keys: [s('in-child-1'), s('in-child-2')] });
      // Waits for the child's last change first: by then the parent has answered its last page, so any read of it
      // counted after this point would be one too many.
      await childSeen;
      const readsOfParent = fx.stream.reads.filter((read) => read.shardId === 'parent').length;
      await watch.caughtUp();
      await watch.caughtUp();

      // Assess: the child was found (a DescribeStream after the start) and read from its beginning; the parent was
      // not read again once it answered without NextShardIterator; its last change and the child's were all seen.
      expect(fx.mock.commandCalls(DescribeStreamCommand).length).toBeGreaterThan(1);
      expect(fx.stream.readerPositions()).toEqual([
        { shardId: 'parent', type: 'LATEST' },
        { shardId: 'child', type: 'TRIM_HORIZON' },
      ]);
      expect(fx.stream.reads.filter((read) => read.shardId === 'parent')).toHaveLength(readsOfParent);
      expect(fx.stream.reads.filter((read) => read.shardId === 'child')[0]).toEqual({ shardId: 'child', position: 0 });
      expect(fx.deliveredIds().sort()).toEqual(
        ['last-in-parent', 'in-child-1', 'in-child-2'].map((pk) => itemKeyOf(s(pk))).sort(),
      );
      expect(watch.hasChanged(itemKeyOf(s('before-start')))).toBe(false);
    });

    // The pass that finds a shard closed drops it and makes the shards due to be listed again; no caughtUp() resolves
    // while they are due (resolveWaiters), so the child — which may already carry changes made before the call — is
    // listed and read first, and the backfill does not stop watching before it has seen those items.
    it('caughtUp() resolves only after the child of a shard that closed before the call has been read', async () => {
      // Prepare: one open shard, started at LATEST.
      fx.stream.shard('parent', { keys: [] });
      const watch = fx.watcher();
      await watch.start();

      // Act: the parent closes and its child carries a change; then the caller waits for the fx.stream.
      fx.stream.get('parent').closed = true;
      fx.stream.shard('child', { parent: 'parent', keys: [s('changed-in-child')] });
      await watch.caughtUp();

      // Assess: the change made before caughtUp() was seen by the time it resolved.
      expect(watch.hasChanged(itemKeyOf(s('changed-in-child')))).toBe(true);
    });
  });
});
