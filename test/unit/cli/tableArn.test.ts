/**
 * The operator tools given a table ARN: the command line takes one for the master or the slave (positional or
 * --from-table/--to-table, with the region from the ARN), names what is wrong with a malformed one or a region that
 * contradicts it, keeps the default state file a plain file name; and create-slave refuses, before sending anything,
 * a slave ARN whose account its credentials do not create tables in.
 */
import type { CreateSlaveConfig } from '../../../src/cli/createSlave/createSlave';
import { refuseSlaveOfAnotherAccount } from '../../../src/cli/createSlave/slaveAccount';
import { ToolError, UsageError } from '../../../src/cli/errors';
import { parseCommandLine } from '../../../src/cli/options';

const env = { isTTY: false, cpus: 2, cwd: '/work', writeProgress: (): void => undefined };
const REPLICA_ARN = 'arn:aws:dynamodb:eu-west-1:444455556666:table/Replica';
const MASTER_TABLE_ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders';

function verifyConfig(argv: string[]) {
  const parsed = parseCommandLine(['verify', ...argv], env);
  if (parsed.command !== 'verify') throw new Error(`parsed as ${parsed.command}`);
  return parsed.config;
}

describe('the command line with table ARNs', () => {
  test('a slave ARN as the positional gives the ARN as the table, in the ARN’s region', () => {
    // Act
    const config = verifyConfig(['us-east-1/Orders', REPLICA_ARN]);

    // Assess
    expect(config.master).toEqual({ region: 'us-east-1', table: 'Orders' });
    expect(config.slave).toEqual({ region: 'eu-west-1', table: REPLICA_ARN });
  });

  test('a master ARN in --from-table needs no --from-region', () => {
    // Act
    const config = verifyConfig(['--from-table', MASTER_TABLE_ARN, 'eu-west-1/Replica']);

    // Assess
    expect(config.master).toEqual({ region: 'us-east-1', table: MASTER_TABLE_ARN });
  });

  test('--to-region contradicting the ARN is a usage error naming both regions', () => {
    // Act
    const act = () => verifyConfig(['us-east-1/Orders', '--to-region', 'us-west-2', '--to-table', REPLICA_ARN]);

    // Assess
    expect(act).toThrow(UsageError);
    expect(act).toThrow(`slave: "${REPLICA_ARN}" is a table in eu-west-1, not us-west-2`);
  });

  test('a malformed ARN is a usage error saying what is wrong with it', () => {
    // Act
    const act = () => verifyConfig(['us-east-1/Orders', 'arn:aws:dynamodb:eu-west-1:12:table/Replica']);

    // Assess
    expect(act).toThrow(
      'slave: "arn:aws:dynamodb:eu-west-1:12:table/Replica" is not a DynamoDB table ARN: "12" is not a 12-digit account id',
    );
  });

  test('the default state file of a backfill to an ARN is a file name without "/" or ":"', () => {
    // Act
    const parsed = parseCommandLine(['backfill', 'us-east-1/Orders', REPLICA_ARN], env);

    // Assess
    expect(parsed.command === 'backfill' && parsed.config.stateFile).toBe(
      '/work/backfill-us-east-1.Orders-to-arn.aws.dynamodb.eu-west-1.444455556666.table.Replica.state.json',
    );
  });
});

describe('create-slave given a slave ARN', () => {
  const base = (slave: string, access: Partial<CreateSlaveConfig> = {}): CreateSlaveConfig => ({
    master: { region: 'us-east-1', table: 'Orders' },
    slave: { region: 'eu-west-1', table: slave },
    overrides: { tags: true },
    dryRun: false,
    progress: { mode: 'none', write: () => undefined, intervalMs: 250 },
    pollMs: 1,
    ...access,
  });

  test('an ARN in the master’s account, with the master’s credentials, is created', () => {
    // Act
    const act = () =>
      refuseSlaveOfAnotherAccount(base(REPLICA_ARN.replace('444455556666', '111122223333')), MASTER_TABLE_ARN);

    // Assess
    expect(act).not.toThrow();
  });

  test('an ARN of another account than the master’s credentials’ is refused, naming both ways to run it there', () => {
    // Act
    const act = () => refuseSlaveOfAnotherAccount(base(REPLICA_ARN), MASTER_TABLE_ARN);

    // Assess
    expect(act).toThrow(ToolError);
    expect(act).toThrow(
      `the slave ${REPLICA_ARN} is in account 444455556666, but the credentials that read the master (account 111122223333) create the slave too`,
    );
    expect(act).toThrow('--to-role-arn arn:aws:iam::444455556666:role/<name>, or --to-profile');
  });

  test('--to-role-arn of the ARN’s account creates it; of another account it is refused', () => {
    // Act
    const same = () =>
      refuseSlaveOfAnotherAccount(
        base(REPLICA_ARN, { slaveAccess: { roleArn: 'arn:aws:iam::444455556666:role/Maker' } }),
        MASTER_TABLE_ARN,
      );
    const other = () =>
      refuseSlaveOfAnotherAccount(
        base(REPLICA_ARN, { slaveAccess: { roleArn: 'arn:aws:iam::999999999999:role/Maker' } }),
        MASTER_TABLE_ARN,
      );

    // Assess
    expect(same).not.toThrow();
    expect(other).toThrow("--to-role-arn's role is in account 999999999999");
  });

  test('--to-profile does not say its account: an ARN is refused, offering region/table', () => {
    // Act
    const act = () =>
      refuseSlaveOfAnotherAccount(base(REPLICA_ARN, { slaveAccess: { profile: 'replica' } }), MASTER_TABLE_ARN);

    // Assess
    expect(act).toThrow(
      'create-slave cannot tell which account --to-profile replica create tables in: give the slave as eu-west-1/Replica',
    );
  });

  test('a slave given as region/table is never refused here', () => {
    // Act
    const act = () =>
      refuseSlaveOfAnotherAccount(base('Replica', { slaveAccess: { profile: 'replica' } }), MASTER_TABLE_ARN);

    // Assess
    expect(act).not.toThrow();
  });
});
