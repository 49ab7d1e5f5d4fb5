/**
 * The settings and counters of the stand-in event source mapping (harness/lambdaPoller.ts), apart from the code so
 * that the slot worker, the destination and the poller read one definition. The names follow Lambda's
 * CreateEventSourceMapping parameters (BatchSize, ParallelizationFactor, MaximumRetryAttempts, …) so a test reads
 * like the trigger it imitates; the defaults are Lambda's own, so a test relying on a setting of deploy/template.json
 * (ReportBatchItemFailures, bisect, a retry limit) sets it explicitly.
 */
import type { LambdaFunction, StreamHandler } from '../lambdaFunction';
import type { OnFailureRecord } from './destination';
import type { StreamSource } from './streamReader';

/** Where reading starts in a shard that has no checkpoint yet (Lambda's `StartingPosition`). */
export type StartingPosition = 'TRIM_HORIZON' | 'LATEST';

/** The on-failure destination: where a record of each given-up batch goes (Lambda's `DestinationConfig.OnFailure`). */
export interface OnFailureDestination {
  /** Appended to in the order batches are given up; the poller's own list when absent ({@link StreamPoller}). */
  readonly records?: OnFailureRecord[];
  /** Also append each record as one line of JSON to this file (what an SQS consumer would read). */
  readonly file?: string;
}

/** What the poller tells `kill` about a batch it is about to deliver. */
export interface BatchToDeliver {
  readonly shardId: string;
  /** The concurrent batch (0 … parallelizationFactor − 1) the records belong to. */
  readonly slot: number;
  readonly records: number;
  /** 0 for the first delivery of these records, then 1, 2, … */
  readonly attempt: number;
}

/** Options for {@link StreamPoller}. */
export interface PollerOptions {
  /** DynamoDB Local endpoint (serves DynamoDB Streams too). */
  readonly endpoint: string;
  /** Region of the master table: the Streams client's region and the events' `awsRegion`. */
  readonly region: string;
  readonly streamArn: string;
  /** Where the stream is read (default: DynamoDB Local's stream `streamArn` at `endpoint`). */
  readonly source?: StreamSource;
  /** The function to invoke; give this or `handler`. */
  readonly function?: LambdaFunction;
  /** A handler to call in-process (wrapped with `inProcessFunction`); give this or `function`. */
  readonly handler?: StreamHandler;
  /** The ARN the on-failure records name (default `arn:aws:lambda:<region>:123456789012:function:dynamo-replicator`). */
  readonly functionArn?: string;
  /** Most records per invocation (Lambda's `BatchSize`; default 100, Lambda's default for DynamoDB). */
  readonly batchSize?: number;
  /** Longest wait to fill a batch, in seconds (`MaximumBatchingWindowInSeconds`; default 0, as Lambda's). */
  readonly maximumBatchingWindowInSeconds?: number;
  /** Concurrent batches per shard, 1–10 (`ParallelizationFactor`; default 1). */
  readonly parallelizationFactor?: number;
  /**
   * Read `batchItemFailures` answers (`FunctionResponseTypes: [ReportBatchItemFailures]`; default false, as
   * Lambda's: deploy/template.json turns it on, see harness/replicator's TEMPLATE_RESPONSE_TYPES).
   */
  readonly reportBatchItemFailures?: boolean;
  /** Split a batch in two on a function error (`BisectBatchOnFunctionError`; default false, as Lambda's). */
  readonly bisectBatchOnFunctionError?: boolean;
  /**
   * Failed attempts retried before the records are given up (`MaximumRetryAttempts`); -1 (the default, as Lambda's)
   * retries until the records expire, which a drain's budget ends here.
   */
  readonly maximumRetryAttempts?: number;
  /**
   * Records older than this (by `ApproximateCreationDateTime`) are not delivered but given up
   * (`MaximumRecordAgeInSeconds`; default none, i.e. the stream's 24 h). Values below Lambda's minimum of 60 are
   * accepted so that tests need not wait a minute.
   */
  readonly maximumRecordAgeInSeconds?: number;
  /** Where reading starts in the shards open at the first drain (default TRIM_HORIZON). */
  readonly startingPosition?: StartingPosition;
  /** Where given-up batches are recorded; without it they are only counted, as Lambda drops them silently. */
  readonly onFailure?: OnFailureDestination;
  /** The `killAfterMs` for a batch's invocation, or undefined to let it run (only a process function honours it). */
  readonly kill?: (batch: BatchToDeliver) => number | undefined;
  /**
   * Asked after each invocation that succeeded: true delivers the same batch again (its answer counts), as Lambda
   * may after an internal retry ("Lambda functions … process each event at least once").
   */
  readonly duplicate?: (batch: BatchToDeliver) => boolean;
  /** Budget of one {@link StreamPoller.drain} call in milliseconds (default 120 000); exceeding it throws. */
  readonly timeoutMs?: number;
  /** Budget of GetRecords calls in one drain (default 20 000); exceeding it throws. */
  readonly maxGetRecordsCalls?: number;
  /** Function timeout given to the in-process handler's context (default 60 000). */
  readonly functionTimeoutMs?: number;
  /** Called after every invocation, e.g. to print progress. */
  readonly onInvocation?: (report: InvocationReport) => void;
}

