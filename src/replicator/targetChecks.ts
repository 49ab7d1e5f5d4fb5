/**
 * The checks of a slave target's parts (region, table, role, external id), shared by the function's environment
 * (src/lambda/config.ts) and the library's options (src/library/options.ts), so both accept and refuse the same
 * values with the same messages. Each returns the problem, naming where the value came from, or `undefined`.
 */

const REGION = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;
const TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

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

/** `source`'s problem when `roleArn` is not an IAM role ARN. */
export function roleProblem(source: string, roleArn: string): string | undefined {
  return ROLE_ARN.test(roleArn)
    ? undefined
    : `${source}: ${JSON.stringify(roleArn)} is not an IAM role ARN (expected arn:aws:iam::<account>:role/<name>)`;
}

/** `source`'s problem when `externalId` is not what STS accepts as an external id. */
export function externalIdProblem(source: string, externalId: string): string | undefined {
  return EXTERNAL_ID.test(externalId)
    ? undefined
    : `${source}: must be 2 to 1224 characters of letters, digits and +=,.@:/-`;
}
