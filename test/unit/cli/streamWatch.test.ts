/**
 * StreamWatcher (src/cli/backfill/streamWatch.ts) against a mocked DynamoDB Streams API (aws-sdk-client-mock).
 *
 * A small in-memory stream stands in for DynamoDB Streams: shards hold record keys, iterators are positions in them,
 * a closed shard answers its last page without NextShardIterator, and the test can push records, close shards, add
 * children, change the stream's status, hold back a GetRecords answer or make the next GetRecords calls fail.
 *
 * Proves:
 * - start(): a first run positions open shards at LATEST and skips shards closed before the start; a resumed run
 *   (fromTrimHorizon) reads every shard, open or closed, from TRIM_HORIZON; DescribeStream is paged.
 * - keys of records (S, N, B; "1.0" and "1" are one number) reach onKeys once per item; hasChanged() is true for
 *   exactly those items; stats count records and distinct items.
 * - a closed shard read to its end is dropped and its child, listed by a later DescribeStream, is read from
 *   TRIM_HORIZON.
 * - caughtUp() resolves only once every shard has been read past the call: an empty answer to a call sent after it,
 *   or the shard read up to the first record written after it (so it also resolves while changes keep coming,
 *   and only once everything written before it was read) — not on a pass
 *   already under way, not while a shard still answers with older records, not before the child of a shard that
 *   closed is read, not on a pass that only re-positioned an expired iterator; it ends the pause between passes
 *   early.
 * - ExpiredIteratorException / TrimmedDataAccessException re-position the shard at TRIM_HORIZON and reading goes on;
 *   a 500 or LimitExceededException is retried and is not fatal.
 * - AccessDeniedException, ResourceNotFoundException and a disabled stream end the watcher with a ToolError that
 *   says what to change; stop() and every caughtUp() waiter reject with it.
 * - stop() and the abort signal end the background loop: no call after stop() resolved.
 * - a shard closed before a first run's start is not read at a later shard refresh either.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  DescribeStreamCommand,
  type DescribeStreamCommandInput,
  type DescribeStreamCommandOutput,
  DynamoDBStreamsClient,
  DynamoDBStreamsServiceException,
  GetRecordsCommand,
  type GetRecordsCommandInput,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type GetShardIteratorCommandOutput,
  type ShardIteratorType,
  type StreamStatus,
} from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { StreamWatcher, type StreamWatchOptions } from '../../../src/cli/backfill/streamWatch';
import { ToolError } from '../../../src/cli/errors';
import { InterruptedError } from '../../../src/cli/table/tableAccess';
import type { Item } from '../../../src/shared/item';
import { itemKeyOf } from '../../../src/shared/key';
import { sleep } from '../../../src/shared/sleep';

const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000';
const TABLE = { region: 'eu-west-1', table: 'Orders' };
/** Shards per DescribeStream page, so that every listing takes more than one page. */
const SHARDS_PER_PAGE = 2;

interface FakeShard {
  readonly id: string;
  readonly parent?: string;
  closed: boolean;
  readonly keys: Item[];
}

/** An in-memory DynamoDB stream behind the mocked client. */
class FakeStream {
  public status: StreamStatus = 'ENABLED';
  public readonly shards: FakeShard[] = [];
  /** Errors the next GetRecords calls throw, first in first out. */
  public readonly getRecordsErrors: Error[] = [];
  /** Errors the next DescribeStream / GetShardIterator calls throw. */
  public readonly describeErrors: Error[] = [];
  public readonly iteratorErrors: Error[] = [];
  /** Most records one GetRecords answer carries. */
  public recordsPerCall = 1000;
  /** Every GetShardIterator request, in order. */
  public readonly positioned: Array<{ shardId: string; type: ShardIteratorType | undefined }> = [];
  /** Shard and position of every GetRecords call, in order. */
  public readonly reads: Array<{ shardId: string; position: number }> = [];
  /** Called at the start of every GetRecords call (before any error or answer); may hold the answer back. */
  public onGetRecords: (() => Promise<void> | void) | undefined;
  /** Called at the start of every DescribeStream call. */
  public onDescribe: (() => void) | undefined;

  public shard(id: string, options: { parent?: string; closed?: boolean; keys?: Item[] } = {}): FakeShard {
    const shard = { id, parent: options.parent, closed: options.closed ?? false, keys: [...(options.keys ?? [])] };
    this.shards.push(shard);
    return shard;
  }

