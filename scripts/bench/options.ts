/**
 * Command-line options of `npm run bench` (each also settable by environment variable):
 *   --latency-ms N        delay of the proxy in each direction (BENCH_LATENCY_MS, default 50)
 *   --handshake-rtts N    extra round trips for a new connection: TCP + TLS (BENCH_HANDSHAKE_RTTS, default 2)
 *   --repeats N           timed runs per measurement, median reported (BENCH_REPEATS, default 9; 3 for 10,000)
 *   --cold-runs N         fresh node processes for cold init (BENCH_COLD_RUNS, default 20)
 *   --baseline-sample N   records written one by one for the baseline (BENCH_BASELINE_SAMPLE, default 100)
 *   --sizes a,b,c         batch sizes (BENCH_SIZES, default 100,1000,10000)
 */

/** Settings of one benchmark run. */
export interface BenchOptions {
  readonly latencyMs: number;
  readonly handshakeRoundTrips: number;
  readonly repeats: number;
  readonly coldRuns: number;
  readonly baselineSample: number;
  readonly sizes: readonly number[];
}

function value(args: readonly string[], flag: string, envName: string): string | undefined {
  const index = args.indexOf(flag);
  if (index >= 0) return args[index + 1];
  const inline = args.find((arg) => arg.startsWith(`${flag}=`));
  return inline ? inline.slice(flag.length + 1) : process.env[envName];
}

function nonNegativeInt(text: string | undefined, fallback: number, name: string): number {
  if (text === undefined || text === '') return fallback;
  const parsed = Number(text);
  if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${name} must be a non-negative integer, got ${text}`);
  return parsed;
}

/** Reads the options from `args` (the command line after the script) and the environment. */
export function parseOptions(args: readonly string[]): BenchOptions {
  const sizesText = value(args, '--sizes', 'BENCH_SIZES');
  const sizes = sizesText
    ? sizesText.split(',').map((size) => nonNegativeInt(size.trim(), 0, '--sizes'))
    : [100, 1000, 10_000];
  if (sizes.some((size) => size < 1)) throw new Error('--sizes must list positive batch sizes');
  return {
    latencyMs: nonNegativeInt(value(args, '--latency-ms', 'BENCH_LATENCY_MS'), 50, '--latency-ms'),
    handshakeRoundTrips: nonNegativeInt(value(args, '--handshake-rtts', 'BENCH_HANDSHAKE_RTTS'), 2, '--handshake-rtts'),
    repeats: Math.max(1, nonNegativeInt(value(args, '--repeats', 'BENCH_REPEATS'), 9, '--repeats')),
    coldRuns: Math.max(1, nonNegativeInt(value(args, '--cold-runs', 'BENCH_COLD_RUNS'), 20, '--cold-runs')),
    baselineSample: Math.max(
      1,
      nonNegativeInt(value(args, '--baseline-sample', 'BENCH_BASELINE_SAMPLE'), 100, '--baseline-sample'),
    ),
    sizes,
  };
}

/** Timed runs for a batch of `size` records: fewer for the biggest batch to keep the whole run within minutes. */
export function repeatsFor(options: BenchOptions, size: number): number {
  return size >= 10_000 ? Math.min(options.repeats, 3) : options.repeats;
}
