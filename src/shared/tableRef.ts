/**
 * Naming a table: `region/table` or the table's ARN, the forms the commands take for the master and the slave and the
 * function takes for a slave, and the table a stream ARN belongs to (the replicator reads the master's region and
 * name from each record's `eventSourceARN`). An ARN is what a table in another account is addressed by when its
 * resource-based policy lets the caller in: DynamoDB takes it wherever a table name goes (TableName, and the keys of
 * BatchWriteItem's and BatchGetItem's RequestItems), so a reference keeps it as its `table` and every call sends it.
 */

/** One table in one region. */
export interface TableRef {
  readonly region: string;
  /** The table's name, or its ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`), as TableName takes either. */
  readonly table: string;
}

/** A table ARN's parts. */
export interface TableArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The table's name. */
  readonly name: string;
}

/** DynamoDB's table name rule: 3–255 characters of letters, digits, `_`, `-` and `.`. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
/** A region name such as `eu-west-1` or `us-gov-west-1` (letters, digits and dashes). */
const REGION_NAME = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
/** The form messages give a table ARN in. */
export const TABLE_ARN_FORM = 'arn:aws:dynamodb:<region>:<account>:table/<name>';

/** Whether `text` is meant as an ARN (then it is parsed as one, and its problems named, rather than as a name). */
export function isTableArn(text: string): boolean {
  return text.startsWith('arn:');
}

/** What is wrong with an ARN's parts, or undefined. */
function arnPartProblem(parts: readonly string[], resource: string): string | undefined {
  const [, partition = '', service = '', region = '', account = ''] = parts;
  if (parts.length < 6) return `it has ${parts.length - 1} of the 5 colons of ${TABLE_ARN_FORM}`;
  if (!/^aws(?:-[a-z]+)*$/.test(partition)) return `"${partition}" is not an AWS partition (aws, aws-cn, aws-us-gov)`;
  if (service !== 'dynamodb') return `it is an ARN of ${service || 'no service'}, not of a DynamoDB table`;
  if (!REGION_NAME.test(region)) return `"${region}" is not a region name (e.g. eu-west-1)`;
  if (!/^\d{12}$/.test(account)) return `"${account}" is not a 12-digit account id`;
  if (!resource.startsWith('table/')) return `"${resource}" is not table/<name>`;
  const [name = '', ...rest] = resource.slice('table/'.length).split('/');
  if (rest.length > 0)
    return `it names ${rest[0] ?? 'a part'} "${rest.slice(1).join('/')}" of table ${name}, not the table: drop "/${rest.join('/')}"`;
  if (!TABLE_NAME.test(name)) return `"${name}" is not a DynamoDB table name (3–255 letters, digits, "_", "-" or ".")`;
  return undefined;
}

/** The parts of a table ARN, or what is wrong with it (worded to follow `"<text>" is not a DynamoDB table ARN: `). */
export function parseTableArn(text: string): TableArn | { problem: string } {
  const parts = text.split(':');
  const resource = parts.slice(5).join(':');
  const problem = arnPartProblem(parts, resource);
  if (problem) return { problem: `"${text}" is not a DynamoDB table ARN: ${problem} (expected ${TABLE_ARN_FORM})` };
  const [, partition = '', , region = '', account = ''] = parts;
  return { arn: text, partition, region, account, name: resource.slice('table/'.length) };
}

/** The table's name, whether `ref` names it or gives its ARN. */
export function tableNameOf(ref: TableRef): string {
  if (!isTableArn(ref.table)) return ref.table;
  const parsed = parseTableArn(ref.table);
  return 'name' in parsed ? parsed.name : ref.table;
}

/** The account of the table when `ref` gives its ARN; undefined for a name (the caller's own account). */
export function accountOf(ref: TableRef): string | undefined {
  if (!isTableArn(ref.table)) return undefined;
  const parsed = parseTableArn(ref.table);
  return 'account' in parsed ? parsed.account : undefined;
}

/** Why `ref` is not a usable table reference, or undefined when it is. */
export function tableRefProblem(ref: TableRef): string | undefined {
  if (isTableArn(ref.table)) {
    const parsed = parseTableArn(ref.table);
    if ('problem' in parsed) return parsed.problem;
    return parsed.region === ref.region
      ? undefined
      : `"${ref.table}" is a table in ${parsed.region}, not ${ref.region}`;
  }
  if (!REGION_NAME.test(ref.region)) return `"${ref.region}" is not a region name (e.g. eu-west-1)`;
  if (!TABLE_NAME.test(ref.table)) {
    return `"${ref.table}" is not a DynamoDB table name (3–255 letters, digits, "_", "-" or ".")`;
  }
  return undefined;
}

/**
 * Splits `region/table` at its first slash, or reads a table ARN (its region is the ARN's; a malformed ARN keeps
 * the region empty, so that {@link tableRefProblem} names what is wrong with it). Table names cannot contain a slash,
 * so the split is unambiguous. Returns undefined for text without a slash; the caller reports the usage error with
 * its own context.
 */
export function splitTableRef(text: string): TableRef | undefined {
  if (isTableArn(text)) {
    const parsed = parseTableArn(text);
    return { region: 'region' in parsed ? parsed.region : '', table: text };
  }
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) return undefined;
  return { region: text.slice(0, slash), table: text.slice(slash + 1) };
}

/** `region/table`, or the ARN when the table is given by its ARN: as messages, logs and metrics name a table. */
export function formatTableRef(ref: TableRef): string {
  return isTableArn(ref.table) ? ref.table : `${ref.region}/${ref.table}`;
}

/**
 * True when both may name the same table: the same region and table name, and the same account where both are known.
 * A name alone does not say its account (it is the caller's, which a configuration does not know), so a name and an
 * ARN with the same region and table name count as the same table; naming both by ARN tells them apart. A caller
 * that knows more (a slave written through a role is in the role's account) passes the two accounts.
 */
export function sameTable(
  a: TableRef,
  b: TableRef,
  [accountA, accountB]: readonly [string | undefined, string | undefined] = [accountOf(a), accountOf(b)],
): boolean {
  const accountsDiffer = accountA !== undefined && accountB !== undefined && accountA !== accountB;
  return a.region === b.region && tableNameOf(a) === tableNameOf(b) && !accountsDiffer;
}

const STREAM_ARN = /^(arn:aws[a-z-]*:dynamodb:([^:]+):[^:]*:table\/([^/]+))(?:\/stream\/.*)?$/;

/** The region and table name of the table whose stream `eventSourceARN` names, when it is a DynamoDB stream ARN. */
export function sourceTableOf(eventSourceARN: string): TableRef | undefined {
  const match = STREAM_ARN.exec(eventSourceARN);
  return match ? { region: match[2] as string, table: match[3] as string } : undefined;
}

/** The table whose stream `eventSourceARN` names, by its ARN (its account included), when it is a stream ARN. */
export function sourceTableArnOf(eventSourceARN: string): TableRef | undefined {
  const match = STREAM_ARN.exec(eventSourceARN);
  return match ? { region: match[2] as string, table: match[1] as string } : undefined;
}
