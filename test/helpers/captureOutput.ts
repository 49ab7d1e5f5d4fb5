/**
 * Captures everything the process writes to stdout and stderr while a piece of code runs: what Lambda would ship
 * to CloudWatch Logs. The bundle's logger writes through a `Console` bound to `process.stdout`/`process.stderr`, so
 * replacing the streams' `write` methods sees every line, whatever writes it (logger, SDK warnings, runtime).
 */
import { jsonEntries } from '../../harness/sandbox';

/** Text written while capturing, and its lines parsed where they are JSON (Powertools Logger's format). */
export interface CapturedOutput {
  readonly stdout: string;
  readonly stderr: string;
  /** Every line that is a JSON object: stdout's in order, then stderr's. */
  readonly entries: ReadonlyArray<Record<string, unknown>>;
}

type Write = typeof process.stdout.write;

/** Runs `action` with stdout and stderr captured (not shown); restores them even when `action` throws. */
export async function captureOutput<T>(action: () => Promise<T> | T): Promise<{ result: T; output: CapturedOutput }> {
  const written = { stdout: '', stderr: '' };
  const originals = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (stream: 'stdout' | 'stderr'): Write =>
    ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      written[stream] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
      if (typeof done === 'function') done();
      return true;
    }) as Write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  try {
    const result = await action();
    return { result, output: parse(written) };
  } finally {
    process.stdout.write = originals.stdout;
    process.stderr.write = originals.stderr;
  }
}

/** Like {@link captureOutput}, for an action that may throw: resolves with its result or its error, and the output. */
export async function captureSettled<T>(
  action: () => Promise<T> | T,
): Promise<{ result?: T; error?: unknown; output: CapturedOutput }> {
  let error: unknown;
  let failed = false;
  const { result, output } = await captureOutput(async () => {
    try {
      return await action();
    } catch (caught) {
      failed = true;
      error = caught;
      return undefined;
    }
  });
  return failed ? { error, output } : { result, output };
}

function parse(written: { stdout: string; stderr: string }): CapturedOutput {
  const entries = jsonEntries(`${written.stdout}\n${written.stderr}`.split('\n').map((line) => line.trim()));
  return { stdout: written.stdout, stderr: written.stderr, entries };
}