/** Counters of delivered and failed work. */
export interface PollerStats {
  invocations: number;
  /** Records handed to the function, re-deliveries included. */
  recordsDelivered: number;
  /** Records handed to the function that it had been given before. */
  recordsRedelivered: number;
  /** Entries the function returned in `batchItemFailures` (read or, with reportBatchItemFailures off, ignored). */
  failuresReported: number;
  /** Entries returned in `batchItemFailures` while reportBatchItemFailures was off: Lambda moves past them. */
  failuresIgnored: number;
  /** Invocations that ended in a function error (thrown, timed out, killed). */
  invocationErrors: number;
  /** Invocations whose container was killed mid-invocation, and those that ran out of time. */
  invocationsKilled: number;
  invocationsTimedOut: number;
  /** Failed batches split in two (bisectBatchOnFunctionError). */
  batchesBisected: number;
  /** Batches answered with success that were delivered again (`duplicate`). */
  batchesDuplicated: number;
  /** Batches given up (retries exhausted or records too old), and the records in them. */
  batchesDiscarded: number;
  recordsDiscarded: number;
  /** Of the records given up, those too old to deliver (maximumRecordAgeInSeconds). */
  recordsExpired: number;
  /** Records described in on-failure records (0 without a destination). */
  recordsSentToDestination: number;
  /** Most invocations in flight at once, over all shards and slots. */
  maxConcurrentInvocations: number;
  /** Invocations per slot (index = slot). */
  invocationsPerSlot: number[];
}

/** The numeric counters of {@link PollerStats} that are sums. */
export type CounterName = Exclude<keyof PollerStats, 'maxConcurrentInvocations' | 'invocationsPerSlot'>;

/** What one invocation did, for progress output. */
export interface InvocationReport {
  readonly shardId: string;
  readonly slot: number;
  readonly records: number;
  /** 0 for the first delivery of these records, then 1, 2, … for retries. */
  readonly attempt: number;
  readonly failures: number;
  /** The function error, as `errorType: errorMessage`. */
  readonly error?: string;
  readonly totals: Readonly<PollerStats>;
}

/** Zeroed counters, with one per-slot count for each of `slots` concurrent batches. */
export function emptyStats(slots: number): PollerStats {
  return {
    invocations: 0,
    recordsDelivered: 0,
    recordsRedelivered: 0,
    failuresReported: 0,
    failuresIgnored: 0,
    invocationErrors: 0,
    invocationsKilled: 0,
    invocationsTimedOut: 0,
    batchesBisected: 0,
    batchesDuplicated: 0,
    batchesDiscarded: 0,
    recordsDiscarded: 0,
    recordsExpired: 0,
    recordsSentToDestination: 0,
    maxConcurrentInvocations: 0,
    invocationsPerSlot: Array.from({ length: slots }, () => 0),
  };
}

/** The settings the slots work with, checked and with the defaults filled in. */
export interface MappingSettings {
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly parallelizationFactor: number;
  readonly reportBatchItemFailures: boolean;
  readonly bisect: boolean;
  /** -1: until the records expire. */
  readonly maximumRetryAttempts: number;
  /** Undefined: records never expire within a test. */
  readonly maximumRecordAgeMs?: number;
  readonly startingPosition: StartingPosition;
}

/** Checks the options as CreateEventSourceMapping would (with the exceptions documented there) and fills defaults. */
export function settingsOf(options: PollerOptions): MappingSettings {
  const integer = (name: string, value: number | undefined, fallback: number, min: number, max: number): number => {
    const chosen = value ?? fallback;
    if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
      throw new RangeError(`event source mapping: ${name} must be an integer from ${min} to ${max}, not ${chosen}`);
    }
    return chosen;
  };
  if ((options.function === undefined) === (options.handler === undefined)) {
    throw new TypeError('event source mapping: give exactly one of `function` (a LambdaFunction) and `handler`');
  }
  const age = options.maximumRecordAgeInSeconds;
  return {
    batchSize: integer('batchSize', options.batchSize, 100, 1, 10_000),
    batchingWindowMs:
      1000 * integer('maximumBatchingWindowInSeconds', options.maximumBatchingWindowInSeconds, 0, 0, 300),
    parallelizationFactor: integer('parallelizationFactor', options.parallelizationFactor, 1, 1, 10),
    reportBatchItemFailures: options.reportBatchItemFailures ?? false,
    bisect: options.bisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: integer('maximumRetryAttempts', options.maximumRetryAttempts, -1, -1, 10_000),
    maximumRecordAgeMs:
      age === undefined || age === -1 ? undefined : 1000 * integer('maximumRecordAgeInSeconds', age, 0, 0, 604_800),
    startingPosition: options.startingPosition ?? 'TRIM_HORIZON',
  };
}
