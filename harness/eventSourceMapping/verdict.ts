/**
 * How the stand-in event source mapping reads the end of one invocation, as "Configuring partial batch response
 * with DynamoDB and Lambda" (https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html)
 * describes it. With ReportBatchItemFailures on: an empty or null `batchItemFailures`, or an empty or null answer,
 * is complete success; otherwise Lambda checkpoints before the LOWEST failed sequence number and retries from it; an
 * empty, null or unknown `itemIdentifier` fails the whole batch. With it off Lambda does not read the answer at all:
 * any answer is success ("these responses will not be processed by Lambda unless the ReportBatchItemFailures feature
 * is explicitly turned on"), only a function error fails the batch.
 */
import type { LambdaStreamRecord } from '../lambdaEvent';
import type { Invocation } from '../lambdaFunction';

/** What an invocation means for its batch. */
export type Verdict =
  /** Every record is done. `ignored`: failed items returned while ReportBatchItemFailures is off. */
  | { readonly kind: 'success'; readonly ignored: number }
  /** The first `done` records are done; the rest are retried (`failures`: entries returned). */
  | { readonly kind: 'partial'; readonly done: number; readonly failures: number }
  /** The whole batch failed: a function error, or (`functionError` false) an unusable partial batch response. */
  | { readonly kind: 'failed'; readonly functionError: boolean; readonly failures: number; readonly error: string };

/** Reads an invocation of `records` (in sequence order) as Lambda would with the given setting. */
export function verdictOf(
  invocation: Invocation,
  records: readonly LambdaStreamRecord[],
  reportBatchItemFailures: boolean,
): Verdict {
  if (invocation.status === 'error') {
    return {
      kind: 'failed',
      functionError: true,
      failures: 0,
      error: `${invocation.errorType}: ${invocation.errorMessage}`,
    };
  }
  const failures = (invocation.payload as { batchItemFailures?: unknown } | null | undefined)?.batchItemFailures;
  const count = Array.isArray(failures) ? failures.length : 0;
  if (!Array.isArray(failures) || count === 0) return { kind: 'success', ignored: 0 };
  if (!reportBatchItemFailures) return { kind: 'success', ignored: count };
  const position = new Map(records.map((record, index) => [record.dynamodb.SequenceNumber, index]));
  let lowest = records.length;
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    const index = typeof id === 'string' ? position.get(id) : undefined;
    if (index === undefined) {
      return {
        kind: 'failed',
        functionError: false,
        failures: count,
        error: `batchItemFailures names ${JSON.stringify(id ?? null)}, not a sequence number of the batch`,
      };
    }
    lowest = Math.min(lowest, index);
  }
  return { kind: 'partial', done: lowest, failures: count };
}
