/**
 * The stage of the StreamWatcher tests (streamWatch*.test.ts): a small in-memory stream stands in for DynamoDB
 * Streams behind a mocked client (aws-sdk-client-mock). Shards hold record keys, iterators are positions in them, a
 * closed shard answers its last page without NextShardIterator, and a test can push records, close shards, add
 * children, change the stream's status, hold back a GetRecords answer or make the next GetRecords calls fail.
 * Shared so the test files, split by concern, run against the very same stream.
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
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { StreamWatcher, type StreamWatchOptions } from '../../../src/cli/backfill/streamWatch';
import type { Item } from '../../../src/shared/item';
import { itemKeyOf } from '../../../src/shared/key';

export const STREAM_ARN = 'arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-01-01T00:00:00.000';
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
export class FakeStream {
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
export function streamsError(name: string, status = 400): DynamoDBStreamsServiceException {
  return new DynamoDBStreamsServiceException({
    name,
    message: `${name} (test)`,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

export const s = (value: string): Item => ({ pk: { S: value } });

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
export function holdGetRecordsCall(
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

/** What a test file's tests share: the mocked client, the stream of the running test, and watchers over it. */
export interface WatchFixture {
  readonly mock: AwsClientStub<DynamoDBStreamsClient>;
  /** The running test's stream (a new one for each test). */
  readonly stream: FakeStream;
  /** The running test's abort signal, aborted after each test. */
  readonly abort: AbortController;
  /** A watcher over the stream that records every onKeys call; stopped after the test. */
  watcher(options?: Partial<StreamWatchOptions>): StreamWatcher;
  /** Resolves when onKeys has received `key`. */
  seen(key: Item): Promise<void>;
  /** The key ids delivered to onKeys so far, in order. */
  deliveredIds(): string[];
  /** DescribeStream, GetShardIterator and GetRecords calls so far. */
  callCounts(): number[];
}

/** Sets up the mocked stream for the tests of the calling describe block (call it in the block's body). */
export function useStreamWatchFixture(): WatchFixture {
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

  return {
    mock,
    get stream() {
      return stream;
    },
    get abort() {
      return abort;
    },
    watcher,
    seen,
    deliveredIds,
    callCounts,
  };
}
