/**
 * The function's configuration, read from its environment once at init and checked whole: every problem is
 * reported in one message naming the variable, so a user fixes them in one go rather than one deploy at a time.
 */
import { ConfigError } from '../replicator/errors';
import type { SlaveTarget } from '../replicator/types';
import { externalIdProblem, roleProblem } from '../shared/roleChecks';
import { isTableArn, type TableRef } from '../shared/tableRef';
import { checkTarget, regionProblem, sameTarget, twiceProblem } from '../shared/targetChecks';
import { readSettings, type Settings } from './settings';

/** Everything the handler needs to know that does not come with the event: the slaves and ./settings.ts's settings. */
export interface Config extends Settings {
  /** The tables to write to, in the order given; never empty, never the same table twice. */
  readonly slaves: readonly SlaveTarget[];
}

/** What a `SLAVES` entry looks like, as its problem says. */
const ENTRY_FORMS = 'region/table, region/table@roleArn or a table ARN (e.g. eu-west-1/Orders)';

function parseSlaves(list: string, problems: string[]): SlaveTarget[] {
  const slaves: SlaveTarget[] = [];
  const entries = list.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    problems.push(`SLAVES: the list is empty (expected entries of the form ${ENTRY_FORMS}, separated by commas)`);
    return slaves;
  }
  for (const entry of entries) {
    // A table ARN has no "/" before its table, and neither it nor a region/table has an "@": a role follows the "@".
    const match = isTableArn(entry)
      ? /^()([^@]+)(?:@(.+))?$/.exec(entry)
      : /^([^/@]+)\/([^/@]+)(?:@(.+))?$/.exec(entry);
    if (!match) {
      problems.push(`SLAVES: entry ${JSON.stringify(entry)} is not of the form ${ENTRY_FORMS}`);
      continue;
    }
    const [, region = '', table = '', roleArn] = match;
    const name = `SLAVES entry ${JSON.stringify(entry)}`;
    const entryProblems: string[] = [];
    const sources = { region: name, table: name, regionMissing: `${name} has no region` };
    const target = checkTarget(sources, region === '' ? undefined : region, table, entryProblems);
    const role = roleArn === undefined ? undefined : roleProblem(name, roleArn);
    if (role) entryProblems.push(role);
    problems.push(...entryProblems);
    if (!target || entryProblems.length > 0) continue;
    const slave: SlaveTarget = roleArn === undefined ? target : { ...target, roleArn };
    const twin = slaves.find((other) => sameTarget(other, slave));
    if (twin) {
      problems.push(`SLAVES: ${twiceProblem(twin, slave)}`);
      continue;
    }
    slaves.push(slave);
  }
  return slaves;
}

/** The single slave of SLAVE_REGION, SLAVE_TABLE and SLAVE_ROLE_ARN. */
function singleSlave(env: Readonly<Record<string, string | undefined>>, problems: string[]): SlaveTarget[] {
  const region = env.SLAVE_REGION?.trim() || undefined;
  const table = env.SLAVE_TABLE?.trim() ?? '';
  const sources = {
    region: 'SLAVE_REGION',
    table: 'SLAVE_TABLE',
    regionMissing: 'SLAVE_REGION is not set (the region of the slave table, e.g. eu-west-1)',
  };
  let target: TableRef | undefined;
  if (table === '') {
    const problem = region === undefined ? sources.regionMissing : regionProblem('SLAVE_REGION', region);
    if (problem) problems.push(problem);
    problems.push('SLAVE_TABLE is not set (the name of the slave table)');
  } else target = checkTarget(sources, region, table, problems);
  const roleArn = env.SLAVE_ROLE_ARN?.trim() || undefined;
  const problem = roleArn === undefined ? undefined : roleProblem('SLAVE_ROLE_ARN', roleArn);
  if (problem) problems.push(problem);
  const { region: slaveRegion = region ?? '', table: slaveTable = table } = target ?? {};
  const slave = { region: slaveRegion, table: slaveTable };
  return [roleArn === undefined ? slave : { ...slave, roleArn }];
}

/** Reads and checks the configuration; throws one {@link ConfigError} listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const list = env.SLAVES;
  let slaves: SlaveTarget[] = [];
  if (list !== undefined && (env.SLAVE_REGION?.trim() || env.SLAVE_TABLE?.trim())) {
    problems.push('SLAVES is set together with SLAVE_REGION/SLAVE_TABLE: use one form or the other');
  } else if (list !== undefined) {
    slaves = parseSlaves(list, problems);
  } else {
    slaves = singleSlave(env, problems);
  }
  if (list !== undefined && env.SLAVE_ROLE_ARN?.trim()) {
    problems.push(
      'SLAVE_ROLE_ARN is set together with SLAVES: give each slave its role in SLAVES as region/table@roleArn',
    );
  }
  const externalId = env.SLAVE_EXTERNAL_ID?.trim() || undefined;
  if (externalId !== undefined) {
    const problem = externalIdProblem('SLAVE_EXTERNAL_ID', externalId);
    if (problem) {
      problems.push(problem);
    } else if (!slaves.some((slave) => slave.roleArn !== undefined)) {
      problems.push(
        'SLAVE_EXTERNAL_ID is set but no slave is written through a role (SLAVE_ROLE_ARN or region/table@roleArn)',
      );
    }
  }
  const settings = readSettings('environment', env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    slaves:
      externalId === undefined ? slaves : slaves.map((slave) => (slave.roleArn ? { ...slave, externalId } : slave)),
    ...settings,
  };
}
