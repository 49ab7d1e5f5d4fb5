/**
 * StreamWatcher (src/cli/backfill/streamWatch.ts): how it meets errors and how it stops — against the in-memory stream
 * of streamWatchFixture.ts.
 *
 * Proves:
 * - ExpiredIteratorException / TrimmedDataAccessException re-position the shard at TRIM_HORIZON and reading goes on;
 *   a pass that only re-positioned a shard does not resolve caughtUp(); a 500 or LimitExceededException is retried
 *   and is not fatal.
 * - AccessDeniedException, ResourceNotFoundException and a disabled stream end the watcher with a ToolError that
 *   says what to change; stop() and every caughtUp() waiter reject with it.
 * - stop() and the abort signal end the background loop: no call after stop() resolved.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { ToolError } from '../../../src/cli/errors';
import { InterruptedError } from '../../../src/cli/table/tableAccess';
import { itemKeyOf } from '../../../src/shared/key';
import { sleep } from '../../../src/shared/sleep';
import { holdGetRecordsCall, STREAM_ARN, s, streamsError, useStreamWatchFixture } from './streamWatchFixture';

describe('StreamWatcher', () => {
  const fx = useStreamWatchFixture();

  describe('errors', () => {
    it.each(['ExpiredIteratorException', 'TrimmedDataAccessException'])(
      '%s on GetRecords re-positions the shard at TRIM_HORIZON and reading continues',
      async (name) => {
        // Prepare: one open shard with a change from before the start; started at LATEST.
        fx.stream.shard('a', { keys: [s('before-start')] });
        const watch = fx.watcher();
        await watch.start();

        // Act: a change, and the next GetRecords fails with the error.
        fx.stream.getRecordsErrors.push(streamsError(name));
        fx.stream.get('a').keys.push(s('after-start'));
        await watch.caughtUp();
        await watch.caughtUp();

        // Assess: positioned again at TRIM_HORIZON, and everything the shard holds (also from before the start, which
        // the watcher can no longer tell apart) was seen; the watcher carries on without error.
        expect(fx.stream.readerPositions()).toEqual([
          { shardId: 'a', type: 'LATEST' },
          { shardId: 'a', type: 'TRIM_HORIZON' },
        ]);
        expect(fx.deliveredIds().sort()).toEqual([itemKeyOf(s('after-start')), itemKeyOf(s('before-start'))].sort());
        fx.stream.get('a').keys.push(s('later'));
        await watch.caughtUp();
        expect(watch.hasChanged(itemKeyOf(s('later')))).toBe(true);
        await expect(watch.stop()).resolves.toBeUndefined();
      },
    );

    // After read() re-positions an expired or trimmed iterator the shard counts as unread (no empty answer since,
    // behind) until it has been read past the call again, so a pass that only re-positioned it does not resolve a
    // caughtUp(): the change made before the call is seen first.
    it('caughtUp() does not resolve on a pass that only re-positioned an expired iterator', async () => {
      // Prepare: one open shard, started at LATEST.
      fx.stream.shard('a', { keys: [] });
      const watch = fx.watcher();
      await watch.start();

      // Act: a change; the next GetRecords finds the iterator expired; the caller waits for the fx.stream.
      fx.stream.get('a').keys.push(s('changed'));
      fx.stream.getRecordsErrors.push(streamsError('ExpiredIteratorException'));
      await watch.caughtUp();

      // Assess
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
    });

    it('a 500 answer and throttling (LimitExceededException) on GetRecords are retried, not fatal', async () => {
      // Prepare: one open shard, started at LATEST.
      fx.stream.shard('a', { keys: [] });
      const watch = fx.watcher();
      await watch.start();

      // Act: a change; the next two GetRecords calls fail with transient errors.
      fx.stream.get('a').keys.push(s('changed'));
      fx.stream.getRecordsErrors.push(streamsError('InternalServerError', 500), streamsError('LimitExceededException'));
      await watch.caughtUp();

      // Assess: both errors were consumed by retries, the change was seen, and stop() reports no error.
      expect(fx.stream.getRecordsErrors).toHaveLength(0);
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
      await expect(watch.stop()).resolves.toBeUndefined();
    });

    it('AccessDeniedException on GetRecords: stop() and caughtUp() reject with a ToolError naming the actions the stream needs', async () => {
      // Prepare: one open shard; the 2nd GetRecords call waits for the test, then is denied.
      fx.stream.shard('a', { keys: [] });
      const second = holdGetRecordsCall(fx.stream, 2, () => streamsError('AccessDeniedException'));
      const watch = fx.watcher();
      await watch.start();
      await second.reached;

      // Act: a caller waits for the stream while the denied call is under way.
      const waiting = watch.caughtUp();
      second.release();

      // Assess: the waiter, stop() and any later caughtUp() reject with the same ToolError.
      const error = await waiting.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ToolError);
      const message = (error as ToolError).message;
      expect(message).toContain('dynamodb:GetRecords on the stream of table Orders in region eu-west-1');
      expect(message).toContain('dynamodb:DescribeStream, dynamodb:GetShardIterator and dynamodb:GetRecords');
      await expect(watch.stop()).rejects.toBe(error);
      await expect(watch.caughtUp()).rejects.toBe(error);
    });

    it('AccessDeniedException on DescribeStream or GetShardIterator: start() rejects with a ToolError naming that action', async () => {
      // Prepare
      fx.stream.shard('a', { keys: [] });
      fx.stream.describeErrors.push(streamsError('AccessDeniedException'));
      fx.stream.iteratorErrors.push(streamsError('AccessDeniedException'));

      // Act / Assess: the first start fails on DescribeStream, the second on GetShardIterator.
      const first = fx.watcher().start();
      await expect(first).rejects.toBeInstanceOf(ToolError);
      await expect(first).rejects.toThrow('dynamodb:DescribeStream on the stream of table Orders');
      const second = fx.watcher().start();
      await expect(second).rejects.toThrow('dynamodb:GetShardIterator on the stream of table Orders');
      await expect(second).rejects.toThrow(
        'dynamodb:DescribeStream, dynamodb:GetShardIterator and dynamodb:GetRecords',
      );
    });

    it('AccessDeniedException with the master behind its own role: the message names the master side and the role', async () => {
      // Prepare
      fx.stream.shard('a', { keys: [] });
      fx.stream.describeErrors.push(streamsError('AccessDeniedException'));
      const identity = 'the master side (role arn:aws:iam::111122223333:role/reader)';

      // Act
      const started = fx.watcher({ identity }).start();

      // Assess
      await expect(started).rejects.toThrow(
        `access denied: ${identity} needs the IAM action dynamodb:DescribeStream on the stream of table Orders in region eu-west-1`,
      );
    });

    it('ResourceNotFoundException: a ToolError saying the stream was not found, from start() and from the running watcher', async () => {
      // Prepare
      fx.stream.shard('a', { keys: [] });
      fx.stream.describeErrors.push(streamsError('ResourceNotFoundException'));

      // Act / Assess: at the start (DescribeStream) …
      await expect(fx.watcher().start()).rejects.toThrow(
        `the stream of eu-west-1/Orders (${STREAM_ARN}) was not found; ` +
          'the replicator cannot run without it — enable the stream, start the replicator, and run the backfill again',
      );

      // … and while running (GetRecords).
      const watch = fx.watcher();
      await watch.start();
      fx.stream.getRecordsErrors.push(streamsError('ResourceNotFoundException'));
      const waiting = watch.caughtUp();
      await expect(waiting).rejects.toBeInstanceOf(ToolError);
      await expect(waiting).rejects.toThrow('was not found');
      await expect(watch.stop()).rejects.toThrow(`the stream of eu-west-1/Orders (${STREAM_ARN}) was not found`);
    });

    it('a DISABLED stream: start() rejects, and a running watcher that lists the shards again fails with a ToolError', async () => {
      // Prepare: at first a disabled stream …
      fx.stream.shard('a', { keys: [] });
      fx.stream.status = 'DISABLED';
      await expect(fx.watcher().start()).rejects.toThrow(
        'the stream of eu-west-1/Orders was disabled during the backfill; without it changes are neither replicated nor ' +
          'seen by the backfill — enable it, start the replicator, and run the backfill again',
      );
      // … then an enabled one.
      fx.stream.status = 'ENABLED';
      const watch = fx.watcher();
      await watch.start();

      const listedWhileDisabled = new Promise<void>((resolve) => {
        fx.stream.onDescribe = () => {
          if (fx.stream.status === 'DISABLED') resolve();
        };
      });

      // Act: the stream is disabled, and its shard closes (which makes the watcher list the shards again).
      fx.stream.status = 'DISABLED';
      fx.stream.get('a').closed = true;
      await listedWhileDisabled;

      // Assess: stop() and caughtUp() reject with the ToolError.
      const stopped = watch.stop();
      await expect(stopped).rejects.toBeInstanceOf(ToolError);
      await expect(stopped).rejects.toThrow('the stream of eu-west-1/Orders was disabled during the backfill');
      await expect(watch.caughtUp()).rejects.toThrow('was disabled during the backfill');
    });
  });

  describe('stopping', () => {
    it('stop() ends the background loop: no Streams call after it resolved', async () => {
      // Prepare: a running watcher that has made a few passes.
      fx.stream.shard('a', { keys: [] });
      const watch = fx.watcher();
      await watch.start();
      await watch.caughtUp();
      await watch.caughtUp();

      // Act
      await watch.stop();
      const callsAtStop = fx.callCounts();
      fx.stream.get('a').keys.push(s('after-stop'));
      await sleep(60);

      // Assess: in 60 ms (12 poll intervals) no further call, and the change after the stop was not read.
      expect(fx.callCounts()).toEqual(callsAtStop);
      expect(watch.hasChanged(itemKeyOf(s('after-stop')))).toBe(false);
    });

    it('stop() during a 10-minute pause between passes resolves at once', async () => {
      // Prepare: a watcher in a long pause.
      fx.stream.shard('a', { keys: [] });
      const watch = fx.watcher({ pollIntervalMs: 600_000 });
      await watch.start();
      await watch.caughtUp();

      // Act / Assess: (the test's 5 s timeout fails it if the pause is not ended)
      await expect(watch.stop()).resolves.toBeUndefined();
    }, 5000);

    it('aborting the signal ends the loop: waiters reject with InterruptedError and stop() reports no error', async () => {
      // Prepare: a running watcher; a GetRecords call held back while a caller waits.
      fx.stream.shard('a', { keys: [] });
      const second = holdGetRecordsCall(fx.stream, 2);
      const watch = fx.watcher();
      await watch.start();
      await second.reached;
      const waiting = watch.caughtUp();

      // Act
      fx.abort.abort();
      second.release();

      // Assess
      await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
      await expect(watch.stop()).resolves.toBeUndefined();
      const callsAtStop = fx.callCounts();
      await sleep(30);
      expect(fx.callCounts()).toEqual(callsAtStop);
    });
  });
});
