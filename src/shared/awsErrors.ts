/**
 * What an AWS error means, read from its name, code and HTTP status: worth another try (throttling, 5xx, dropped
 * connections), a failed condition, a missing permission, rejected credentials. The Lambda and the tools meet the
 * same SDK errors, so they classify them in one place; each side decides what to do about them (the Lambda reports
 * a record failed, the tools translate stopping errors into messages in src/cli/errors.ts).
 */

/**
 * Error names that say "try again later": throttling and DynamoDB's transient server errors, and a transaction in
 * progress on the item (which the tools' conditional writes can meet).
 */
const TRANSIENT = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);

/** Network error codes worth another try (EAI_AGAIN: a DNS lookup that failed for now). */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Error names of a call the caller's credentials are not allowed to make. */
export const ACCESS_DENIED: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
]);

/** Error names of credentials that are missing, malformed, expired or unknown to AWS. */
export const BAD_CREDENTIALS: ReadonlySet<string> = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'CredentialsProviderError',
  'MissingAuthenticationTokenException',
]);

/** The fields of an SDK (or network) error that say what happened. */
export interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/** Reads an unknown thrown value as an error with optional SDK fields. */
export function asAwsError(error: unknown): AwsLikeError {
  return typeof error === 'object' && error !== null ? (error as AwsLikeError) : { message: String(error) };
}

/**
 * What the SDK's retry middleware throws for a value that is not an object of its own realm: a new Error whose message
 * is `AWS SDK error wrapper for <the value as text>`, without the value's name and code. Node's network errors reach
 * it so when the SDK runs in a vm context (a test runner's sandbox): `…wrapper for TimeoutError: read ECONNRESET`.
 */
const SDK_WRAPPER = /^AWS SDK error wrapper for (\w+)(?:: .*?\b(E[A-Z_]+)\b)?/;

/** Whether another attempt may succeed: throttling, 5xx answers, dropped or refused connections, timeouts. */
export function isTransient(error: unknown): boolean {
  const { name = '', code = '', message = '', $metadata } = asAwsError(error);
  const status = $metadata?.httpStatusCode ?? 0;
  const [, wrappedName = '', wrappedCode = ''] = SDK_WRAPPER.exec(message) ?? [];
  return (
    TRANSIENT.has(name) ||
    status >= 500 ||
    TRANSIENT_CODES.has(code) ||
    TRANSIENT.has(wrappedName) ||
    TRANSIENT_CODES.has(wrappedCode)
  );
}

/** True for a failed `ConditionExpression`. */
export function isConditionFailed(error: unknown): boolean {
  return asAwsError(error).name === 'ConditionalCheckFailedException';
}

/** `Name: message` of an error (just `Name` when it has no message), for failure reasons. */
export function describe(error: unknown): string {
  const { name = 'Error', message = '' } = asAwsError(error);
  return message ? `${name}: ${message}` : name;
}

/** A call the caller may not make, as {@link accessDeniedMessage} words it. */
export interface DeniedCall {
  /** Who makes the call: `the function's role`, `your credentials`, `the slave side (role arn:…)`. */
  readonly who: string;
  /** What it needs: `dynamodb:BatchGetItem`, `the IAM action dynamodb:Scan`, a list. */
  readonly needs: string;
  /** What on: `table Orders in us-east-1`, `the key arn:…`. */
  readonly on: string;
  /** When it is needed at all, before who needs it: `on a stream without new images`. */
  readonly when?: string;
}

/**
 * The one wording of a denied call, for the function and the tools alike:
 * `access denied: [when] <who> need(s) <needs> on <on> (<AWS's answer>)`. Each side says who it is and what it needs;
 * the shape stays the same, so a user reads every access-denied message the same way.
 */
export function accessDeniedMessage(call: DeniedCall, error: unknown): string {
  const verb = call.who.endsWith('credentials') ? 'need' : 'needs';
  return `access denied: ${call.when ? `${call.when} ` : ''}${call.who} ${verb} ${call.needs} on ${call.on} (${describe(error)})`;
}

/** A table DynamoDB answered ResourceNotFoundException for, as {@link missingTableMessage} words it. */
export interface MissingTable {
  /** Which of the two tables it is. */
  readonly side: 'master' | 'slave';
  /** The table as the caller named it, and the region asked. */
  readonly table: string;
  readonly region: string;
  /** What to do about it, in the caller's terms: the setting or option that names the table, or how to create it. */
  readonly fix: string;
}

/**
 * The one wording of a missing table, for the function and the tools alike:
 * `<side> table <table> not found in region <region>: <fix> (<AWS's answer>)`. The side comes first because the
 * fix differs: a missing slave is created from the master's definition, a missing master is a wrong name or region.
 */
export function missingTableMessage(missing: MissingTable, error: unknown): string {
  return `${missing.side} table ${missing.table} not found in region ${missing.region}: ${missing.fix} (${describe(error)})`;
}
