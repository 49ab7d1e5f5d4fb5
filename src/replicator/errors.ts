/**
 * The replicator's errors. Each names what went wrong and, where the user can act, what to change; each sets
 * `name` so logs and Lambda's error report show it, and passes `cause` on.
 */
import type { StreamRecord } from './types';

/** Base of every error the replicator raises itself. */
export class ReplicatorError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplicatorError';
  }
}

/** The function's environment is unusable; lists every problem at once. */
export class ConfigError extends ReplicatorError {
  public readonly problems: readonly string[];

  public constructor(problems: readonly string[]) {
    super(`dynamo-replicator is misconfigured: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** The event as a whole cannot be processed (not a DynamoDB Streams event, or a replication loop). */
export class InvalidEventError extends ReplicatorError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidEventError';
  }
}

/** The stream feeding this function belongs to one of its own slaves. */
export class ReplicationLoopError extends InvalidEventError {
  public constructor(message: string) {
    super(message);
    this.name = 'ReplicationLoopError';
  }
}

/** One stream record cannot be turned into a write (malformed, or a stream view type without new images). */
export class InvalidRecordError extends ReplicatorError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidRecordError';
  }
}

/**
 * A record held back because an earlier change to the same item failed. Applying it would reorder the item's
 * history: Lambda re-delivers from the earlier failure, and the two must then apply in stream order.
 */
export class BlockedByEarlierFailureError extends ReplicatorError {
  public constructor(blockingSequenceNumber: string | undefined) {
    super(
      `not applied: an earlier change to the same item (sequence number ${blockingSequenceNumber ?? 'unknown'}) failed in this batch; it will be retried after it`,
    );
    this.name = 'BlockedByEarlierFailureError';
  }
}

/** A slave did not take an item's write; says which slave and, where DynamoDB said why, its message. */
export class SlaveWriteError extends ReplicatorError {
  public readonly slave: string;

  public constructor(slave: string, message: string, options?: { cause?: unknown }) {
    super(`slave ${slave}: ${message}`, options);
    this.name = 'SlaveWriteError';
    this.slave = slave;
  }
}

/** The master's current state of an item could not be read (needed on streams without new images). */
export class MasterReadError extends ReplicatorError {
  public constructor(master: string, message: string, options?: { cause?: unknown }) {
    super(`master ${master}: ${message}`, options);
    this.name = 'MasterReadError';
  }
}

/** One record a batch could not replicate, and why. */
export interface RecordFailure {
  readonly sequenceNumber: string | undefined;
  readonly eventName: string | undefined;
  readonly reason: string;
}

/** The failed records of a batch's outcome, as {@link ReplicationFailedError} lists them. */
export function recordFailuresOf(failures: ReadonlyMap<StreamRecord, Error>): RecordFailure[] {
  return [...failures].map(([record, error]) => ({
    sequenceNumber: record?.dynamodb?.SequenceNumber,
    eventName: record?.eventName,
    reason: error.message,
  }));
}

/** How many failed records the message lists; all of them are in `failures`. */
const LISTED = 10;

/**
 * Some records of a batch were not replicated, after everything else was written: `failures` says which and why.
 * Thrown by the library's `process()`, and by the handler when the trigger is not declared to honour partial batch
 * responses (then `advice` says how to narrow the retry).
 */
export class ReplicationFailedError extends ReplicatorError {
  public readonly failures: readonly RecordFailure[];

  public constructor(failures: readonly RecordFailure[], total: number, advice?: string) {
    const listed = failures
      .slice(0, LISTED)
      .map((failure) => `${failure.sequenceNumber ?? '(no sequence number)'} (${failure.reason})`)
      .join('; ');
    const more = failures.length > LISTED ? `; and ${failures.length - LISTED} more (see error.failures)` : '';
    super(`${failures.length} of ${total} record(s) not replicated: ${listed}${more}${advice ? `. ${advice}` : ''}`);
    this.name = 'ReplicationFailedError';
    this.failures = failures;
  }
}
