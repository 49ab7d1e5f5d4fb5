/**
 * Command-line options of `npm run bench:lag`, apart from the script so that their checks can be unit-tested. The
 * mapping's settings default to what deploy/template.json deploys (harness/templateSettings), so that a run without
 * them measures the shipped defaults.
 */
import { parseArgs } from 'node:util';

/** Settings of one lag run. */
export interface LagOptions {
  /** Changes per second written to the master. */
  readonly rate: number;
  readonly seconds: number;
  /** Proxy delay each way between the function and the slave. */
  readonly latencyMs: number;
  readonly parallelizationFactor: number;
  readonly batchSize: number;
  /** MaximumBatchingWindowInSeconds × 1000 (the mapping takes whole seconds, as Lambda's does). */
  readonly batchingWindowMs: number;
  /** Items the changes cycle over. */
  readonly keys: number;
  /**
   * Partition key values those items spread over (1: one item collection). Lambda keeps the order of each partition
   * key value, so only several values let ParallelizationFactor spread one shard's records over concurrent batches.
   */
  readonly partitionKeys: number;
  /** Longest wait after the last write for every change to reach the slave. */
  readonly drainSeconds: number;
  /** Write every change first, then start the mapping: measures how fast one shard catches up (its ceiling). */
  readonly backlog: boolean;
  /**
   * Seconds of changes at the same rate written and replicated before the measured run, and not measured: a hot
   * partition's function is warm (a cold start is measured by `npm run bench`'s cold init); 0 measures from cold.
   */
  readonly warmUpSeconds: number;
  readonly json: boolean;
  readonly help: boolean;
}

/** The event source mapping's settings a run takes when not given: the template's trigger. */
export interface MappingDefaults {
  readonly batchSize: number;
  readonly maximumBatchingWindowInSeconds: number;
  readonly parallelizationFactor: number;
}

/** The usage line, with the template's settings as the mapping's defaults. */
export function lagUsage(defaults: MappingDefaults): string {
  return `npm run bench:lag -- [--rate <changes/s> (1000)] [--seconds <n> (30)] [--latency-ms <n> (50)]
  [--parallelization-factor <1..10> (${defaults.parallelizationFactor})] [--batch-size <1..10000> (${defaults.batchSize})]
  [--batching-window-ms <0..300000, whole seconds> (${defaults.maximumBatchingWindowInSeconds * 1000})]
  [--keys <n> (1000)] [--partition-keys <n> (100)] [--drain-seconds <n> (60)] [--warm-up-seconds <n> (15)]
  [--backlog] [--json]
  The mapping's settings default to deploy/template.json's trigger.`;
}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, not ${text}`);
  }
  return value;
}

/** Reads the options; throws one error naming every bad option and its allowed range. */
export function parseLagOptions(args: readonly string[], defaults: MappingDefaults): LagOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      rate: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '30' },
      'latency-ms': { type: 'string', default: '50' },
      'parallelization-factor': { type: 'string', default: String(defaults.parallelizationFactor) },
      'batch-size': { type: 'string', default: String(defaults.batchSize) },
      'batching-window-ms': { type: 'string', default: String(defaults.maximumBatchingWindowInSeconds * 1000) },
      keys: { type: 'string', default: '1000' },
      'partition-keys': { type: 'string', default: '100' },
      'drain-seconds': { type: 'string', default: '60' },
      'warm-up-seconds': { type: 'string', default: '15' },
      backlog: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const problems: string[] = [];
  const read = (name: keyof typeof values & string, min: number, max: number): number => {
    try {
      return integer(name, String(values[name]), min, max);
    } catch (error) {
      problems.push((error as Error).message);
      return min;
    }
  };
  const options: LagOptions = {
    rate: read('rate', 1, 100_000),
    seconds: read('seconds', 1, 3600),
    latencyMs: read('latency-ms', 0, 10_000),
    parallelizationFactor: read('parallelization-factor', 1, 10),
    batchSize: read('batch-size', 1, 10_000),
    batchingWindowMs: read('batching-window-ms', 0, 300_000),
    keys: read('keys', 1, 1_000_000),
    partitionKeys: read('partition-keys', 1, 1_000_000),
    drainSeconds: read('drain-seconds', 1, 3600),
    warmUpSeconds: read('warm-up-seconds', 0, 600),
    backlog: values.backlog === true,
    json: values.json === true,
    help: values.help === true,
  };
  if (options.batchingWindowMs % 1000 !== 0) {
    problems.push(
      `--batching-window-ms must be whole seconds (MaximumBatchingWindowInSeconds), not ${options.batchingWindowMs}`,
    );
  }
  if (options.partitionKeys > options.keys) {
    problems.push(`--partition-keys must not exceed --keys (${options.keys}), not ${options.partitionKeys}`);
  }
  if (problems.length > 0) throw new Error(`${problems.join('; ')}\n${lagUsage(defaults)}`);
  return options;
}