  public get(id: string): FakeShard {
    const shard = this.shards.find((candidate) => candidate.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }

  public describe(input: DescribeStreamCommandInput): Partial<DescribeStreamCommandOutput> {
    this.onDescribe?.();
    const error = this.describeErrors.shift();
    if (error) throw error;
    const from =
      input.ExclusiveStartShardId === undefined
        ? 0
        : this.shards.findIndex((shard) => shard.id === input.ExclusiveStartShardId) + 1;
    const page = this.shards.slice(from, from + SHARDS_PER_PAGE);
    const more = from + SHARDS_PER_PAGE < this.shards.length;
    return {
      StreamDescription: {
        StreamArn: STREAM_ARN,
        StreamStatus: this.status,
        Shards: page.map((shard) => ({
          ShardId: shard.id,
          ParentShardId: shard.parent,
          SequenceNumberRange: {
            StartingSequenceNumber: '100',
            EndingSequenceNumber: shard.closed ? '900' : undefined,
          },
        })),
        LastEvaluatedShardId: more ? page[page.length - 1]?.id : undefined,
      },
    };
  }

  public iterator(input: GetShardIteratorCommandInput): Partial<GetShardIteratorCommandOutput> {
    const error = this.iteratorErrors.shift();
    if (error) throw error;
    const shard = this.get(input.ShardId ?? '');
    this.positioned.push({ shardId: shard.id, type: input.ShardIteratorType });
    const position = input.ShardIteratorType === 'LATEST' ? shard.keys.length : 0;
    return { ShardIterator: `${shard.id}@${position}` };
  }

  public async records(input: GetRecordsCommandInput): Promise<Partial<GetRecordsCommandOutput>> {
    await this.onGetRecords?.();
    const error = this.getRecordsErrors.shift();
    if (error) throw error;
    const [shardId = '', at = ''] = (input.ShardIterator ?? '').split('@');
    const shard = this.get(shardId);
    const position = Number(at);
    this.reads.push({ shardId, position });
    const keys = shard.keys.slice(position, position + this.recordsPerCall);
    const next = position + keys.length;
    return {
      Records: keys.map((key, index) => ({
        eventID: `${shardId}-${position + index}`,
        eventName: 'MODIFY',
        dynamodb: { Keys: key, SequenceNumber: String(1000 + position + index) },
      })),
      NextShardIterator: shard.closed && next >= shard.keys.length ? undefined : `${shardId}@${next}`,
    };
  }

  /** How many positions start() took; set by the tests' watcher factory. */
  public positionsAtStart = Number.POSITIVE_INFINITY;

  /**
   * The positions of the watcher's shard readers, in order: all but the LATEST positions taken after start(),
   * which mark where a shard stood when caughtUp() was called.
   */
  public readerPositions(): Array<{ shardId: string; type: ShardIteratorType | undefined }> {
    return this.positioned.filter((entry, index) => index < this.positionsAtStart || entry.type !== 'LATEST');
  }

  /** Shards whose readers were positioned with `type`, in order. */
  public positionedAt(type: ShardIteratorType): string[] {
    return this.readerPositions()
      .filter((entry) => entry.type === type)
      .map((entry) => entry.shardId);
  }
}

/** An error as the SDK raises it for a DynamoDB Streams error answer. */
function streamsError(name: string, status = 400): DynamoDBStreamsServiceException {
  return new DynamoDBStreamsServiceException({
    name,
    message: `${name} (test)`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

const s = (value: string): Item => ({ pk: { S: value } });

/** A promise with its resolve function, to hold back an answer until the test lets it go. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * Holds back the `nth` GetRecords call (1 for the first) to `stream` until `release()`: `reached` resolves once that
 * call is under way, `calls()` counts the GetRecords calls so far. Once released, the held call fails with
 * `thenFail` when given, else it is answered as usual.
 */
function holdGetRecordsCall(
  stream: FakeStream,
  nth: number,
  thenFail?: () => Error,
): { reached: Promise<void>; release: () => void; calls: () => number } {
  const held = gate();
  const inHeldCall = gate();
  let calls = 0;
  stream.onGetRecords = async () => {
    calls += 1;
    if (calls !== nth) return;
    inHeldCall.open();
    await held.promise;
    if (thenFail) throw thenFail();
  };
  return { reached: inHeldCall.promise, release: held.open, calls: () => calls };
}

describe('StreamWatcher', () => {
  const mock = mockClient(DynamoDBStreamsClient);
  let stream: FakeStream;
  let abort: AbortController;
  let delivered: Item[][];
  /** Waiters for one key to reach onKeys. */
  let expected: Array<{ id: string; resolve: () => void }>;

  /** Resolves when onKeys has received `key`. */
  function seen(key: Item): Promise<void> {
    const id = itemKeyOf(key);
    if (delivered.flat().some((each) => itemKeyOf(each) === id)) return Promise.resolve();
    return new Promise((resolve) => expected.push({ id, resolve }));
  }
  const watchers: StreamWatcher[] = [];

  /** A watcher over `stream` that records every onKeys call in `delivered`. */
  function watcher(options: Partial<StreamWatchOptions> = {}): StreamWatcher {
    const client = new DynamoDBStreamsClient({
      region: TABLE.region,
      endpoint: 'http://127.0.0.1:1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const created = new StreamWatcher(client, STREAM_ARN, {
      pollIntervalMs: 5,
      fromTrimHorizon: false,
      onKeys: async (keys) => {
        delivered.push(keys);
        const ids = new Set(keys.map((key) => itemKeyOf(key)));
        expected
          .filter((waiter) => ids.has(waiter.id))
          .forEach((waiter) => {
            waiter.resolve();
          });
      },
      table: TABLE,
      signal: abort.signal,
      ...options,
    });
    const start = created.start.bind(created);
    created.start = async () => {
      await start();
      stream.positionsAtStart = stream.positioned.length;
    };
    watchers.push(created);
    return created;
  }

  const deliveredIds = (): string[] => delivered.flat().map((key) => itemKeyOf(key));
  const callCounts = (): number[] => [
    mock.commandCalls(DescribeStreamCommand).length,
    mock.commandCalls(GetShardIteratorCommand).length,
    mock.commandCalls(GetRecordsCommand).length,
  ];

  beforeEach(() => {
    mock.reset();
    stream = new FakeStream();
    abort = new AbortController();
    delivered = [];
    expected = [];
    mock.on(DescribeStreamCommand).callsFake(async (input: DescribeStreamCommandInput) => stream.describe(input));
    mock.on(GetShardIteratorCommand).callsFake(async (input: GetShardIteratorCommandInput) => stream.iterator(input));
    mock.on(GetRecordsCommand).callsFake(async (input: GetRecordsCommandInput) => stream.records(input));
  });

  afterEach(async () => {
    abort.abort();
    await Promise.allSettled(watchers.splice(0).map((each) => each.stop()));
  });

  afterAll(() => mock.restore());

  describe('start', () => {
    it('a first run starts open shards at LATEST and never reads shards closed before the start', async () => {
      // Prepare: two shards closed before the start (with old changes) and two open shards with old changes.
      stream.shard('closed-1', { closed: true, keys: [s('old-closed-1')] });
      stream.shard('closed-2', { parent: 'closed-1', closed: true, keys: [s('old-closed-2')] });
      stream.shard('open-1', { parent: 'closed-2', keys: [s('old-open-1')] });
      stream.shard('open-2', { keys: [s('old-open-2')] });
      const watch = watcher();

      // Act: start, then changes on both open shards, then wait for a pass after them.
      await watch.start();
      stream.get('open-1').keys.push(s('new-1'));
      stream.get('open-2').keys.push(s('new-2'));
      await watch.caughtUp();

      // Assess: only the open shards were positioned, at LATEST; only the changes after the start were seen.
      expect(stream.readerPositions()).toEqual([
        { shardId: 'open-1', type: 'LATEST' },
        { shardId: 'open-2', type: 'LATEST' },
      ]);
      const readShards = stream.reads.map((read) => read.shardId);
      expect(readShards).not.toContain('closed-1');
      expect(readShards).not.toContain('closed-2');
      expect(mock.commandCalls(DescribeStreamCommand)[0]?.args[0].input.StreamArn).toBe(STREAM_ARN);
      expect(deliveredIds().sort()).toEqual([itemKeyOf(s('new-1')), itemKeyOf(s('new-2'))].sort());
      expect(watch.hasChanged(itemKeyOf(s('old-open-1')))).toBe(false);
      expect(watch.hasChanged(itemKeyOf(s('old-closed-1')))).toBe(false);
    });

    it('a resumed run (fromTrimHorizon) reads every shard, open and closed, from TRIM_HORIZON', async () => {
      // Prepare: the same stream: two closed shards and two open shards, each with a change from before the start.
      stream.shard('closed-1', { closed: true, keys: [s('old-closed-1')] });
      stream.shard('closed-2', { parent: 'closed-1', closed: true, keys: [s('old-closed-2')] });
      stream.shard('open-1', { parent: 'closed-2', keys: [s('old-open-1')] });
      stream.shard('open-2', { keys: [s('old-open-2')] });
      const watch = watcher({ fromTrimHorizon: true });

      // Act
      await watch.start();
      await watch.caughtUp();

      // Assess: every shard positioned at TRIM_HORIZON, and every change the stream holds was seen.
      expect([...stream.positionedAt('TRIM_HORIZON')].sort()).toEqual(['closed-1', 'closed-2', 'open-1', 'open-2']);
      expect(stream.positionedAt('LATEST')).toEqual([]);
      expect(deliveredIds().sort()).toEqual(
        ['old-closed-1', 'old-closed-2', 'old-open-1', 'old-open-2'].map((pk) => itemKeyOf(s(pk))).sort(),
      );
    });

    // FLAW in src/cli/backfill/streamWatch.ts: start() skips a closed shard without adding it to `known`, so refreshShards()
    // (10 s after the start, or as soon as any shard closes) takes it for a new child and reads it from TRIM_HORIZON:
    // a first run then counts every change of the last 24 hours held in closed shards as a change during the backfill.
    it('a first run does not read a shard closed before the start even after a later shard refresh', async () => {
      // Prepare: a shard closed before the start, and an open shard.
      stream.shard('closed-before', { closed: true, keys: [s('old')] });
      stream.shard('open', { keys: [] });
      const watch = watcher();
      await watch.start();

      // Act: the open shard closes (which makes the watcher list the shards again) and a child takes over.
      stream.get('open').keys.push(s('last'));
      stream.get('open').closed = true;
      stream.shard('child', { parent: 'open', keys: [s('in-child')] });
      await seen(s('in-child')); // (up to 10 s in a young process: see the test of closed shards below)
      await watch.caughtUp();

      // Assess: the child was read from TRIM_HORIZON, the shard closed before the start never.
      expect(stream.positionedAt('TRIM_HORIZON')).toEqual(['child']);
      expect(watch.hasChanged(itemKeyOf(s('old')))).toBe(false);
    });
  });

  describe('keys', () => {
    it('each changed item reaches onKeys once, whatever the spelling of its number key; hasChanged() and stats agree', async () => {
      // Prepare: two open shards, records served one page of 2 at a time.
      stream.shard('a', { keys: [] });
      stream.shard('b', { keys: [] });
      stream.recordsPerCall = 2;
      const watch = watcher();
      await watch.start();
      const bytes = Uint8Array.from([1, 2, 3]);

      // Act: changes of S, N and B keys, some items changed twice, on both shards and in two rounds.
      stream.get('a').keys.push(s('order-1'), { pk: { N: '1.0' } }, { pk: { B: bytes } }, s('order-1'));
      stream.get('b').keys.push({ pk: { N: '1' } }, { pk: { B: Uint8Array.from([1, 2, 3]) } });
      await watch.caughtUp();
      stream.get('b').keys.push(s('order-1'), { pk: { N: '10e-1' } }, s('order-2'));
      await watch.caughtUp();

      // Assess: four distinct items, each delivered once; nine records read.
      const expected = [s('order-1'), { pk: { N: '1' } }, { pk: { B: bytes } }, s('order-2')].map((key) =>
        itemKeyOf(key),
      );
      expect(deliveredIds()).toHaveLength(4);
      expect(deliveredIds().sort()).toEqual([...expected].sort());
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
      stream.shard('parent', { keys: [s('before-start')] });
      const watch = watcher();
      await watch.start();
      const childSeen = seen(s('in-child-2'));

      // Act: a last change on the parent, the parent closes, and a child shard appears with changes of its own.
      stream.get('parent').keys.push(s('last-in-parent'));
      stream.get('parent').closed = true;
      stream.shard('child', { parent: 'parent', keys: [s('in-child-1'), s('in-child-2')] });
      // Waits for the child's last change rather than for caughtUp(), which may resolve before the child is listed (see
      // the it.failing below). In a process younger than 10 s the listing comes only at 10 s: `lastDescribe = 0` in
      // pass() is measured against performance.now(), i.e. the age of the process.
      await childSeen;
      const readsOfParent = stream.reads.filter((read) => read.shardId === 'parent').length;
      await watch.caughtUp();
      await watch.caughtUp();

      // Assess: the child was found (a DescribeStream after the start) and read from its beginning; the parent was
      // not read again once it answered without NextShardIterator; its last change and the child's were all seen.
      expect(mock.commandCalls(DescribeStreamCommand).length).toBeGreaterThan(1);
      expect(stream.readerPositions()).toEqual([
        { shardId: 'parent', type: 'LATEST' },
        { shardId: 'child', type: 'TRIM_HORIZON' },
      ]);
      expect(stream.reads.filter((read) => read.shardId === 'parent')).toHaveLength(readsOfParent);
      expect(stream.reads.filter((read) => read.shardId === 'child')[0]).toEqual({ shardId: 'child', position: 0 });
      expect(deliveredIds().sort()).toEqual(
        ['last-in-parent', 'in-child-1', 'in-child-2'].map((pk) => itemKeyOf(s(pk))).sort(),
      );
      expect(watch.hasChanged(itemKeyOf(s('before-start')))).toBe(false);
    });

    // FLAW in src/cli/backfill/streamWatch.ts (pass(), run()): the pass that finds a shard closed drops it and counts as
    // complete, but the child shard is only listed before the NEXT pass. A caughtUp() whose pass is that one resolves
    // without having read the child, which already carried changes made before the call; the backfill then stops
    // watching and never re-checks those items.
    it('caughtUp() resolves only after the child of a shard that closed before the call has been read', async () => {
      // Prepare: one open shard, started at LATEST.
      stream.shard('parent', { keys: [] });
      const watch = watcher();
      await watch.start();

      // Act: the parent closes and its child carries a change; then the caller waits for the stream.
      stream.get('parent').closed = true;
      stream.shard('child', { parent: 'parent', keys: [s('changed-in-child')] });
      await watch.caughtUp();

      // Assess: the change made before caughtUp() was seen by the time it resolved.
      expect(watch.hasChanged(itemKeyOf(s('changed-in-child')))).toBe(true);
    });
  });

  describe('caughtUp', () => {
    it('does not resolve on the completion of a pass that was already under way when it was called', async () => {
      // Prepare: one open shard; the 3rd GetRecords call is held back until the test lets it go.
      stream.shard('a', { keys: [] });
      const third = holdGetRecordsCall(stream, 3);
      const watch = watcher();
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
      stream.shard('a', { keys: [] });
      stream.recordsPerCall = 1;
      const watch = watcher();
      await watch.start();
      for (let index = 0; index < 25; index += 1) stream.get('a').keys.push(s(`item-${index}`));
      const readsBefore = stream.reads.length;

      // Act
      await watch.caughtUp();

      // Assess: it resolved only once the shard answered empty: 25 reads with a record and one without.
      expect(stream.reads.length - readsBefore).toBeGreaterThanOrEqual(26);
      expect(watch.stats.records).toBe(25);
      expect(deliveredIds()).toHaveLength(25);
    });

    it('resolves while changes keep coming, once the shard is read up to the first record written after the call', async () => {
      // Prepare: one open shard with a backlog of 30 changes, served one per GetRecords call; and steady traffic:
      // every call adds a record first, so the shard never answers empty.
      stream.shard('a', { keys: [] });
      stream.recordsPerCall = 1;
      const watch = watcher();
      await watch.start();
      const backlog = Array.from({ length: 30 }, (_, index) => s(`backlog-${index}`));
      stream.get('a').keys.push(...backlog);
      let added = 0;
      stream.onGetRecords = () => {
        stream.get('a').keys.push(s(`busy-${added++}`));
      };

      // Act: (with only "an empty answer proves the shard quiet", this would wait forever: the test's timeout)
      await watch.caughtUp();

      // Assess: every change written before the call had been read when it resolved.
      expect(backlog.filter((key) => !watch.hasChanged(itemKeyOf(key)))).toEqual([]);
    });

    it('ends the pause between passes early: resolves long before a pollIntervalMs of 10 minutes', async () => {
      // Prepare: a watcher that would wait 10 minutes between passes that found nothing.
      stream.shard('a', { keys: [] });
      const watch = watcher({ pollIntervalMs: 600_000 });
      await watch.start();
      // The first pass (answered at once by the mock) ends in the pause; a timer tick later the loop is in it.
      await sleep(20);
      expect(watch.stats.passes).toBe(1);
      stream.get('a').keys.push(s('changed'));

      // Act: (the test's 5 s timeout fails it if the pause is not ended)
      await watch.caughtUp();

      // Assess
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
    }, 5000);
  });

  describe('errors', () => {
    it.each(['ExpiredIteratorException', 'TrimmedDataAccessException'])(
      '%s on GetRecords re-positions the shard at TRIM_HORIZON and reading continues',
      async (name) => {
        // Prepare: one open shard with a change from before the start; started at LATEST.
        stream.shard('a', { keys: [s('before-start')] });
        const watch = watcher();
        await watch.start();

        // Act: a change, and the next GetRecords fails with the error.
        stream.getRecordsErrors.push(streamsError(name));
        stream.get('a').keys.push(s('after-start'));
        await watch.caughtUp();
        await watch.caughtUp();

        // Assess: positioned again at TRIM_HORIZON, and everything the shard holds (also from before the start, which
        // the watcher can no longer tell apart) was seen; the watcher carries on without error.
        expect(stream.readerPositions()).toEqual([
          { shardId: 'a', type: 'LATEST' },
          { shardId: 'a', type: 'TRIM_HORIZON' },
        ]);
        expect(deliveredIds().sort()).toEqual([itemKeyOf(s('after-start')), itemKeyOf(s('before-start'))].sort());
        stream.get('a').keys.push(s('later'));
        await watch.caughtUp();
        expect(watch.hasChanged(itemKeyOf(s('later')))).toBe(true);
        await expect(watch.stop()).resolves.toBeUndefined();
      },
    );

    // FLAW in src/cli/backfill/streamWatch.ts (read()): after re-positioning an expired or trimmed iterator read() returns 0,
    // so the pass stops reading that shard and still counts as complete: a caughtUp() waiting on that pass resolves
    // although the shard's changes made before the call were not read.
    it('caughtUp() does not resolve on a pass that only re-positioned an expired iterator', async () => {
      // Prepare: one open shard, started at LATEST.
      stream.shard('a', { keys: [] });
      const watch = watcher();
      await watch.start();

      // Act: a change; the next GetRecords finds the iterator expired; the caller waits for the stream.
      stream.get('a').keys.push(s('changed'));
      stream.getRecordsErrors.push(streamsError('ExpiredIteratorException'));
      await watch.caughtUp();

      // Assess
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
    });

    it('a 500 answer and throttling (LimitExceededException) on GetRecords are retried, not fatal', async () => {
      // Prepare: one open shard, started at LATEST.
      stream.shard('a', { keys: [] });
      const watch = watcher();
      await watch.start();

      // Act: a change; the next two GetRecords calls fail with transient errors.
      stream.get('a').keys.push(s('changed'));
      stream.getRecordsErrors.push(streamsError('InternalServerError', 500), streamsError('LimitExceededException'));
      await watch.caughtUp();

      // Assess: both errors were consumed by retries, the change was seen, and stop() reports no error.
      expect(stream.getRecordsErrors).toHaveLength(0);
      expect(watch.hasChanged(itemKeyOf(s('changed')))).toBe(true);
      await expect(watch.stop()).resolves.toBeUndefined();
    });

    it('AccessDeniedException on GetRecords: stop() and caughtUp() reject with a ToolError naming the actions the stream needs', async () => {
      // Prepare: one open shard; the 2nd GetRecords call waits for the test, then is denied.
      stream.shard('a', { keys: [] });
      const second = holdGetRecordsCall(stream, 2, () => streamsError('AccessDeniedException'));
      const watch = watcher();
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
      stream.shard('a', { keys: [] });
      stream.describeErrors.push(streamsError('AccessDeniedException'));
      stream.iteratorErrors.push(streamsError('AccessDeniedException'));

      // Act / Assess: the first start fails on DescribeStream, the second on GetShardIterator.
      const first = watcher().start();
      await expect(first).rejects.toBeInstanceOf(ToolError);
      await expect(first).rejects.toThrow('dynamodb:DescribeStream on the stream of table Orders');
      const second = watcher().start();
      await expect(second).rejects.toThrow('dynamodb:GetShardIterator on the stream of table Orders');
      await expect(second).rejects.toThrow(
        'dynamodb:DescribeStream, dynamodb:GetShardIterator and dynamodb:GetRecords',
      );
    });

    it('ResourceNotFoundException: a ToolError saying the stream was not found, from start() and from the running watcher', async () => {
      // Prepare
      stream.shard('a', { keys: [] });
      stream.describeErrors.push(streamsError('ResourceNotFoundException'));

      // Act / Assess: at the start (DescribeStream) …
      await expect(watcher().start()).rejects.toThrow(
        `the stream of eu-west-1/Orders (${STREAM_ARN}) was not found; ` +
          'the replicator cannot run without it — enable the stream, start the replicator, and run the backfill again',
      );

      // … and while running (GetRecords).
      const watch = watcher();
      await watch.start();
      stream.getRecordsErrors.push(streamsError('ResourceNotFoundException'));
      const waiting = watch.caughtUp();
      await expect(waiting).rejects.toBeInstanceOf(ToolError);
      await expect(waiting).rejects.toThrow('was not found');
      await expect(watch.stop()).rejects.toThrow(`the stream of eu-west-1/Orders (${STREAM_ARN}) was not found`);
    });

    it('a DISABLED stream: start() rejects, and a running watcher that lists the shards again fails with a ToolError', async () => {
      // Prepare: at first a disabled stream …
      stream.shard('a', { keys: [] });
      stream.status = 'DISABLED';
      await expect(watcher().start()).rejects.toThrow(
        'the stream of eu-west-1/Orders was disabled during the backfill; without it changes are neither replicated nor ' +
          'seen by the backfill — enable it, start the replicator, and run the backfill again',
      );
      // … then an enabled one.
      stream.status = 'ENABLED';
      const watch = watcher();
      await watch.start();

      const listedWhileDisabled = new Promise<void>((resolve) => {
        stream.onDescribe = () => {
          if (stream.status === 'DISABLED') resolve();
        };
      });

      // Act: the stream is disabled, and its shard closes (which makes the watcher list the shards again).
      stream.status = 'DISABLED';
      stream.get('a').closed = true;
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
      stream.shard('a', { keys: [] });
      const watch = watcher();
      await watch.start();
      await watch.caughtUp();
      await watch.caughtUp();

      // Act
      await watch.stop();
      const callsAtStop = callCounts();
      stream.get('a').keys.push(s('after-stop'));
      await sleep(60);

      // Assess: in 60 ms (12 poll intervals) no further call, and the change after the stop was not read.
      expect(callCounts()).toEqual(callsAtStop);
      expect(watch.hasChanged(itemKeyOf(s('after-stop')))).toBe(false);
    });

    it('stop() during a 10-minute pause between passes resolves at once', async () => {
      // Prepare: a watcher in a long pause.
      stream.shard('a', { keys: [] });
      const watch = watcher({ pollIntervalMs: 600_000 });
      await watch.start();
      await watch.caughtUp();

      // Act / Assess: (the test's 5 s timeout fails it if the pause is not ended)
      await expect(watch.stop()).resolves.toBeUndefined();
    }, 5000);

    it('aborting the signal ends the loop: waiters reject with InterruptedError and stop() reports no error', async () => {
      // Prepare: a running watcher; a GetRecords call held back while a caller waits.
      stream.shard('a', { keys: [] });
      const second = holdGetRecordsCall(stream, 2);
      const watch = watcher();
      await watch.start();
      await second.reached;
      const waiting = watch.caughtUp();

      // Act
      abort.abort();
      second.release();

      // Assess
      await expect(waiting).rejects.toBeInstanceOf(InterruptedError);
      await expect(watch.stop()).resolves.toBeUndefined();
      const callsAtStop = callCounts();
      await sleep(30);
      expect(callCounts()).toEqual(callsAtStop);
    });
  });
});
