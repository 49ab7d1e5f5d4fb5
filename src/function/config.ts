/**
 * The function's configuration, read from its environment once at init and checked whole: every problem is
 * reported in one message naming the variable, so a user fixes them in one go rather than one deploy at a time.
 */
import { ConfigError } from '../replicator/errors';
import type { SlaveTarget } from '../replicator/types';
import { externalIdProblem, roleProblem } from '../shared/roleChecks';
import { regionProblem, tableProblem } from '../shared/targetChecks';
import { readSettings, type Settings } from './settings';

/** Everything the handler needs to know that does not come with the event: the slaves and ./settings.ts's settings. */
export interface Config extends Settings {
  /** The tables to write to, in the order given; never empty, never the same table twice. */
  readonly slaves: readonly SlaveTarget[];
}

function parseSlaves(list: string, problems: string[]): SlaveTarget[] {
  const slaves: SlaveTarget[] = [];
  const entries = list.split(',').map((entry) => entry.trim());
  if (entries.every((entry) => entry === '')) {
    problems.push(
      'SLAVES: the list is empty (expected region/table entries separated by commas, e.g. eu-west-1/Orders)',
    );
    return slaves;
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const match = /^([^/@]+)\/([^/@]+)(?:@(.+))?$/.exec(entry);
    if (!match) {
      problems.push(
        `SLAVES: entry ${JSON.stringify(entry)} is not of the form region/table or region/table@roleArn (e.g. eu-west-1/Orders)`,
      );
      continue;
    }
    const [, region = '', table = '', roleArn] = match;
    const name = `SLAVES entry ${JSON.stringify(entry)}`;
    const entryProblems = [
      regionProblem(name, region),
      tableProblem(name, table),
      roleArn === undefined ? undefined : roleProblem(name, roleArn),
    ].filter((problem): problem is string => problem !== undefined);
    problems.push(...entryProblems);
    if (entryProblems.length > 0) continue;
    const id = `${region}/${table}`;
    if (seen.has(id)) {
      problems.push(`SLAVES: ${id} is listed twice`);
      continue;
    }
    seen.add(id);
    slaves.push(roleArn === undefined ? { region, table } : { region, table, roleArn });
  }
  return slaves;
}

/** Reads and checks the configuration; throws one {@link ConfigError} listing every problem. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const problems: string[] = [];
  const region = env.SLAVE_REGION?.trim() ?? '';
  const table = env.SLAVE_TABLE?.trim() ?? '';
  const list = env.SLAVES;
  let slaves: SlaveTarget[] = [];
  if (list !== undefined && (region !== '' || table !== '')) {
    problems.push('SLAVES is set together with SLAVE_REGION/SLAVE_TABLE: use one form or the other');
  } else if (list !== undefined) {
    slaves = parseSlaves(list, problems);
  } else {
    if (region === '') problems.push('SLAVE_REGION is not set (the region of the slave table, e.g. eu-west-1)');
    else {
      const problem = regionProblem('SLAVE_REGION', region);
      if (problem) problems.push(problem);
    }
    if (table === '') problems.push('SLAVE_TABLE is not set (the name of the slave table)');
    else {
      const problem = tableProblem('SLAVE_TABLE', table);
      if (problem) problems.push(problem);
    }
    const roleArn = env.SLAVE_ROLE_ARN?.trim() || undefined;
    const problem = roleArn === undefined ? undefined : roleProblem('SLAVE_ROLE_ARN', roleArn);
    if (problem) problems.push(problem);
    slaves = [roleArn === undefined ? { region, table } : { region, table, roleArn }];
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
