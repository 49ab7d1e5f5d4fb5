/**
 * The built bundle configured as a user configures the Lambda function, pointed at DynamoDB Local (or at a proxy in
 * front of it), for the reliability tests and the soak; and how to read what an invocation reported.
 */
import { loadHandler } from './bundle';
import { LOCAL_CREDENTIALS } from './dynamodbLocal';
import type { StreamHandler } from './lambdaFunction';
import { LocalLambda } from './localLambda';
import type { LocalLambdaOptions } from './localLambdaOptions';

/** Region of the master tables in these tests. */
export const MASTER_REGION = 'us-east-1';
/** Region of the slave tables in these tests. */
export const SLAVE_REGION = 'eu-west-1';

/** How to configure one bundle. */
export interface ReplicatorOptions {
  /** Where the bundle's DynamoDB client sends requests: DynamoDB Local, or a proxy in front of it. */
  readonly endpoint: string;
  readonly slaveTable: string;
  readonly slaveRegion?: string;
  /** `POWERTOOLS_LOG_LEVEL` (default SILENT: tests that read logs say which level they want). */
  readonly logLevel?: string;
  /** Further variables, e.g. `WRITE_CONCURRENCY`; `undefined` removes one. */
  readonly env?: Record<string, string | undefined>;
}

/**
 * The trigger setting a function made with {@link replicatorEnv} needs: deploy/template.json's trigger sets
 * `FunctionResponseTypes: [ReportBatchItemFailures]` with REPORT_BATCH_ITEM_FAILURES=true, so a mapping in front of
 * such a function reads its partial batch responses. Lambda's default, and the stand-in mapping's, is off.
 */
export const TEMPLATE_RESPONSE_TYPES = { reportBatchItemFailures: true } as const;

/** The environment a Lambda function would have: the local Lambda's configuration, or set here for {@link loadHandler}. */
export function replicatorEnv(options: ReplicatorOptions): Record<string, string | undefined> {
  return {
    SLAVE_REGION: options.slaveRegion ?? SLAVE_REGION,
    SLAVE_TABLE: options.slaveTable,
    SLAVES: undefined,
    SLAVE_ROLE_ARN: undefined,
    SLAVE_EXTERNAL_ID: undefined,
    WRITE_CONCURRENCY: undefined,
    REPLICATE_TTL_DELETES: undefined,
    EXCLUDE_ATTRIBUTES: undefined,
    // As deploy/template.json sets it, with the trigger's ReportBatchItemFailures (a mapping in front of this
    // function turns it on with TEMPLATE_RESPONSE_TYPES); tests of a trigger without it remove it.
    REPORT_BATCH_ITEM_FAILURES: 'true',
    AWS_REGION: MASTER_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: options.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'SILENT',
    // EMF metric lines (one per batch and slave) are noise in tests; the log test turns them back on.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOGGER_LOG_EVENT: undefined,
    // The SDK's notice that Node 20 support ends, printed once per loaded bundle: noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...options.env,
  };
}

/**
 * A fresh copy of the bundle's handler with this configuration. The SDK reads the endpoint and credentials from the
 * environment at the first request, so invoke it before loading another copy with different variables.
 */
export function loadReplicator(options: ReplicatorOptions): StreamHandler {
  return loadHandler(replicatorEnv(options));
}

/** How the local Lambda runs the zip: everything but the environment, which {@link replicatorEnv} makes. */
export type LambdaSettings = Omit<LocalLambdaOptions, 'env' | 'taskRoot'>;

/**
 * The unchanged zip with this configuration as a local Lambda function (harness/localLambda: containers under the
 * official runtime client). Close it when done: it ends its containers and removes the unpacked task root.
 */
export function localReplicator(options: ReplicatorOptions, settings: LambdaSettings = {}): LocalLambda {
  return new LocalLambda({ ...settings, env: replicatorEnv(options) });
}

/** An error thrown by the handler as Lambda would see it: its name, message and Powertools' per-record errors. */
export interface ThrownReport {
  readonly name: string;
  readonly message: string;
  /** Messages of the record errors of a `FullBatchFailureError` (empty for other errors). */
  readonly recordErrors: readonly string[];
}

/** Reads a thrown handler error into a {@link ThrownReport}. */
export function thrownReport(error: unknown): ThrownReport {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error), recordErrors: [] };
  const { recordErrors } = error as Error & { recordErrors?: unknown[] };
  return {
    name: error.name,
    message: error.message,
    recordErrors: (recordErrors ?? []).map((inner) => (inner instanceof Error ? inner.message : String(inner))),
  };
}

/** The handler's answer: the sequence numbers it reported failed, in its order. */
export function failedSequenceNumbers(response: unknown): string[] {
  const failures = (response as { batchItemFailures?: Array<{ itemIdentifier?: unknown }> } | undefined)
    ?.batchItemFailures;
  if (!Array.isArray(failures)) throw new Error(`not a partial batch response: ${JSON.stringify(response)}`);
  return failures.map((failure) => String(failure.itemIdentifier));
}

/** Wraps a handler so that what it throws is kept (and still thrown, as Lambda would see it). */
export function keepingErrors(handler: StreamHandler): { handler: StreamHandler; errors: unknown[] } {
  const errors: unknown[] = [];
  return {
    errors,
    handler: async (event, context) => {
      try {
        return await handler(event, context);
      } catch (error) {
        errors.push(error);
        throw error;
      }
    },
  };
}
