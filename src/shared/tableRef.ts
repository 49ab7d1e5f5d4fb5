/**
 * Naming a table: `region/table`, the form both commands take for the master and the slave, and the table a stream
 * ARN belongs to (the replicator reads the master's region and name from each record's `eventSourceARN`).
 */

/** One table in one region. */
export interface TableRef {
  readonly region: string;
  readonly table: string;
}

/** DynamoDB's table name rule: 3–255 characters of letters, digits, `_`, `-` and `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A region name such as `eu-west-1` or `us-gov-west-1` (letters, digits and dashes). */
const REGION_NAME = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;

/** Why a text is not a usable `region/table`, or undefined when it is. */
export function tableRefProblem(ref: TableRef): string | undefined {
  if (!REGION_NAME.test(ref.region)) return `"${ref.region}" is not a region name (e.g. eu-west-1)`;
  if (!TABLE_NAME.test(ref.table)) {
    return `"${ref.table}" is not a DynamoDB table name (3–255 letters, digits, "_", "-" or ".")`;
  }
  return undefined;
}

/**
 * Splits `region/table` at its first slash. Table names cannot contain a slash, so the split is unambiguous. Returns
 * undefined for text without a slash; the caller reports the usage error with its own context.
 */
export function splitTableRef(text: string): TableRef | undefined {
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { region: text.slice(0, slash), table: text.slice(slash + 1) };
}

/** `region/table`, as messages and the state file name a table. */
export function formatTableRef(ref: TableRef): string {
  return `${ref.region}/${ref.table}`;
}

/** True when both name the same table in the same region. */
export function sameTable(a: TableRef, b: TableRef): boolean {
  return a.region === b.region && a.table === b.table;
}

/** The region and table name of the table whose stream `eventSourceARN` names, when it is a DynamoDB stream ARN. */
export function sourceTableOf(eventSourceARN: string): TableRef | undefined {
  const match = /^arn:aws[a-z-]*:dynamodb:([^:]+):[^:]*:table\/([^/]+)(?:\/stream\/.*)?$/.exec(eventSourceARN);
  return match ? { region: match[1] as string, table: match[2] as string } : undefined;
}
