/**
 * A local S3 for tests and the benchmark: s3rver (npm, plain JavaScript) in a child process, on a free port of
 * 127.0.0.1, storing in a temporary folder, stopped by its PID (also on failures) and its folder removed. It accepts
 * the same local credentials as DynamoDB Local (LOCAL_CREDENTIALS), so one environment signs for both, and checks
 * the signatures. Point the tools at it with AWS_ENDPOINT_URL_S3, as at any S3 endpoint.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { freePort, LOCAL_CREDENTIALS } from './dynamodbLocal';

/** A running local S3. */
export interface LocalS3 {
  /** `http://127.0.0.1:<port>` (path-style addressing). */
  readonly endpoint: string;
  readonly pid: number;
  /** A client of it, for writing exports; destroyed by `stop`. */
  readonly client: S3Client;
  /** Stops the server (SIGTERM, SIGKILL after 5 s) and removes its folder. */
  stop(): Promise<void>;
}

/** The server's program: s3rver with the local credentials added to its account, and `buckets` made at start. */
const PROGRAM = `
const S3rver = require('s3rver');
require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(process.env.KEY_ID, process.env.SECRET);
new S3rver({
  address: '127.0.0.1',
  port: Number(process.env.PORT),
  directory: process.env.DIRECTORY,
  silent: true,
  configureBuckets: JSON.parse(process.env.BUCKETS).map((name) => ({ name, configs: [] })),
}).run().then(() => process.stdout.write('ready\\n'), (error) => { console.error(error); process.exit(1); });
`;

/** Starts a local S3 with `buckets` and resolves once it listens. */
export async function startLocalS3(buckets: readonly string[], timeoutMs = 15_000): Promise<LocalS3> {
  const port = await freePort();
  const directory = mkdtempSync(join(tmpdir(), 'local-s3-'));
  const child = spawn(process.execPath, ['-e', PROGRAM], {
    env: {
      ...process.env,
      PORT: String(port),
      DIRECTORY: directory,
      BUCKETS: JSON.stringify(buckets),
      KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      SECRET: LOCAL_CREDENTIALS.secretAccessKey,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(directory, { recursive: true, force: true });
  };
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local S3 did not start in ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const collect = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`local S3 exited with code ${code}:\n${output}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  if (child.pid === undefined) throw new Error('local S3 has no pid');
  return { endpoint, pid: child.pid, client, stop };
}
