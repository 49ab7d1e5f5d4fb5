/**
 * Teardown registry of the benchmark: everything it starts (DynamoDB Local, the proxy process, measurement children)
 * registers a stop function here, and it runs on normal exit, on errors and on Ctrl-C / SIGTERM, newest first.
 */
type Stop = () => Promise<void> | void;

const stops: Stop[] = [];
let running: Promise<void> | undefined;

/** Registers `stop` to run at teardown; returns a function that unregisters it (when the resource ended itself). */
export function onCleanup(stop: Stop): () => void {
  stops.push(stop);
  return () => {
    const index = stops.indexOf(stop);
    if (index >= 0) stops.splice(index, 1);
  };
}

/** Runs every registered stop function once, newest first; errors are reported and do not stop the others. */
export function cleanup(): Promise<void> {
  running ??= (async () => {
    while (stops.length > 0) {
      const stop = stops.pop() as Stop;
      try {
        await stop();
      } catch (error) {
        console.error('cleanup failed:', error);
      }
    }
  })();
  return running;
}

/** Makes Ctrl-C and SIGTERM tear everything down before the process exits. */
export function cleanupOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping DynamoDB Local, the proxy and any child process…`);
      cleanup().finally(() => process.exit(130));
    });
  }
}

/** Ends a child process by PID (SIGTERM, then SIGKILL after `graceMs`) and resolves once it has exited. */
export async function killChild(child: import('node:child_process').ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}
