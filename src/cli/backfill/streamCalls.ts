/**
 * The DynamoDB Streams calls of the backfill's stream watcher (streamWatch.ts), apart from its reading logic: each
 * call turns an error no retry can fix into a ToolError that says what to change (enable the stream, grant the
 * stream's actions), so the watcher itself only tells transient errors from the rest.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type Shard,
  type ShardIteratorType,
} from '@aws-sdk/client-dynamodb-streams';
import { asAwsError } from '../../shared/awsErrors';
import type { TableRef } from '../../shared/tableRef';
import { fatalAwsError, ToolError } from '../errors';

/** One stream's calls, for the master table `table`. */
export class StreamCalls {
  public constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
    private readonly table: TableRef,
    private readonly endpoint: string | undefined,
    /** The master side and its credentials when it has its own (`--from-*`), for access-denied messages. */
    private readonly identity?: string,
  ) {}

  /** Every shard of the stream (DescribeStream, paged); a disabled stream is a ToolError. */
  public shards(): Promise<Shard[]> {
    return this.call('DescribeStream', () => this.describe());
  }

  /** A position of type `type` in the shard. */
  public async iterator(shardId: string, type: ShardIteratorType): Promise<string | undefined> {
    const output = await this.call('GetShardIterator', () =>
      this.client.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: type }),
      ),
    );
    return output.ShardIterator;
  }

  /** Up to `limit` records from `iterator`. */
  public records(iterator: string, limit: number): Promise<GetRecordsCommandOutput> {
    return this.call('GetRecords', () =>
      this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit })),
    );
  }

  /** The first record from `iterator`, if any; undefined when the call failed (a caller that can do without it). */
  public peek(iterator: string | undefined): Promise<GetRecordsCommandOutput | undefined> {
    return this.client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 })).catch(() => undefined);
  }

  private async describe(): Promise<Shard[]> {
    const shards: Shard[] = [];
    let start: string | undefined;
    do {
      const output = await this.client.send(
        new DescribeStreamCommand({ StreamArn: this.streamArn, ExclusiveStartShardId: start }),
      );
      const description = output.StreamDescription;
      if (description?.StreamStatus === 'DISABLED' || description?.StreamStatus === 'DISABLING') {
        throw new ToolError(
          `the stream of ${this.table.region}/${this.table.table} was disabled during the backfill; ` +
            'without it changes are neither replicated nor seen by the backfill — enable it, start the replicator, and run the backfill again',
        );
      }
      shards.push(...(description?.Shards ?? []));
      start = description?.LastEvaluatedShardId;
    } while (start);
    return shards;
  }

  /** Runs one Streams call; an error no retry can fix is thrown as a ToolError that says what to change. */
  private async call<T>(action: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ToolError) throw error;
      const { table } = this;
      const { name = '' } = asAwsError(error);
      if (name === 'ResourceNotFoundException') {
        throw new ToolError(
          `the stream of ${table.region}/${table.table} (${this.streamArn}) was not found; ` +
            'the replicator cannot run without it — enable the stream, start the replicator, and run the backfill again',
          { cause: error },
        );
      }
      const where =
        this.endpoint ??
        process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS ??
        `the DynamoDB Streams endpoint of ${table.region} (set AWS_ENDPOINT_URL_DYNAMODB_STREAMS to change it)`;
      const fatal = fatalAwsError(error, action, table, {
        endpoint: where,
        identity: this.identity,
        resource: `the stream of table ${table.table}`,
        accessHint:
          "following the master's stream needs dynamodb:DescribeStream, dynamodb:GetShardIterator and " +
          'dynamodb:GetRecords on it (or use --write-mode checked, which reads no stream)',
      });
      if (fatal) throw fatal;
      throw error;
    }
  }
}
