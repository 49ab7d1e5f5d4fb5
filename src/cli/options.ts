/**
 * The command line of `dynamo-replicator zip|create-slave|backfill|verify`, parsed with Node's `util.parseArgs` into the library's
 * configs. Pure: the terminal, CPU count and working directory come in as arguments, so tests can pin them.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatTableRef, type TableRef } from '../shared/tableRef';
import { ACCESS_OPTIONS, sideAccessOptions } from './accessOptions';
import type { BackfillConfig, WriteMode } from './backfill/backfill';
import type { CreateSlaveConfig } from './createSlave/createSlave';
import { UsageError } from './errors';
import { exportOption, withDataOption } from './exportOptions';
import { BACKFILL_HELP, CREATE_SLAVE_HELP, MAIN_HELP, VERIFY_HELP, ZIP_HELP } from './help';
import { loadHooksModule } from './hooksModule';
import type { ProgressOptions } from './progress';
import type { RunConfig } from './runConfig';
import { tables } from './tableArgs';
import type { VerifyConfig } from './verify/verify';
import type { ZipConfig } from './zip/zip';

/** What the parser needs to know about where it runs. */
export interface ParseEnvironment {
  /** stderr is a terminal: progress as a bar. */
  readonly isTTY: boolean;
  /** `os.availableParallelism()`. */
  readonly cpus: number;
  /** Directory for the default state file. */
  readonly cwd: string;
  /** Where progress text goes. */
  readonly writeProgress: (text: string) => void;
}

/** A parsed command line. */
export type ParsedCommand =
  | { readonly command: 'help'; readonly text: string }
  | { readonly command: 'backfill'; readonly json: boolean; readonly config: BackfillConfig }
  | { readonly command: 'verify'; readonly json: boolean; readonly config: VerifyConfig }
  | { readonly command: 'create-slave'; readonly json: boolean; readonly config: CreateSlaveConfig }
  | { readonly command: 'zip'; readonly json: boolean; readonly config: ZipConfig };

/** The two tables, whose credentials, and where to send requests: every command's. */
const TABLE_OPTIONS = {
  ...ACCESS_OPTIONS,
  'from-region': { type: 'string' },
  'from-table': { type: 'string' },
  'to-region': { type: 'string' },
  'to-table': { type: 'string' },
  'endpoint-url': { type: 'string' },
} as const;

