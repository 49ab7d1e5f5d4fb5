/**
 * The library's options, checked whole when a replicator is created: every problem is reported in one ConfigError
 * naming the option, as the function does for its environment (src/function/config.ts: the same target checks, and
 * ../function/settings.ts, the one description of the other settings for both),
 * so a user fixes them in one go rather than one deploy at a time. Valid options become the function's own
 * configuration, so the library and the zip replicate from one description.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Config } from '../function/config';
import { readSettings, SETTING_OPTIONS } from '../function/settings';
import { ConfigError } from '../replicator/errors';
import type { SlaveTarget, StreamRecord } from '../replicator/types';
import type { ReplicaHooks } from '../shared/hooks';
import type { Item } from '../shared/item';
import { externalIdProblem, roleProblem } from '../shared/roleChecks';
import { checkTarget, regionProblem, sameTarget, twiceProblem } from '../shared/targetChecks';

/**
 * One slave table: its region and name, or its ARN (region optional), and the role to write it through when it is in
 * another account. A table ARN alone reaches a table in another account whose resource-based policy allows the
 * function's role.
 */
export interface SlaveOptions {
  /** The table's region; optional when `table` is an ARN, and then equal to the ARN's. */
  readonly region?: string;
  /** The table's name, or its ARN (`arn:aws:dynamodb:<region>:<account>:table/<name>`). */
  readonly table: string;
  /** Role to assume for writes to this slave (another account's table). */
  readonly roleArn?: string;
  /** External id the role's trust policy asks for; only with `roleArn`. */
  readonly externalId?: string;
}

/**
 * What a replicator is made from. Name the slaves with `slaves`, or one slave with `region` and `table` (and
 * `roleArn`/`externalId`), as the original package's `{ region, table }` did.
 */
export interface ReplicatorOptions {
  /** The tables to write to; never empty, never the same table twice. */
  readonly slaves?: readonly SlaveOptions[];
  /** The one slave's region (with `table`, optional when it is an ARN; not with `slaves`). */
  readonly region?: string;
  /** The one slave's table name or ARN (not with `slaves`). */
  readonly table?: string;
  /** The one slave's role (with `region` and `table`). */
  readonly roleArn?: string;
  /** The one slave's role's external id (with `roleArn`). */
  readonly externalId?: string;
  /** Whether deletes made by DynamoDB's TTL process are replicated; true by default, as in the zip. */
  readonly replicateTtlDeletes?: boolean;
  /** BatchWriteItem calls in flight at once per slave, 1 to 1000; 50 by default, as in the zip. */
  readonly writeConcurrency?: number;
  /** The Powertools logger the handler logs with; one named dynamo-replicator when absent. */
  readonly logger?: Logger;
  /**
   * Whether the slaves hold this item (its final state in the batch, numbers as exact strings, binary as
   * Uint8Array); false deletes it there. Never called for deletes.
   */
  readonly filter?: (item: Item, record: StreamRecord) => boolean;
  /** The item to write instead of `item`; its key attributes must stay as they are. Never called for deletes. */
  readonly transform?: (item: Item, record: StreamRecord) => Item;
  /** Top-level attributes dropped from every item (after `transform`); key attributes cannot be excluded. */
  readonly excludeAttributes?: readonly string[];
  /**
   * Whether `handler` may answer `{ batchItemFailures }`: true only when the trigger has ReportBatchItemFailures on.
   * False by default: a batch with a failed record then fails the invocation, so any trigger retries it.
   */
  readonly reportBatchItemFailures?: boolean;
}

/** Valid options, as the replicator is built from them. */
export interface CheckedOptions {
  readonly config: Config;
  readonly hooks: ReplicaHooks<StreamRecord> | undefined;
  readonly logger: Logger | undefined;
}

