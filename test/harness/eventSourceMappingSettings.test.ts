/**
 * The stand-in event source mapping's settings (harness/eventSourceMapping/options.ts) against CreateEventSourceMapping:
 * an unset setting takes Lambda's default, so a test relying on deploy/template.json's trigger has to say so, and a
 * value outside Lambda's range is refused with the parameter named. No stream is read.
 */
import { settingsOf } from '../../harness/eventSourceMapping/options';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { StreamPoller } from '../../harness/lambdaPoller';
import { MASTER_REGION } from '../../harness/replicator';

const base = { endpoint: 'http://127.0.0.1:1', region: MASTER_REGION, streamArn: 'arn', handler: () => undefined };

test("unset settings take Lambda's defaults: partial batch responses not read, retries until the records expire, no bisect", () => {
  // Act
  const settings = settingsOf(base);

  // Assess
  expect(settings).toEqual({
    batchSize: 100,
    batchingWindowMs: 0,
    parallelizationFactor: 1,
    reportBatchItemFailures: false,
    bisect: false,
    maximumRetryAttempts: -1,
    maximumRecordAgeMs: undefined,
    startingPosition: 'TRIM_HORIZON',
  });
});

test("settings outside Lambda's ranges are refused with the parameter named", () => {
  // Prepare
  const fn: LambdaFunction = { invoke: async () => ({ status: 'ok', payload: undefined }) };

  // Act / Assess
  expect(() => new StreamPoller({ ...base, parallelizationFactor: 11 })).toThrow(
    'parallelizationFactor must be an integer from 1 to 10, not 11',
  );
  expect(() => new StreamPoller({ ...base, maximumRetryAttempts: -2 })).toThrow(/maximumRetryAttempts .* not -2/);
  expect(() => new StreamPoller({ ...base, function: fn })).toThrow(/exactly one of/);
});
