/**
 * Errors of the operator tools, and turning AWS errors into messages that say what to change.
 *
 * A `ToolError` ends the command with exit code 2 (usage or environment problem) and its message is all the user
 * sees. AWS errors that retrying cannot fix are translated here: a missing table names the table and region, a
 * missing permission names the IAM action (`dynamodb:Scan`, …) the caller lacks, a role STS refuses (`--from-role-arn`,
 * `--to-role-arn`) says what the trust policy must allow, rejected credentials say so.
 * What an AWS error means (transient, access denied, bad credentials, …) is read in src/shared/awsErrors.ts, shared
 * with the Lambda; what to tell the user about it is decided here.
 */
import {
  ACCESS_DENIED,
  accessDeniedMessage,
  asAwsError,
  BAD_CREDENTIALS,
  missingTableMessage,
} from '../shared/awsErrors';
import { formatTableRef, type TableRef } from '../shared/tableRef';

/** A problem that stops the command: bad arguments, a missing table, a missing permission. Exit code 2. */
export class ToolError extends Error {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
  }
}

/** The command line is wrong; the CLI prints the message and a pointer to `--help`. */
export class UsageError extends ToolError {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Where a call went and for whom, as the messages of {@link fatalAwsError} name them. */
export interface CallSite {
  /** The endpoint the call went to, when not the region's default one (named when it cannot be reached). */
  readonly endpoint?: string;
  /**
   * The side and whose credentials sign its calls (`the slave side (role arn:…)`, see table/sideClients.ts) when it
   * has its own: with two sets of credentials, "your credentials" would not say which one lacks the permission.
   */
  readonly identity?: string;
  /** What the call was about, when not the table itself (`the stream of table Orders`). */
  readonly resource?: string;
  /** Which of the two tables the call was on, so that a missing table's message says what to do about it. */
  readonly side?: 'master' | 'slave';
  /** Appended to an access-denied message: what else the same work needs, or how to do without it. */
  readonly accessHint?: string;
}

/** What to do about a missing table, per side, in the tools' terms. */
const MISSING_TABLE_FIX = {
  master: 'check its name and region (the first argument, or --from-region and --from-table)',
  slave:
    "create it with the master's definition (dynamo-replicator create-slave <master> <slave>), or check its name " +
    'and region (the second argument, or --to-region and --to-table)',
} as const;

/**
 * A `ToolError` for an error that no retry can fix and that stops the whole run, or undefined when the error
 * concerns one item (validation) or is transient. `action` is the DynamoDB API the call used, e.g. `Scan`. Without
 * an identity (the default chain signs both sides) the messages say "your credentials".
 */
export function fatalAwsError(
  error: unknown,
  action: string,
  ref: TableRef,
  site: CallSite = {},
): ToolError | undefined {
  const { endpoint, identity, resource = `table ${ref.table}`, accessHint } = site;
  if (error instanceof ToolError) return error;
  const { name = 'Error', message = '', code = '' } = asAwsError(error);
  const table = formatTableRef(ref);
  if (name === 'ResourceNotFoundException') {
    const where = { table: ref.table, region: ref.region };
    return new ToolError(
      site.side === undefined
        ? `table ${ref.table} not found in region ${ref.region} (${action}: ${message})`
        : missingTableMessage({ ...where, side: site.side, fix: MISSING_TABLE_FIX[site.side] }, error),
      { cause: error },
    );
  }
  if (ACCESS_DENIED.has(name) && message.includes('sts:AssumeRole')) {
    return new ToolError(
      `cannot assume the role given for ${table} (${name}: ${message}); the role's trust policy must name the ` +
        'principal of the credentials you start from (and ask for the external id you give, if any), and those credentials need sts:AssumeRole on the role',
      { cause: error },
    );
  }
  if (ACCESS_DENIED.has(name)) {
    return new ToolError(
      accessDeniedMessage(
        {
          who: identity ?? 'your credentials',
          needs: `the IAM action dynamodb:${action}`,
          on: `${resource} in region ${ref.region}`,
        },
        error,
      ) + (accessHint ? `; ${accessHint}` : ''),
      { cause: error },
    );
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new ToolError(
      identity
        ? `AWS credentials of ${identity} missing or rejected for region ${ref.region} (${name}: ${message}); check that role or profile, and the credentials it starts from`
        : `AWS credentials missing or rejected for region ${ref.region} (${name}: ${message}); set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or another source of the SDK's default chain`,
      { cause: error },
    );
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || name === 'ECONNREFUSED') {
    const where =
      endpoint ??
      process.env.AWS_ENDPOINT_URL_DYNAMODB ??
      process.env.AWS_ENDPOINT_URL ??
      `the DynamoDB endpoint of ${ref.region}`;
    return new ToolError(`cannot reach ${where} for ${table} (${code || name}: ${message})`, { cause: error });
  }
  return undefined;
}
