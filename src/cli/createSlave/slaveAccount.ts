/**
 * Whether create-slave may create a slave given by its table ARN. CreateTable makes a table in the account of the
 * credentials that send it; a resource-based policy cannot lend that right to another account (there is no table yet
 * to hold the policy). So an ARN of another account is refused before anything is sent, and the message says to run
 * the command with that account's credentials.
 *
 * Which account the slave side's credentials are in is known without any extra call in two cases: `--to-role-arn`
 * names it (the role's account), and a slave side with no credentials of its own next to a master side with none
 * either uses the master's credentials, whose account is in the master's ARN (DescribeTable's TableArn). A named
 * profile (`--to-profile`), or the default chain beside `--from-*`, does not say its account: there a table ARN is
 * refused too, and the message offers the slave as `region/table`, which that profile creates in its own account.
 */
import { accountOf, formatTableRef, isTableArn, tableNameOf } from '../../shared/tableRef';
import { ToolError } from '../errors';
import type { CreateSlaveConfig } from './createSlave';

/** The account the slave side's credentials create tables in, and how that is known; undefined when unknown. */
function creatingAccount(
  config: Pick<CreateSlaveConfig, 'masterAccess' | 'slaveAccess'>,
  masterTableArn: string | undefined,
): { account: string; known: string } | undefined {
  const roleAccount = config.slaveAccess?.roleArn?.split(':')[4];
  if (roleAccount) return { account: roleAccount, known: `--to-role-arn's role is in account ${roleAccount}` };
  const ownSlaveCredentials = config.slaveAccess?.profile !== undefined;
  const ownMasterCredentials = config.masterAccess?.roleArn !== undefined || config.masterAccess?.profile !== undefined;
  const masterAccount = masterTableArn?.split(':')[4];
  if (ownSlaveCredentials || ownMasterCredentials || !masterAccount) return undefined;
  return {
    account: masterAccount,
    known: `the credentials that read the master (account ${masterAccount}) create the slave too`,
  };
}

/**
 * Throws a ToolError (exit 2) when `config.slave` is a table ARN that the slave side's credentials cannot create:
 * one of another account, or one whose account the credentials do not tell. `masterTableArn` is the master's
 * TableArn as DescribeTable gave it.
 */
export function refuseSlaveOfAnotherAccount(config: CreateSlaveConfig, masterTableArn: string | undefined): void {
  const { slave } = config;
  const slaveAccount = accountOf(slave);
  if (!isTableArn(slave.table) || slaveAccount === undefined) return;
  const name = `${slave.region}/${tableNameOf(slave)}`;
  const creating = creatingAccount(config, masterTableArn);
  if (creating?.account === slaveAccount) return;
  const remedy = `run create-slave with account ${slaveAccount}'s credentials: --to-role-arn arn:aws:iam::${slaveAccount}:role/<name>, or --to-profile <a profile of account ${slaveAccount}> with the slave given as ${name}`;
  if (creating) {
    throw new ToolError(
      `the slave ${formatTableRef(slave)} is in account ${slaveAccount}, but ${creating.known}: CreateTable makes a table in the caller's own account and cannot act on another account's (a resource-based policy cannot allow it); ${remedy}`,
    );
  }
  const whose = config.slaveAccess?.profile ? `--to-profile ${config.slaveAccess.profile}` : 'the default credentials';
  throw new ToolError(
    `the slave ${formatTableRef(slave)} is a table ARN of account ${slaveAccount}, and create-slave cannot tell which account ${whose} create tables in: give the slave as ${name} (created in that account), or ${remedy}`,
  );
}
