/**
 * The checks of a role to assume and its external id, shared by the function's environment (SLAVE_ROLE_ARN), the
 * library's options and the operator tools' `--from-role-arn`/`--to-role-arn`, so all accept and refuse the same
 * values with the same messages. Each returns the problem, naming where the value came from, or `undefined`.
 */

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

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
