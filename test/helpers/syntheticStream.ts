/**
 * A DynamoDB stream held in memory, for the stand-in event source mapping's `source` option: a test writes records
 * to shards, closes a shard and opens its children, as DynamoDB does when it splits a shard (which DynamoDB Local
 * never does). Shard iterators and records have the shapes of DynamoDB Streams' answers.
 */
import type { _Record, Shard, ShardIteratorType } from '@aws-sdk/client-dynamodb-streams';
import type { StreamSource } from '../../harness/eventSourceMapping/streamReader';

interface SyntheticShard {
  readonly id: string;
  readonly parent?: string;
  readonly records: _Record[];
  closed: boolean;
}

/** A stream of one table whose shards the test controls; sequence numbers grow across all shards. */
export class SyntheticStream implements StreamSource {
  private readonly shardList: SyntheticShard[] = [];
  private sequence = 100_000_000_000_000_000_000n;

  /** Opens a shard (a child of `parent` when given). */
  open(id: string, parent?: string): void {
    this.shardList.push({ id, parent, records: [], closed: false });
  }

  /** Closes a shard: nothing more is written to it, and reading it to its end ends its iterator. */
  closeShard(id: string): void {
    this.shard(id).closed = true;
  }

  /** Appends a put of item `pk` with value `v` to an open shard. */
  put(id: string, pk: string, v: number): void {
    const shard = this.shard(id);
    if (shard.closed) throw new Error(`shard ${id} is closed`);
    this.sequence += 1n;
    shard.records.push({
      eventID: `${id}-${this.sequence}`,
      eventName: 'MODIFY',
      eventSource: 'aws:dynamodb',
      dynamodb: {
        ApproximateCreationDateTime: new Date(),
        Keys: { pk: { S: pk } },
        NewImage: { pk: { S: pk }, v: { N: String(v) } },
        SequenceNumber: String(this.sequence),
        SizeBytes: 32,
        StreamViewType: 'NEW_IMAGE',
      },
    });
  }

  async shards(): Promise<Shard[]> {
    return this.shardList.map((shard) => ({
      ShardId: shard.id,
      ParentShardId: shard.parent,
      SequenceNumberRange: {
        StartingSequenceNumber: shard.records[0]?.dynamodb?.SequenceNumber,
        EndingSequenceNumber: shard.closed ? (shard.records.at(-1)?.dynamodb?.SequenceNumber ?? '0') : undefined,
      },
    }));
  }

  async iterator(shardId: string, type: ShardIteratorType, sequenceNumber?: string): Promise<string> {
    const { records } = this.shard(shardId);
    if (type === 'TRIM_HORIZON') return `${shardId}@0`;
    if (type === 'LATEST') return `${shardId}@${records.length}`;
    const at = records.findIndex((record) => record.dynamodb?.SequenceNumber === sequenceNumber);
    if (at === -1) throw new Error(`no record ${sequenceNumber} in shard ${shardId}`);
    return `${shardId}@${type === 'AT_SEQUENCE_NUMBER' ? at : at + 1}`;
  }

  async records(iterator: string, limit: number): Promise<{ Records: _Record[]; NextShardIterator?: string }> {
    const [shardId, at] = iterator.split('@');
    const shard = this.shard(shardId);
    const position = Number(at);
    const records = shard.records.slice(position, position + limit);
    const next = position + records.length;
    const ended = shard.closed && next >= shard.records.length;
    return { Records: records, NextShardIterator: ended ? undefined : `${shardId}@${next}` };
  }

  close(): void {}

  private shard(id: string): SyntheticShard {
    const shard = this.shardList.find((candidate) => candidate.id === id);
    if (!shard) throw new Error(`no shard ${id}`);
    return shard;
  }
}
