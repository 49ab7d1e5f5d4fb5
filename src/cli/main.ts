/**
 * The `dynamo-replicator` command: `zip`, `create-slave`, `backfill` and `verify [--repair]`, thin over src/cli/zip,
 * src/cli/createSlave, src/cli/backfill and src/cli/verify.
 *
 * Prints the summary on stdout (text, or JSON with --json) and progress on stderr. Ctrl-C (or SIGTERM) stops a run
 * gracefully — no new writes, the backfill state is saved, the summary printed; a second Ctrl-C exits at once.
 * Exit codes: 0 success/equal, 1 incomplete/different/interrupted, 2 usage or environment error (and a slave that
 * create-slave finds different).
 */
import { availableParallelism } from 'node:os';
import { runBackfill } from './backfill/backfill';
import { runCreateSlave } from './createSlave/createSlave';
import { createSlaveExitCode, formatCreateSlave } from './createSlave/report';
import { ToolError, UsageError } from './errors';
import { parseCommandLine } from './options';
import { backfillExitCode, formatBackfill, formatVerify, verifyExitCode } from './report';
import { runVerify } from './verify/verify';
import { formatZip, writeZip } from './zip/zip';

/** Where the CLI reads and writes; the process's streams by default, replaceable in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
  readonly cwd: string;
  /** Aborts the run (graceful stop); the CLI wires SIGINT/SIGTERM to it. */
  readonly signal?: AbortSignal;
}

/** Runs the command line `argv` (without node and the script) and resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const parsed = parseCommandLine(argv, {
      isTTY: io.isTTY,
      cpus: availableParallelism(),
      cwd: io.cwd,
      writeProgress: io.stderr,
    });
    if (parsed.command === 'help') {
      io.stdout(parsed.text);
      return 0;
    }
    if (parsed.command === 'zip') {
      const summary = writeZip(parsed.config, io.cwd);
      io.stdout(parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : formatZip(summary));
      return 0;
    }
    if (parsed.command === 'backfill') {
      const summary = await runBackfill(parsed.config, io.signal);
      io.stdout(parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : formatBackfill(summary));
      return backfillExitCode(summary);
    }
    if (parsed.command === 'create-slave') {
      const summary = await runCreateSlave(parsed.config, io.signal);
      io.stdout(parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : formatCreateSlave(summary));
      return createSlaveExitCode(summary);
    }
    const summary = await runVerify(parsed.config, io.signal);
    io.stdout(parsed.json ? `${JSON.stringify(summary, null, 2)}\n` : formatVerify(summary));
    return verifyExitCode(summary);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`dynamo-replicator: ${error.message}\nRun "dynamo-replicator --help" for usage.\n`);
      return 2;
    }
    if (error instanceof ToolError) {
      io.stderr(`dynamo-replicator: ${error.message}\n`);
      return 2;
    }
    io.stderr(
      `dynamo-replicator: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return 2;
  }
}

/** Runs the CLI in this process: real streams, signals, and the exit code. */
export function run(): void {
  // The SDK warns once per process that Node 20 support ends in 2027; in an operator's terminal it is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`\n${name}: stopping after the calls in flight (again to exit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    isTTY: process.stderr.isTTY === true,
    cwd: process.cwd(),
    signal: controller.signal,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`dynamo-replicator: ${String(error)}\n`);
      process.exitCode = 2;
    },
  );
}

if (require.main === module) run();
