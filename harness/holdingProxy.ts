/**
 * An HTTP proxy in front of DynamoDB Local that lets a test hold back a request or an answer for as long as it
 * likes, to make a race window of the backfill happen on purpose instead of by chance.
 *
 * Each request is read in full and shown to `beforeForward`; only once that hook has finished (its promise, if any,
 * resolved) does the request go to DynamoDB Local. The answer is read in full and shown to `beforeAnswer`, with the
 * request it answers; only once that hook has finished does it go back to the client. A hook can therefore change
 * the tables itself, wait for another request to arrive, or just watch (DynamoDB and DynamoDB Streams calls alike).
 * A hook that throws or rejects ends the client's connection without an answer.
 *
 * It listens on 127.0.0.1 only. `close()` stops listening and ends every connection: the clients' (also those whose
 * request or answer is still held) and its own to DynamoDB Local.
 *
 * Why not latencyProxy.ts's `intercept` hook: that hook is synchronous and can hold an answer back only for a fixed
 * time (`holdResponseMs`); holding until the test has seen something happen needs hooks that are awaited.
 */
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the proxy saw it. */
export interface SeenRequest {
  /** The API from `X-Amz-Target`, `DynamoDB_20120810` or `DynamoDBStreams_20120810` (empty when absent). */
  readonly api: string;
  /** The action from `X-Amz-Target`, e.g. `BatchWriteItem` (empty when absent). */
  readonly action: string;
  /** The request body (JSON). */
  readonly body: string;
}

/** What a test does with each exchange; every hook is awaited. */
export interface HoldingHooks {
  /** Runs before the request goes to DynamoDB Local. */
  beforeForward?(request: SeenRequest): void | Promise<void>;
  /** Runs after DynamoDB Local answered `answer` (the body), before the answer goes back to the client. */
  beforeAnswer?(request: SeenRequest, answer: string): void | Promise<void>;
}

/** A running holding proxy. */
export interface HoldingProxy {
  /** `http://127.0.0.1:<port>`: the endpoint to give the clients under test. */
  readonly endpoint: string;
  /** Stops listening and ends every connection, held ones included. */
  close(): Promise<void>;
}

/** Starts a holding proxy on 127.0.0.1 in front of `upstream` (the DynamoDB Local endpoint). */
export async function startHoldingProxy(upstream: string, hooks: HoldingHooks): Promise<HoldingProxy> {
  const target = new URL(upstream);
  // Its own pool of upstream connections, so that close() can end them too.
  const agent = new Agent({ keepAlive: true });
  let closed = false;
  const server: Server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const [api = '', action = ''] = String(incoming.headers['x-amz-target'] ?? '').split('.');
      const seen: SeenRequest = { api, action, body: body.toString('utf8') };
      const fail = (error: unknown): void => {
        outgoing.destroy(error instanceof Error ? error : new Error(String(error)));
      };
      const forward = (): void => {
        if (closed) return;
        const request = httpRequest(
          {
            agent,
            host: target.hostname,
            port: target.port,
            path: incoming.url,
            method: incoming.method,
            headers: incoming.headers,
          },
          (answer) => {
            const answerChunks: Buffer[] = [];
            answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
            answer.on('end', () => {
              const answerBody = Buffer.concat(answerChunks);
              Promise.resolve()
                .then(() => hooks.beforeAnswer?.(seen, answerBody.toString('utf8')))
                .then(() => {
                  if (outgoing.destroyed || incoming.socket.destroyed) return;
                  outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
                  outgoing.end(answerBody);
                })
                .catch(fail);
            });
          },
        );
        request.on('error', fail);
        request.end(body);
      };
      Promise.resolve()
        .then(() => hooks.beforeForward?.(seen))
        .then(forward)
        .catch(fail);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
