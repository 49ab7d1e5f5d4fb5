/**
 * The function's configuration, read from its environment once at init and checked whole: every problem is
 * reported in one message naming the variable, so a user fixes them in one go rather than one deploy at a time.
 */
import { ConfigError } from '../replicator/errors';
import { regionProblem, tableProblem } from '../replicator/targetChecks';
import type { SlaveTarget } from '../replicator/types';
import { externalIdProblem, roleProblem } from '../shared/roleChecks';

/** Everything the handler needs to know that does not come with the event. */
export interface Config {
  /** The tables to write to, in the order given; never empty, never the same table twice. */
  readonly slaves: readonly SlaveTarget[];
  /** BatchWriteItem calls in flight at once per slave; also each slave client's socket limit. */
  readonly writeConcurrency: number;
  /** Whether deletes made by DynamoDB's TTL process are replicated (REPLICATE_TTL_DELETES, default true). */
  readonly replicateTtlDeletes: boolean;
  /**
   * Top-level attributes dropped from every item on the slaves (EXCLUDE_ATTRIBUTES, a comma-separated list; none by
   * default). Only their syntax is checked here: the function learns the master's key schema from each record's
   * `Keys`, so a record whose key names one of them fails at run time, with a message naming EXCLUDE_ATTRIBUTES
   * (see src/replicator/shaping.ts).
   */
  readonly excludeAttributes: readonly string[];
  /**
   * Whether the trigger honours partial batch responses (REPORT_BATCH_ITEM_FAILURES, default false): true only with
   * the trigger's ReportBatchItemFailures on. Otherwise a batch with a failed record fails the invocation, so that a
   * trigger that would take a partial response as success (the console's default) retries it instead.
   */
  readonly reportBatchItemFailures: boolean;
}

/** Default BatchWriteItem calls in flight per slave: a 1,000-record batch's writes (≤ 40 calls) go out at once. */
export const DEFAULT_WRITE_CONCURRENCY = 50;

function parseBoolean(name: string, value: string | undefined, fallback: boolean, problems: string[]): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '') return fallback;
  if (text === 'true') return true;
  if (text === 'false') return false;
  problems.push(`${name}: ${JSON.stringify(value)} is not true or false`);
  return fallback;
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

function parseConcurrency(value: string | undefined, problems: string[]): number {
  if (value === undefined || value.trim() === '') return DEFAULT_WRITE_CONCURRENCY;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 1000) {
    problems.push(`WRITE_CONCURRENCY: ${JSON.stringify(value)} is not a whole number from 1 to 1000`);
    return DEFAULT_WRITE_CONCURRENCY;
  }
  return number;
}

/** The attribute names of EXCLUDE_ATTRIBUTES: a comma-separated list of distinct, non-empty names (unset: none). */
function parseExcluded(value: string | undefined, problems: string[]): string[] {
  if (value === undefined || value.trim() === '') return [];
  const names = value.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    problems.push(
      `EXCLUDE_ATTRIBUTES: ${JSON.stringify(value)} has an empty name (expected attribute names separated by commas, e.g. ssn,email)`,
    );
  }
  const named = names.filter((name) => name !== '');
  const twice = named.filter((name, index) => named.indexOf(name) !== index);
  if (twice.length > 0) problems.push(`EXCLUDE_ATTRIBUTES: ${[...new Set(twice)].join(', ')} listed twice`);
  return [...new Set(named)];
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
  const writeConcurrency = parseConcurrency(env.WRITE_CONCURRENCY, problems);
  const replicateTtlDeletes = parseBoolean('REPLICATE_TTL_DELETES', env.REPLICATE_TTL_DELETES, true, problems);
  const excludeAttributes = parseExcluded(env.EXCLUDE_ATTRIBUTES, problems);
  const reportBatchItemFailures = parseBoolean(
    'REPORT_BATCH_ITEM_FAILURES',
    env.REPORT_BATCH_ITEM_FAILURES,
    false,
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    slaves:
      externalId === undefined ? slaves : slaves.map((slave) => (slave.roleArn ? { ...slave, externalId } : slave)),
    writeConcurrency,
    replicateTtlDeletes,
    excludeAttributes,
    reportBatchItemFailures,
  };
}
