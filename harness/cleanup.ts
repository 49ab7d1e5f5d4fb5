/**
 * How scripts (demo, soak, benches) clean up: everything a script starts — DynamoDB Local, proxy processes, child
 * processes, clients — registers a stop function here, and every registered stop runs once, newest first, on every
 * way out: the end of the script's main (success or error), Ctrl-C (exit code 130) and SIGTERM (143). No Java
 * process outlives a script.
 */
import { type DynamoDBLocal, LOCAL_CREDENTIALS, startDynamoDBLocal } from './dynamodbLocal';
import { PrerequisiteError } from './prerequisite';

type Stop = () => Promise<void> | void;

const stops: Stop[] = [];
let running: Promise<void> | undefined;

/** Registers `stop` to run at cleanup; returns a function that unregisters it (when the resource ended itself). */
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

let signalsHandled = false;

/** Makes Ctrl-C and SIGTERM run {@link cleanup} before the process exits (130 and 143). Once per process. */
export function cleanupOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping what the script started…\n`);
      cleanup().finally(() => process.exit(code));
    });
  }
}

/** Options of {@link runScript}. */
export interface RunScriptOptions {
  /** End the process once cleaned up, instead of waiting for idle sockets (keep-alive agents) to close. */
  readonly exitWhenDone?: boolean;
}

/**
 * Runs a script's `main` with cleanup on every way out: signals are handled first; `main`'s answer becomes the exit
 * code (`true` or nothing: 0, `false`: 1, a number: itself), an error is printed as `<name> failed: …` and exits 1
 * (a {@link PrerequisiteError} as its message alone: one line saying what to install).
 */
export function runScript(
  name: string,
  main: () => Promise<boolean | number | undefined>,
  options: RunScriptOptions = {},
): void {
  cleanupOnSignals();
  // The SDK's notice that Node 20 support ends in 2027 is not about the script.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  main()
    .then((result) => {
      const code = typeof result === 'number' ? result : result === false ? 1 : 0;
      process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
    })
    .catch((error: unknown) => {
      const text =
        error instanceof PrerequisiteError
          ? error.message
          : error instanceof Error
            ? (error.stack ?? error.message)
            : String(error);
      console.error(`${name} failed: ${text}`);
      process.exitCode = 1;
    })
    .finally(async () => {
      await cleanup();
      if (options.exitWhenDone) process.exit();
    });
}

/**
 * Starts DynamoDB Local and registers its stop for {@link cleanup}. With `credentialsInEnv`, the local credentials
 * are put in the environment first, for the SDK's default chain (as the operator tools use it).
 */
export async function startLocalUntilCleanup(options: { credentialsInEnv?: boolean } = {}): Promise<DynamoDBLocal> {
  if (options.credentialsInEnv) {
    process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  }
  const local = await startDynamoDBLocal();
  onCleanup(() => local.stop());
  return local;
}
