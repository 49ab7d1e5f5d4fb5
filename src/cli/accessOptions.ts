/**
 * The per-side credentials options of every command that reaches both tables (create-slave, backfill, verify):
 * `--from-role-arn`/`--from-external-id`/`--from-profile` for the master and `--to-*` for the slave, parsed into the
 * SideAccess of each side and checked whole, apart from options.ts so each command's parser spreads the same set.
 */
import { UsageError } from './errors';
import type { RunConfig } from './runConfig';
import { accessProblems, type SideAccess } from './table/sideClients';

/**
 * Whose credentials each side uses, for every command that reads or writes both tables (spread into its options and
 * read by {@link sideAccessOptions}): the master's (`from`) and the slave's (`to`), each a role or a profile.
 */
export const ACCESS_OPTIONS = {
  'from-role-arn': { type: 'string' },
  'from-external-id': { type: 'string' },
  'from-profile': { type: 'string' },
  'to-role-arn': { type: 'string' },
  'to-external-id': { type: 'string' },
  'to-profile': { type: 'string' },
} as const;

type AccessValues = { [K in keyof typeof ACCESS_OPTIONS]?: string };

/**
 * The master's and the slave's access from `--from-*`/`--to-*` role and profile options, checked whole: every
 * problem of both sides in one UsageError. A side without options is left out (the SDK's default chain).
 */
export function sideAccessOptions(values: AccessValues): Pick<RunConfig, 'masterAccess' | 'slaveAccess'> {
  const side = (prefix: 'from' | 'to'): SideAccess | undefined => {
    const roleArn = values[`${prefix}-role-arn`];
    const externalId = values[`${prefix}-external-id`];
    const profile = values[`${prefix}-profile`];
    if (roleArn === undefined && externalId === undefined && profile === undefined) return undefined;
    return {
      ...(roleArn === undefined ? {} : { roleArn }),
      ...(externalId === undefined ? {} : { externalId }),
      ...(profile === undefined ? {} : { profile }),
    };
  };
  const masterAccess = side('from');
  const slaveAccess = side('to');
  const problems = accessProblems(masterAccess, slaveAccess);
  if (problems.length === 1) throw new UsageError(problems[0] as string);
  if (problems.length > 1)
    throw new UsageError(`${problems.length} problems with the credentials options:\n  ${problems.join('\n  ')}`);
  return { ...(masterAccess ? { masterAccess } : {}), ...(slaveAccess ? { slaveAccess } : {}) };
}
