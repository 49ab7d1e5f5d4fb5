/**
 * The benchmark's latency proxy: it forwards requests unchanged, delays each request and each response once (plus
 * the handshake on a new connection), keeps connections alive and counts what went through. Delays are checked
 * through an injected sleep, never by measuring time.
 */
import { Agent, createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../harness/dynamodbLocal';
import { type LatencyProxy, startLatencyProxy } from '../../harness/latencyProxy';

interface Seen {
  method: string;
  url: string;
  target: string | undefined;
  body: string;
}

/** An upstream on 127.0.0.1 that records requests and answers 200 with a body naming the request. */
async function startUpstream(): Promise<{ server: Server; endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const target = req.headers['x-amz-target'];
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        target: typeof target === 'string' ? target : undefined,
        body,
      });
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      res.end(JSON.stringify({ echoed: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function send(
  proxy: LatencyProxy,
  agent: Agent,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: '127.0.0.1', port: proxy.port, method: 'POST', path: '/some/path?x=1', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function authorization(region: string): string {
  return `AWS4-HMAC-SHA256 Credential=local/20240101/${region}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`;
}

describe('latency proxy', () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let proxy: LatencyProxy | undefined;
  let agent: Agent;
  let sleeps: number[];

  beforeEach(async () => {
    upstream = await startUpstream();
    agent = new Agent({ keepAlive: true, maxSockets: 1 });
    sleeps = [];
  });

  afterEach(async () => {
    agent.destroy();
    await proxy?.stop();
    proxy = undefined;
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  });

  const start = async (
    options: { latencyMs?: number; handshakeRoundTrips?: number; upstream?: string } = {},
  ): Promise<LatencyProxy> => {
    proxy = await startLatencyProxy({
      upstream: options.upstream ?? upstream.endpoint,
      latencyMs: options.latencyMs,
      handshakeRoundTrips: options.handshakeRoundTrips,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    return proxy;
  };

  it('forwards method, path, headers and body upstream and returns the upstream status, headers and body', async () => {
    // Prepare
    const running = await start();

    // Act
    const answer = await send(running, agent, '{"TableName":"T"}', { 'x-amz-target': 'DynamoDB_20120810.PutItem' });

    // Assess
    expect(running.endpoint).toBe(`http://127.0.0.1:${running.port}`);
    expect(upstream.seen).toEqual([
      { method: 'POST', url: '/some/path?x=1', target: 'DynamoDB_20120810.PutItem', body: '{"TableName":"T"}' },
    ]);
    expect(answer.status).toBe(201);
    expect(answer.headers['x-upstream']).toBe('yes');
    expect(JSON.parse(answer.body)).toEqual({ echoed: '{"TableName":"T"}' });
  });

  it('holds each request and each response once for the latency, and the first request of a connection also for the handshake', async () => {
    // Prepare
    const running = await start({ latencyMs: 40, handshakeRoundTrips: 2 });

    // Act
    await send(running, agent, 'first');
    await send(running, agent, 'second');

    // Assess: request 40 + handshake 2 × 80, response 40; then 40 and 40 on the reused connection
    expect(sleeps).toEqual([200, 40, 40, 40]);
  });

  it('defaults to 50 ms each way and no handshake cost', async () => {
    // Prepare
    const running = await start();

    // Act
    await send(running, agent, 'one');

    // Assess
    expect(sleeps).toEqual([50, 50]);
  });

  it('keeps client connections alive across requests and counts new connections', async () => {
    // Prepare
    const running = await start();

    // Act
    await send(running, agent, 'a');
    await send(running, agent, 'b');
    await send(running, agent, 'c');
    const reused = running.stats().connections;
    const freshAgent = new Agent({ keepAlive: false });
    await send(running, freshAgent, 'd');
    freshAgent.destroy();

    // Assess
    expect(reused).toBe(1);
    expect(running.stats().connections).toBe(2);
  });

  it('counts requests per X-Amz-Target and per signing region, and reset zeroes the counters', async () => {
    // Prepare
    const running = await start();

    // Act
    await send(running, agent, '{}', {
      'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
      authorization: authorization('us-west-2'),
    });
    await send(running, agent, '{}', {
      'x-amz-target': 'DynamoDB_20120810.BatchWriteItem',
      authorization: authorization('eu-west-1'),
    });
    await send(running, agent, '{}', {
      'x-amz-target': 'DynamoDB_20120810.PutItem',
      authorization: authorization('us-west-2'),
    });
    await send(running, agent, '{}');
    const counted = running.stats();
    running.reset();

    // Assess
    expect(counted.requests).toBe(4);
    expect(counted.byTarget).toEqual({
      'DynamoDB_20120810.BatchWriteItem': 2,
      'DynamoDB_20120810.PutItem': 1,
      '(none)': 1,
    });
    expect(counted.byRegion).toEqual({ 'us-west-2': 2, 'eu-west-1': 1, '(unsigned)': 1 });
    expect(counted.upstreamErrors).toBe(0);
    expect(running.stats()).toMatchObject({ requests: 0, byTarget: {}, byRegion: {}, connections: 0 });
  });

  it('answers 502 and counts an upstream error when the upstream does not answer', async () => {
    // Prepare: a port nothing listens on
    const running = await start({ upstream: `http://127.0.0.1:${await freePort()}` });

    // Act
    const answer = await send(running, agent, '{}');

    // Assess
    expect(answer.status).toBe(502);
    expect(running.stats()).toMatchObject({ requests: 1, upstreamErrors: 1 });
  });
});