const KNOWN = new Set([
  'slaves',
  'region',
  'table',
  'roleArn',
  'externalId',
  'logger',
  'filter',
  'transform',
  ...SETTING_OPTIONS,
]);
const SLAVE_KNOWN = new Set(['region', 'table', 'roleArn', 'externalId']);
const LOGGER_METHODS = ['info', 'warn', 'error', 'addContext'] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One slave's target from `value` (an entry of `slaves`, or the options themselves), or `undefined` with problems. */
function targetOf(source: string, value: Record<string, unknown>, problems: string[]): SlaveTarget | undefined {
  const found: string[] = [];
  const text = (name: string): string | undefined => {
    const field = value[name];
    if (field === undefined) return undefined;
    if (typeof field === 'string') return field;
    found.push(`${source}${name}: expected a string, got ${typeof field}`);
    return undefined;
  };
  const [region, table, roleArn, externalId] = [text('region'), text('table'), text('roleArn'), text('externalId')];
  const sources = {
    region: `${source}region`,
    table: `${source}table`,
    regionMissing: `${source}region is not set (the slave table's region, e.g. eu-west-1)`,
  };
  const target = table === undefined ? undefined : checkTarget(sources, region, table, found);
  if (table === undefined) {
    found.push(region === undefined ? sources.regionMissing : (regionProblem(sources.region, region) ?? ''));
    found.push(`${source}table is not set (the name or ARN of the slave table)`);
  }
  if (roleArn !== undefined) found.push(roleProblem(`${source}roleArn`, roleArn) ?? '');
  if (externalId !== undefined) {
    found.push(externalIdProblem(`${source}externalId`, externalId) ?? '');
    if (roleArn === undefined) found.push(`${source}externalId is set without ${source}roleArn`);
  }
  const real = found.filter((problem) => problem !== '');
  problems.push(...real);
  if (real.length > 0 || target === undefined) return undefined;
  return { ...target, ...(roleArn ? { roleArn } : {}), ...(externalId ? { externalId } : {}) };
}

function slavesOf(options: Record<string, unknown>, problems: string[]): SlaveTarget[] {
  const single = ['region', 'table', 'roleArn', 'externalId'].filter((name) => options[name] !== undefined);
  if (options.slaves === undefined) {
    const target = targetOf('', options, problems);
    return target ? [target] : [];
  }
  if (single.length > 0) problems.push(`slaves is given together with ${single.join(', ')}: use one form or the other`);
  if (!Array.isArray(options.slaves) || options.slaves.length === 0) {
    problems.push('slaves: expected a non-empty array of { region, table, roleArn?, externalId? }');
    return [];
  }
  const targets: SlaveTarget[] = [];
  options.slaves.forEach((entry: unknown, index) => {
    const source = `slaves[${index}].`;
    if (!isObject(entry)) {
      problems.push(`slaves[${index}]: expected an object { region, table, roleArn?, externalId? }`);
      return;
    }
    const unknown = Object.keys(entry).filter((name) => !SLAVE_KNOWN.has(name));
    if (unknown.length > 0) problems.push(`slaves[${index}]: unknown option(s) ${unknown.join(', ')}`);
    const target = targetOf(source, entry, problems);
    if (!target) return;
    const twin = targets.find((other) => sameTarget(other, target));
    if (twin) problems.push(`slaves: ${twiceProblem(twin, target)}`);
    else targets.push(target);
  });
  return targets;
}

/** The user's hooks as the replication core takes them (it always passes the record the item's write comes from). */
function hooksOf(options: Record<string, unknown>, problems: string[]): ReplicaHooks<StreamRecord> | undefined {
  const { filter, transform } = options;
  if (filter !== undefined && typeof filter !== 'function') problems.push('filter: expected a function');
  if (transform !== undefined && typeof transform !== 'function') problems.push('transform: expected a function');
  const userFilter = typeof filter === 'function' ? (filter as NonNullable<ReplicatorOptions['filter']>) : undefined;
  const userTransform =
    typeof transform === 'function' ? (transform as NonNullable<ReplicatorOptions['transform']>) : undefined;
  if (!userFilter && !userTransform) return undefined;
  return {
    ...(userFilter ? { filter: (item: Item, record?: StreamRecord) => userFilter(item, record as StreamRecord) } : {}),
    ...(userTransform
      ? { transform: (item: Item, record?: StreamRecord) => userTransform(item, record as StreamRecord) }
      : {}),
  };
}

/** Checks `options` whole; throws one {@link ConfigError} listing every problem. */
export function checkOptions(options: unknown): CheckedOptions {
  if (!isObject(options)) {
    throw new ConfigError(['options: expected an object such as { region, table } or { slaves: [...] }']);
  }
  const problems: string[] = [];
  const unknown = Object.keys(options).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) problems.push(`unknown option(s) ${unknown.join(', ')}`);
  const slaves = slavesOf(options, problems);
  const settings = readSettings('options', options, problems);
  const { logger } = options;
  const loggerProblem = !isObject(logger) || LOGGER_METHODS.some((name) => typeof logger[name] !== 'function');
  if (logger !== undefined && loggerProblem) {
    problems.push('logger: expected a Powertools Logger (from @aws-lambda-powertools/logger)');
  }
  const hooks = hooksOf(options, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    config: { slaves, ...settings },
    hooks,
    logger: logger as Logger | undefined,
  };
}
