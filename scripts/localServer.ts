/**
 * DynamoDB Local for a benchmark script: the local credentials in the environment (for the SDK's default chain,
 * as the operator tools use it), and the server stopped on every way out — the script's `finally`, and Ctrl-C or
 * SIGTERM (exit code 130), so no Java process outlives the script.
 */
import { type DynamoDBLocal, LOCAL_CREDENTIALS, startDynamoDBLocal } from '../harness/dynamodbLocal';

/** A DynamoDB Local a script starts once and stops, by its PID, however the script ends. */
export interface ScriptServer {
  start(): Promise<DynamoDBLocal>;
  /** Stops the server if it runs; safe to call twice. */
  stop(): Promise<void>;
}

/** Prepares the environment and the signal handlers; `start()` then starts the server. */
export function scriptServer(): ScriptServer {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  let local: DynamoDBLocal | undefined;
  const stop = async (): Promise<void> => {
    const running = local;
    local = undefined;
    await running?.stop();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping DynamoDB Local\n`);
      stop().finally(() => process.exit(130));
    });
  }
  return {
    start: async () => {
      local = await startDynamoDBLocal();
      return local;
    },
    stop,
  };
}
