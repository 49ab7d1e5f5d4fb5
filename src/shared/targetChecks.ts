/**
 * The checks of a slave target's parts (region, table, role, external id), shared by the function's environment
 * (src/function/config.ts), the library's options (src/library/options.ts) and the CDK construct's props
 * (src/cdk/props.ts), so all three accept and refuse the same values with the same messages. Each returns the problem, naming where the value came from, or `undefined`. The role
 * and external id checks live in src/shared/roleChecks.ts: the operator tools check their roles with them too.
 */

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