/** What a command prints: every command's. */
const OUTPUT_OPTIONS = {
  progress: { type: 'string' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** The options of the commands that read the tables item by item (backfill and verify). */
const COMMON_OPTIONS = {
  ...TABLE_OPTIONS,
  segments: { type: 'string' },
  segment: { type: 'string' },
  'total-segments': { type: 'string' },
  concurrency: { type: 'string' },
  'page-size': { type: 'string' },
  'max-items-per-second': { type: 'string' },
  'max-wcu': { type: 'string' },
  'max-rcu': { type: 'string' },
  'exclude-attributes': { type: 'string' },
  hooks: { type: 'string' },
  ...OUTPUT_OPTIONS,
} as const;

const BACKFILL_OPTIONS = {
  ...COMMON_OPTIONS,
  'write-mode': { type: 'string' },
  'state-file': { type: 'string' },
  restart: { type: 'boolean' },
  'from-export': { type: 'string' },
} as const;

const VERIFY_OPTIONS = {
  ...COMMON_OPTIONS,
  repair: { type: 'boolean' },
  sample: { type: 'string' },
  'recheck-delay': { type: 'string' },
} as const;

const CREATE_SLAVE_OPTIONS = {
  ...TABLE_OPTIONS,
  'billing-mode': { type: 'string' },
  'read-capacity': { type: 'string' },
  'write-capacity': { type: 'string' },
  'kms-key': { type: 'string' },
  stream: { type: 'string' },
  'no-tags': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'with-data': { type: 'boolean' },
  'export-bucket': { type: 'string' },
  'export-bucket-owner': { type: 'string' },
  ...OUTPUT_OPTIONS,
} as const;

const ZIP_OPTIONS = {
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const STREAM_VIEW_TYPES = ['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'] as const;

type CommonValues = {
  [K in keyof typeof COMMON_OPTIONS]?: (typeof COMMON_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
};

/** Largest segment count DynamoDB accepts. */
const MAX_SEGMENTS = 1_000_000;

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`--${name} must be a whole number, got "${text}"`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`--${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function rate(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value <= 0)
    throw new UsageError(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** `3`, `0-7` or `0,2,5` (any mix), checked against the segment count; sorted, without duplicates. */
export function parseSegmentList(text: string, totalSegments: number): number[] {
  const segments = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range) throw new UsageError(`--segment: "${part}" is not a segment number or range (e.g. 3, 0-7, 0,2,5)`);
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (to < from) throw new UsageError(`--segment: range ${part} runs backwards`);
    if (to >= totalSegments)
      throw new UsageError(
        `--segment: ${to} is out of range; segments are 0 to ${totalSegments - 1} of --total-segments ${totalSegments}`,
      );
    for (let segment = from; segment <= to; segment += 1) segments.add(segment);
  }
  return [...segments].sort((a, b) => a - b);
}

function progressOptions(values: Pick<CommonValues, 'quiet' | 'progress'>, env: ParseEnvironment): ProgressOptions {
  const requested = values.quiet ? 'none' : (values.progress ?? 'auto');
  if (!['auto', 'bar', 'lines', 'none'].includes(requested))
    throw new UsageError(`--progress must be auto, bar, lines or none, got "${requested}"`);
  const mode = requested === 'auto' ? (env.isTTY ? 'bar' : 'lines') : (requested as ProgressOptions['mode']);
  return { mode, write: env.writeProgress, intervalMs: mode === 'bar' ? 250 : 10_000 };
}

/** Segment count and selection: all segments by default, or those of `--segment`. */
function segmentSelection(values: CommonValues, env: ParseEnvironment): { totalSegments: number; segments: number[] } {
  const bySegments =
    values.segments === undefined ? undefined : integer('segments', values.segments, 0, 1, MAX_SEGMENTS);
  const byTotal =
    values['total-segments'] === undefined
      ? undefined
      : integer('total-segments', values['total-segments'], 0, 1, MAX_SEGMENTS);
  if (bySegments !== undefined && byTotal !== undefined && bySegments !== byTotal) {
    throw new UsageError(`--segments ${bySegments} and --total-segments ${byTotal} disagree; give one of them`);
  }
  const explicit = byTotal ?? bySegments;
  if (values.segment !== undefined && explicit === undefined) {
    throw new UsageError(
      '--segment needs --total-segments: every process splitting one run must use the same segment count',
    );
  }
  const totalSegments = explicit ?? Math.min(64, Math.max(8, env.cpus * 4));
  const segments =
    values.segment === undefined
      ? Array.from({ length: totalSegments }, (_, index) => index)
      : parseSegmentList(values.segment, totalSegments);
  return { totalSegments, segments };
}

/** `a,b`: the top-level attribute names `--exclude-attributes` drops (whether they are keys is checked later). */
function parseAttributeList(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new UsageError(
      `--exclude-attributes: "${text}" has an empty name; give names separated by commas, e.g. ssn,notes`,
    );
  }
  return [...new Set(names)];
}

/** `--hooks` and `--exclude-attributes`: the shape of a partial replica, as both commands take it. */
function replicaOptions(values: CommonValues, env: ParseEnvironment): Pick<RunConfig, 'hooks' | 'excludeAttributes'> {
  return {
    ...(values.hooks === undefined ? {} : { hooks: loadHooksModule(values.hooks, env.cwd) }),
    ...(values['exclude-attributes'] === undefined
      ? {}
      : { excludeAttributes: parseAttributeList(values['exclude-attributes']) }),
  };
}

function runConfig(
  values: CommonValues,
  positionals: readonly string[],
  env: ParseEnvironment,
  defaultConcurrency: number,
): RunConfig {
  const { master, slave } = tables(values, positionals);
  return {
    master,
    slave,
    ...segmentSelection(values, env),
    concurrency: integer('concurrency', values.concurrency, defaultConcurrency, 1, 1000),
    pageSize: integer('page-size', values['page-size'], 1000, 1, 100_000),
    maxItemsPerSecond: rate('max-items-per-second', values['max-items-per-second']),
    maxWcu: rate('max-wcu', values['max-wcu']),
    maxRcu: rate('max-rcu', values['max-rcu']),
    ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
    ...sideAccessOptions(values),
    progress: progressOptions(values, env),
    ...replicaOptions(values, env),
  };
}

/** The default state file: one per master, slave and segment selection (or export), in the working directory. */
export function defaultStateFile(
  config: Pick<RunConfig, 'master' | 'slave' | 'totalSegments' | 'segments'>,
  cwd: string,
  segmentText?: string,
  source?: string,
): string {
  const { master, slave } = config;
  const part = segmentText === undefined ? '' : `-seg${segmentText.replace(/[^0-9-]+/g, '_')}of${config.totalSegments}`;
  const from = source === undefined ? '' : `-${source.replace(/[^A-Za-z0-9-]+/g, '_')}`;
  // region/table gives region.table; a table ARN gives its parts joined by dots (no "/" or ":" in a file name).
  const named = (ref: TableRef) => formatTableRef(ref).replace(/[/:]+/g, '.');
  return join(cwd, `backfill-${named(master)}-to-${named(slave)}${part}${from}.state.json`);
}

function parse<
  T extends typeof BACKFILL_OPTIONS | typeof VERIFY_OPTIONS | typeof CREATE_SLAVE_OPTIONS | typeof ZIP_OPTIONS,
>(options: T, args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message.replace(/^TypeError \[[A-Z_]+\]: /, '') : String(error),
    );
  }
}

/** Parses `argv` (without node and the script). Throws a UsageError for a wrong command line. */
export function parseCommandLine(argv: readonly string[], env: ParseEnvironment): ParsedCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h')
    return { command: 'help', text: MAIN_HELP };
  if (command === 'backfill') {
    const { values, positionals } = parse(BACKFILL_OPTIONS, rest);
    if (values.help) return { command: 'help', text: BACKFILL_HELP };
    const mode = values['write-mode'] ?? 'watched';
    if (mode !== 'watched' && mode !== 'checked' && mode !== 'conditional' && mode !== 'batch') {
      throw new UsageError(`--write-mode must be watched, conditional, checked or batch, got "${mode}"`);
    }
    const writeMode: WriteMode = mode;
    // Item-by-item writes need many requests in flight to keep the server busy; batched ones do not.
    const base = runConfig(values, positionals, env, writeMode === 'conditional' ? 64 : 16);
    const fromExport = exportOption(values);
    return {
      command,
      json: values.json === true,
      config: {
        ...base,
        writeMode,
        stateFile:
          values['state-file'] ??
          defaultStateFile(base, env.cwd, values.segment, fromExport && `from${fromExport.exportId}`),
        restart: values.restart === true,
        ...(fromExport ? { fromExport } : {}),
      },
    };
  }
  if (command === 'verify') {
    const { values, positionals } = parse(VERIFY_OPTIONS, rest);
    if (values.help) return { command: 'help', text: VERIFY_HELP };
    return {
      command,
      json: values.json === true,
      config: {
        ...runConfig(values, positionals, env, 16),
        repair: values.repair === true,
        sampleSize: integer('sample', values.sample, 10, 0, 100_000),
        recheckDelayMs: integer('recheck-delay', values['recheck-delay'], 1000, 0, 3_600_000),
      },
    };
  }
  if (command === 'create-slave') {
    const { values, positionals } = parse(CREATE_SLAVE_OPTIONS, rest);
    if (values.help) return { command: 'help', text: CREATE_SLAVE_HELP };
    return { command, json: values.json === true, config: createSlaveConfig(values, positionals, env) };
  }
  if (command === 'zip') {
    const { values, positionals } = parse(ZIP_OPTIONS, rest);
    if (values.help) return { command: 'help', text: ZIP_HELP };
    if (positionals.length > 0) {
      throw new UsageError(`zip takes no arguments (got ${positionals.join(' ')}); name the file with --out`);
    }
    const out = values.out ?? 'dynamo-replicator.zip';
    if (out.trim() === '') throw new UsageError('--out needs a file name, e.g. --out function.zip');
    return { command, json: values.json === true, config: { out, force: values.force === true } };
  }
  throw new UsageError(`unknown command "${command}"; commands: zip, create-slave, backfill, verify`);
}

type CreateSlaveValues = ReturnType<typeof parse<typeof CREATE_SLAVE_OPTIONS>>['values'];

/** `create-slave`'s options: the tables, the overrides of the master's definition, dry run and output. */
function createSlaveConfig(
  values: CreateSlaveValues,
  positionals: readonly string[],
  env: ParseEnvironment,
): CreateSlaveConfig {
  const pair = tables(values, positionals);
  const billingMode = values['billing-mode'];
  if (billingMode !== undefined && billingMode !== 'PAY_PER_REQUEST' && billingMode !== 'PROVISIONED') {
    throw new UsageError(`--billing-mode must be PAY_PER_REQUEST or PROVISIONED, got "${billingMode}"`);
  }
  const stream = values.stream;
  const streamViewType = STREAM_VIEW_TYPES.find((type) => type === stream);
  if (stream !== undefined && !streamViewType) {
    throw new UsageError(`--stream must be one of ${STREAM_VIEW_TYPES.join(', ')}, got "${stream}"`);
  }
  const capacity = (name: 'read-capacity' | 'write-capacity'): number | undefined =>
    values[name] === undefined ? undefined : integer(name, values[name], 0, 1, 40_000_000);
  const readCapacity = capacity('read-capacity');
  const writeCapacity = capacity('write-capacity');
  const kmsKey = values['kms-key'];
  if (kmsKey !== undefined && kmsKey.trim() === '')
    throw new UsageError('--kms-key needs a key ARN, id or alias (e.g. alias/aws/dynamodb)');
  return {
    ...pair,
    ...(values['endpoint-url'] ? { endpoint: values['endpoint-url'] } : {}),
    ...sideAccessOptions(values),
    overrides: {
      ...(billingMode === undefined ? {} : { billingMode }),
      ...(readCapacity === undefined ? {} : { readCapacity }),
      ...(writeCapacity === undefined ? {} : { writeCapacity }),
      ...(kmsKey === undefined ? {} : { kmsKey }),
      ...(streamViewType === undefined ? {} : { stream: streamViewType }),
      tags: values['no-tags'] !== true,
    },
    dryRun: values['dry-run'] === true,
    progress: progressOptions(values, env),
    pollMs: 2000,
    ...withDataOption(values, env.cwd, pair),
  };
}
