/**
 * The replicator's settings besides its slaves, described once for both ways of giving them: the zip's environment
 * (text, e.g. `WRITE_CONCURRENCY=8`) and the library's options (values, e.g. `writeConcurrency: 8`). Each setting
 * has one default, one rule and one wording of its problem; only the reading of text differs (a list is
 * comma-separated, a boolean is `true`/`false` in any case). So the zip and the library cannot drift apart.
 */

/**
 * Default BatchWriteItem calls in flight per slave: every call of a 10,000-record batch of up to 5,000 distinct items
 * (≤ 200 calls) goes out at once, one round trip for the whole batch, where 50 took four waves of round trips (1.16–1.20×
 * the ideal plan in `npm run bench` at 10,000 records, against 1.04–1.11× with every call in flight). Not more: each
 * call in flight is a socket, and three slaves at 200 stay well under Lambda's 1,024 file descriptors.
 */
export const DEFAULT_WRITE_CONCURRENCY = 200;

/** The settings, as the replication is built from them. */
export interface Settings {
  /** BatchWriteItem calls in flight at once per slave; also each slave client's socket limit. */
  readonly writeConcurrency: number;
  /** Whether deletes made by DynamoDB's TTL process are replicated. */
  readonly replicateTtlDeletes: boolean;
  /**
   * Top-level attributes dropped from every item on the slaves. Only their syntax is checked here: the function
   * learns the master's key schema from each record's `Keys`, so a record whose key names one of them fails at run
   * time, with a message naming the setting (see src/replicator/shaping.ts).
   */
  readonly excludeAttributes: readonly string[];
  /**
   * Whether the trigger honours partial batch responses: true only with the trigger's ReportBatchItemFailures on.
   * Otherwise a batch with a failed record fails the invocation, so that a trigger that would take a partial
   * response as success (the console's default) retries it instead.
   */
  readonly reportBatchItemFailures: boolean;
}

/** One setting: its two names, its default, and how a value is checked. */
interface Setting<T> {
  readonly variable: string;
  readonly option: string;
  readonly fallback: T;
  /** The variable's text as a value to check (a list split at commas); `undefined` for an unusable text. */
  readonly fromText: (text: string) => unknown;
  /** The value, or why it is not one (the name and the given value are put before the reason). */
  readonly check: (value: unknown) => { value: T } | { problem: string };
}

/** A checked value, or its problem. */
type Checked<T> = { value: T } | { problem: string };

function wholeNumber(min: number, max: number): (value: unknown) => Checked<number> {
  return (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? { value }
      : { problem: `is not a whole number from ${min} to ${max}` };
}

function trueOrFalse(value: unknown): Checked<boolean> {
  return typeof value === 'boolean' ? { value } : { problem: 'is not true or false' };
}

/** Distinct, non-empty attribute names. */
function attributeNames(value: unknown): Checked<readonly string[]> {
  if (!Array.isArray(value) || value.some((name) => typeof name !== 'string')) {
    return { problem: 'is not a list of attribute names' };
  }
  const names = value as string[];
  if (names.some((name) => name === '')) return { problem: 'has an empty name' };
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) return { problem: `lists ${[...new Set(twice)].join(', ')} twice` };
  return { value: names };
}

function booleanText(text: string): unknown {
  const lower = text.trim().toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : undefined;
}

const SETTINGS: { readonly [K in keyof Settings]: Setting<Settings[K]> } = {
  writeConcurrency: {
    variable: 'WRITE_CONCURRENCY',
    option: 'writeConcurrency',
    fallback: DEFAULT_WRITE_CONCURRENCY,
    fromText: Number,
    check: wholeNumber(1, 1000),
  },
  replicateTtlDeletes: {
    variable: 'REPLICATE_TTL_DELETES',
    option: 'replicateTtlDeletes',
    fallback: true,
    fromText: booleanText,
    check: trueOrFalse,
  },
  excludeAttributes: {
    variable: 'EXCLUDE_ATTRIBUTES',
    option: 'excludeAttributes',
    fallback: [],
    fromText: (text) => text.split(',').map((name) => name.trim()),
    check: attributeNames,
  },
  reportBatchItemFailures: {
    variable: 'REPORT_BATCH_ITEM_FAILURES',
    option: 'reportBatchItemFailures',
    fallback: false,
    fromText: booleanText,
    check: trueOrFalse,
  },
};

/** The option names of the settings, for the library's list of known options. */
export const SETTING_OPTIONS: readonly string[] = Object.values(SETTINGS).map((setting) => setting.option);

/** How each setting's name reads to the user, for the problems and the run-time errors that name a setting. */
export function settingName(key: keyof Settings, from: 'environment' | 'options'): string {
  return from === 'environment' ? SETTINGS[key].variable : SETTINGS[key].option;
}

function readOne<K extends keyof Settings>(
  key: K,
  from: 'environment' | 'options',
  given: Readonly<Record<string, unknown>>,
  problems: string[],
): Settings[K] {
  const setting = SETTINGS[key] as Setting<Settings[K]>;
  const name = from === 'environment' ? setting.variable : setting.option;
  const raw = given[name];
  if (raw === undefined || (from === 'environment' && String(raw).trim() === '')) return setting.fallback;
  const value = from === 'environment' ? setting.fromText(String(raw)) : raw;
  const checked = setting.check(value);
  if ('value' in checked) return checked.value;
  problems.push(`${name}: ${JSON.stringify(raw)} ${checked.problem}`);
  return setting.fallback;
}

/**
 * Reads every setting from the environment (variables, as text) or the library's options (values); each problem is
 * added to `problems`, worded the same way for both, and the setting takes its default meanwhile.
 */
export function readSettings(
  from: 'environment' | 'options',
  given: Readonly<Record<string, unknown>>,
  problems: string[],
): Settings {
  return {
    writeConcurrency: readOne('writeConcurrency', from, given, problems),
    replicateTtlDeletes: readOne('replicateTtlDeletes', from, given, problems),
    excludeAttributes: readOne('excludeAttributes', from, given, problems),
    reportBatchItemFailures: readOne('reportBatchItemFailures', from, given, problems),
  };
}
