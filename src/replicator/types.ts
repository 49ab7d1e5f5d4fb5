/**
 * Shapes of the Lambda DynamoDB Streams event as it arrives on the wire (JSON), and of what we plan from it.
 *
 * We do not use `@types/aws-lambda` for the event: it types `B` and `BS` as bytes, but Lambda delivers them as
 * base64 strings, and trusting that type is how other replicators corrupt binary data. Everything from the event is
 * `unknown` until `image.ts` and `change.ts` have checked it.
 */
import type { WriteChange } from '../shared/batchWriter';
import type { Item, StreamImage } from '../shared/item';

/** A stream record as Lambda delivers it; fields we read are checked before use. */
export interface StreamRecord {
  eventID?: string;
  eventName?: string;
  eventSource?: string;
  eventSourceARN?: string;
  awsRegion?: string;
  userIdentity?: { type?: string; principalId?: string };
  dynamodb?: {
    Keys?: StreamImage;
    NewImage?: StreamImage;
    OldImage?: StreamImage;
    SequenceNumber?: string;
    SizeBytes?: number;
    StreamViewType?: string;
    ApproximateCreationDateTime?: number;
  };
}

/** The Lambda event for a DynamoDB Streams trigger. */
export interface StreamEvent {
  Records: StreamRecord[];
}

/** A write a slave can apply: put this item, or delete the item with this key (the one write path's own type). */
export type { WriteChange } from '../shared/batchWriter';

/**
 * What one stream record asks of the slave: a write, or — for a record without a new image (a `KEYS_ONLY` or
 * `OLD_IMAGE` stream) — to copy the item's current state from the master.
 */
export type Change = WriteChange | { readonly kind: 'fetch'; readonly itemKey: string; readonly key: Item };

/** The final write for one item in a batch, and the stream records it stands for. */
export interface PlannedWrite {
  readonly change: Change;
  /** Records whose effect this write carries, in stream order; all of them fail if the write fails. */
  readonly records: readonly StreamRecord[];
  /** The record `change` comes from (the hooks are given it); not the last of `records` when TTL deletes are skipped. */
  readonly source: StreamRecord;
}

/** Where a slave is: one table in one region, written with the function's own role or an assumed one. */
export interface SlaveTarget {
  readonly region: string;
  readonly table: string;
  /** Role to assume for writes to this slave (another account's table). */
  readonly roleArn?: string;
  /** External id the role's trust policy asks for. */
  readonly externalId?: string;
}
