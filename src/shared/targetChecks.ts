/**
 * The checks of a slave target's parts (region, table, role, external id), shared by the function's environment
 * (src/function/config.ts), the library's options (src/library/options.ts) and the CDK construct's props
 * (src/cdk/props.ts), so all three accept and refuse the same values with the same messages. Each returns the problem,
 * naming where the value came from, or `undefined`. The role and external id checks live in src/shared/roleChecks.ts:
 * the operator tools check their roles with them too. A slave's table is a name or a table ARN (./tableRef.ts); an
 * ARN carries its region, so the region may then be left out, and when both are given they must agree.
 */
import { accountOf, formatTableRef, isTableArn, parseTableArn, sameTable, type TableRef } from './tableRef';

const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;

/** `source`'s problem when `region` is not an AWS region name. */
export function regionProblem(source: string, region: string): string | undefined {
  return REGION.test(region)
    ? undefined
    : `${source}: ${JSON.stringify(region)} is not an AWS region name (expected a name like eu-west-1)`;
}

/** `source`'s problem when `table` is not a valid DynamoDB table name. */
export function tableProblem(source: string, table: string): string | undefined {
  return TABLE.test(table)
    ? undefined
    : `${source}: ${JSON.stringify(table)} is not a valid DynamoDB table name (3 to 255 characters: letters, digits, _ . -)`;
}

/** Where a target's region and table were given, as its problems name them (`SLAVE_REGION`, `slaves[0].table`, …). */
export interface TargetSources {
  readonly region: string;
  readonly table: string;
  /** The problem to report when the table is a name and no region is given. */
  readonly regionMissing: string;
}

/**
 * The region and table of a slave given as `table` (a name, or a table ARN) and `region` (optional with an ARN, whose
 * region it then is). Adds every problem to `problems` and returns undefined when there is one: a malformed ARN
 * (saying what is wrong), an ARN whose region contradicts `region` (naming both), a bad region or table name.
 */
export function checkTarget(
  sources: TargetSources,
  region: string | undefined,
  table: string,
  problems: string[],
): TableRef | undefined {
  const found: (string | undefined)[] = [region === undefined ? undefined : regionProblem(sources.region, region)];
  let resolved: string | undefined = region;
  if (isTableArn(table)) {
    const arn = parseTableArn(table);
    if ('problem' in arn) found.push(`${sources.table}: ${arn.problem}`);
    else {
      found.push(regionProblem(sources.table, arn.region));
      if (region !== undefined && region !== arn.region) {
        found.push(
          `${sources.region} is ${region} but ${sources.table} is a table in ${arn.region} (${table}): give the table's own region, or leave ${sources.region} out`,
        );
      }
      resolved = arn.region;
    }
  } else {
    if (region === undefined) found.push(sources.regionMissing);
    found.push(tableProblem(sources.table, table));
  }
  const real = found.filter((problem): problem is string => problem !== undefined);
  problems.push(...real);
  return real.length > 0 || resolved === undefined ? undefined : { region: resolved, table };
}

/** A slave as the duplicate check sees it: its table, and the role it is written through, if any. */
export interface TargetIdentity extends TableRef {
  readonly roleArn?: string;
}

/**
 * Whether two slaves may be the same table (./tableRef.ts's {@link sameTable}), knowing that a table named without an
 * ARN but written through a role is in the role's account. A name written with the function's own role is in the
 * function's account, which its configuration does not know: it counts as the same table as any ARN with the same
 * region and name, so that one table is never written twice under two spellings.
 */
export function sameTarget(a: TargetIdentity, b: TargetIdentity): boolean {
  const account = (target: TargetIdentity) => accountOf(target) ?? target.roleArn?.split(':')[4];
  return sameTable(a, b, [account(a), account(b)]);
}

/** The problem of two slaves that {@link sameTarget} found to be one table: listed twice, or under two spellings. */
export function twiceProblem(first: TableRef, second: TableRef): string {
  const [a, b] = [formatTableRef(first), formatTableRef(second)];
  if (a === b) return `${a} is listed twice`;
  return `${a} and ${b} may be the same table (a name without a role is in the function's own account, unknown here): list it once, or name both by ARN`;
}
