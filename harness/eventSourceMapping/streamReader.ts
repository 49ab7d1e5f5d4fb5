/**
 * The stand-in event source mapping's access to DynamoDB Streams: listing shards (every page of DescribeStream),
 * shard iterators and GetRecords. Apart from the poller so that it holds only Lambda's rules.
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { LOCAL_CREDENTIALS } from '../dynamodbLocal';

/**
 * What the mapping reads a stream through: {@link StreamReader} for DynamoDB Local's streams, or a synthetic source
 * where DynamoDB Local cannot do what a test needs (it never splits a shard).
 */
export interface StreamSource {
  /** Every shard of the stream, open and closed (`EndingSequenceNumber` set once closed). */
  shards(): Promise<Shard[]>;
  iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined>;
  /** Up to `limit` records from `iterator`; no `NextShardIterator` once a closed shard is read to its end. */
  records(iterator: string, limit: number): Promise<Pick<GetRecordsCommandOutput, 'Records' | 'NextShardIterator'>>;
  close(): void;
}

/** DynamoDB Streams calls on one stream of DynamoDB Local. */
export class StreamReader implements StreamSource {
  private readonly streams: DynamoDBStreamsClient;

  constructor(
    endpoint: string,
    region: string,
    private readonly streamArn: string,
  ) {
    const config = { endpoint, region, credentials: LOCAL_CREDENTIALS };
    this.streams = new DynamoDBStreamsClient(config);
  }

  /** Every shard of the stream, open and closed. */
  async shards(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.streams.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: exclusiveStartShardId }),
      );
      shards.push(...(StreamDescription?.Shards ?? []));
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    return shards;
  }

  async iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string | undefined> {
    const { ShardIterator } = await this.streams.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ShardIteratorType: type,
        SequenceNumber: sequenceNumber,
      }),
    );
    return ShardIterator;
  }

  records(iterator: string, limit: number): Promise<GetRecordsCommandOutput> {
    return this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
  }

  close(): void {
    this.streams.destroy();
  }
}

/** Orders shards so that each comes after its parent when the parent is among them (Lambda's ordering rule). */
export function parentsFirst(shards: Shard[]): Shard[] {
  const byId = new Map(shards.map((shard) => [shard.ShardId, shard]));
  const ordered: Shard[] = [];
  const placed = new Set<string | undefined>();
  const place = (shard: Shard): void => {
    if (placed.has(shard.ShardId)) return;
    placed.add(shard.ShardId);
    const parent = shard.ParentShardId ? byId.get(shard.ParentShardId) : undefined;
    if (parent) place(parent);
    ordered.push(shard);
  };
  shards.forEach(place);
  return ordered;
}
