/**
 * Who manages the master's KMS key. DescribeTable names the key but not whether it is AWS-managed
 * (`alias/aws/dynamodb`, which every region and account has its own of) or customer-managed (one region, one
 * account): KMS DescribeKey's `KeyMetadata.KeyManager` says. create-slave asks only when the slave lives elsewhere
 * and no `--kms-key` was given (plan.ts `masterKeyToDescribe`), with the master side's credentials in the master's
 * region. A denied DescribeKey is not guessed around: the error names kms:DescribeKey and `--kms-key`.
 */
import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { ACCESS_DENIED, accessDeniedMessage, asAwsError, describe, isTransient } from '../../shared/awsErrors';
import { backoff, PATIENT_RETRY, type PatientRetryOptions, retryPatiently } from '../../shared/retry';
import { formatTableRef, type TableRef } from '../../shared/tableRef';
import { ToolError } from '../errors';
import { openMasterKmsClient, type SideAccess, sideIdentity } from '../table/sideClients';
import { AWS_MANAGED_KEY_ALIAS, type KeyManager } from './plan';

/** What asking about the master's key needs. */
export interface MasterKeyQuestion {
  readonly keyArn: string;
  readonly master: TableRef;
  readonly slave: TableRef;
  readonly masterAccess?: SideAccess;
  readonly signal?: AbortSignal;
  /** Retries of transient errors (tests shorten them). */
  readonly retry?: PatientRetryOptions;
}

/** The way around any answer KMS will not give: name the slave's key. */
const kmsKeyHint = (slave: TableRef): string =>
  `or give --kms-key <arn|alias> of a key in ${slave.region} (--kms-key ${AWS_MANAGED_KEY_ALIAS} for the AWS-managed key)`;

/** The ToolError for an error of DescribeKey no retry fixes (throttling, 5xx, dropped connections are retried). */
function keyError(error: unknown, question: MasterKeyQuestion): ToolError | undefined {
  const { name = '' } = asAwsError(error);
  const { keyArn, master, slave } = question;
  const who = sideIdentity('master', question.masterAccess) ?? 'your credentials';
  const why = `create-slave asks KMS whether the key of ${formatTableRef(master)} is AWS-managed (the slave then gets the AWS-managed key of its own region) or customer-managed (it cannot follow the slave)`;
  if (ACCESS_DENIED.has(name)) {
    return new ToolError(
      `${accessDeniedMessage({ who, needs: 'the IAM action kms:DescribeKey', on: `the key ${keyArn}` }, error)}; ${why}: allow kms:DescribeKey on that key, ${kmsKeyHint(slave)}`,
      { cause: error },
    );
  }
  if (isTransient(error)) return undefined;
  return new ToolError(
    `cannot describe the KMS key ${keyArn} of ${formatTableRef(master)} (${describe(error)}); ${why}: fix the cause, ${kmsKeyHint(slave)}`,
    { cause: error },
  );
}

/**
 * `AWS` or `CUSTOMER` for the master's key, as KMS DescribeKey answers (a key KMS does not call AWS-managed counts as
 * customer-managed: it cannot follow the slave). A ToolError when KMS refuses or cannot answer.
 */
export async function masterKeyManager(question: MasterKeyQuestion): Promise<KeyManager> {
  const client = openMasterKmsClient({ master: question.master, masterAccess: question.masterAccess });
  const retry = question.retry ?? PATIENT_RETRY;
  try {
    const output = await retryPatiently(
      () => client.send(new DescribeKeyCommand({ KeyId: question.keyArn })),
      retry.retries,
      (attempt) => backoff(attempt, retry, question.signal),
      (error) => keyError(error, question),
    );
    return output.KeyMetadata?.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER';
  } finally {
    client.destroy();
  }
}
