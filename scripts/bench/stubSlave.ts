/**
 * A stub slave for measuring CPU in-process: an HTTP server in its own Node process that answers every request with
 * `{"UnprocessedItems":{}}` (every BatchWriteItem fully processed) at once. With no DynamoDB Local and no network
 * delay, what a writer spends in its own process is what it costs, and the server's own work lands in another
 * process, not in the figures.
 */
import { spawn } from 'node:child_process';
import { onCleanup } from '../../harness/cleanup';
import { killChild } from './killChild';

/** Child code: a keep-alive server on 127.0.0.1, an ephemeral port; prints the port, then answers every request. */
const STUB_SERVER = `
const { createServer } = require('node:http');
const body = '{"UnprocessedItems":{}}';
const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': body.length });
    response.end(body);
  });
});
// Idle connections stay open: a writer may pause between runs for longer than any timeout.
server.keepAliveTimeout = 0;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

/** A running stub slave. */
export interface StubSlave {
  /** `http://127.0.0.1:<port>`: the handler's `AWS_ENDPOINT_URL_DYNAMODB`, or a client's endpoint. */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts the stub in a child process (stopped at cleanup) and resolves once it listens. */
export async function startStubSlave(): Promise<StubSlave> {
  const child = spawn(process.execPath, ['-e', STUB_SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const unregister = onCleanup(() => killChild(child));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('stub slave did not start within 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`stub slave exited with ${code}`)));
    child.stdout.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(Number(chunk.toString().trim()));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      unregister();
      await killChild(child);
    },
  };
}
