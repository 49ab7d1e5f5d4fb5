/**
 * An HTTP proxy on 127.0.0.1 that makes a local endpoint behave like a distant one.
 *
 * Each request is held `latencyMs` after it has fully arrived before it goes upstream, and each response is held
 * `latencyMs` after it has fully come back before it is returned: one round trip costs `2 × latencyMs` however many
 * TCP chunks a message spans (delaying chunks one after another would make large bodies cost several round trips).
 * A new client connection additionally costs `handshakeRoundTrips` round trips on its first request, as a TCP (and
 * TLS) handshake does with a real regional endpoint; that is what makes connection reuse visible in the benchmark.
 *
 * Keep-alive works end to end: client connections stay open between requests, and the proxy keeps its own pool of
 * upstream connections. Requests are counted in total, per `X-Amz-Target` (the DynamoDB operation) and per signing
 * region, and new client connections are counted, so a benchmark can report what a run sent.
 *
 * An optional `intercept` hook sees each request once it has fully arrived and may answer it without forwarding,
 * drop the connection, or forward a rewritten body and rewrite or hold back the answer: the fault-injecting proxy
 * (faultProxy.ts) is built on it, so both share this forwarding code.
 */
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Settings of a latency proxy. */
export interface LatencyProxyOptions {
  /** Where requests go, e.g. the DynamoDB Local endpoint `http://127.0.0.1:8000`. */
  readonly upstream: string;
  /** Delay in each direction, in milliseconds (default 50: a 100 ms round trip, a typical cross-region figure). */
  readonly latencyMs?: number;
  /** Extra round trips paid by the first request of each new client connection (default 0). */
  readonly handshakeRoundTrips?: number;
  /** Port to listen on (default: any free port). */
  readonly port?: number;
  /** How to wait; injectable so tests can check the delays without measuring time. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Decides, per request, whether to forward it unchanged (return `undefined`) or to do something else with it. */
  readonly intercept?: Interceptor;
}

/** A request as it fully arrived at the proxy, before it goes upstream. */
export interface ProxiedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The `X-Amz-Target` header (the DynamoDB operation), when present. */
  readonly target: string | undefined;
  readonly body: Buffer;
}

/** A response on its way back to the client. */
export interface ProxiedResponse {
  readonly status: number;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer;
}

/**
 * What to do with one request instead of forwarding it unchanged:
 * - `answer`: reply with this response; nothing goes upstream.
 * - `reset`: destroy the client's connection without a reply, either as soon as the request arrived (nothing goes
 *   upstream) or after the upstream answered (the request took effect, the client never learns it did).
 * - `forward`: send `body` (default: the original) upstream, pass the answer through `rewrite`, and hold it back
 *   `holdResponseMs` more before replying.
 */
export type Interception =
  | { readonly kind: 'answer'; readonly response: ProxiedResponse }
  | { readonly kind: 'reset'; readonly when: 'on-arrival' | 'after-upstream' }
  | {
      readonly kind: 'forward';
      readonly body?: Buffer;
      readonly rewrite?: (response: ProxiedResponse) => ProxiedResponse;
      readonly holdResponseMs?: number;
    };

/** The `intercept` hook of {@link LatencyProxyOptions}. */
export type Interceptor = (request: ProxiedRequest) => Interception | undefined;

/** What went through a proxy since it started or since the last `reset()`. */
export interface LatencyProxyStats {
  /** Requests answered (or failed upstream). */
  readonly requests: number;
  /** Requests per `X-Amz-Target` header value (`(none)` when absent). */
  readonly byTarget: Readonly<Record<string, number>>;
  /** Requests per signing region read from the SigV4 `Authorization` header (`(unsigned)` when absent). */
  readonly byRegion: Readonly<Record<string, number>>;
  /** Client TCP connections opened. */
  readonly connections: number;
  /** Most requests in flight at the same moment. */
  readonly maxInFlight: number;
  /** Requests that could not be forwarded (answered 502). */
  readonly upstreamErrors: number;
}

/** A running latency proxy. */
export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  readonly port: number;
  stats(): LatencyProxyStats;
  /** Zeroes the counters (open connections stay open). */
  reset(): void;
  /** Stops listening and destroys every client and upstream connection. */
  stop(): Promise<void>;
}

/** Headers that describe one hop of a connection and are not forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'content-length',
]);

const SIGNING_REGION = /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\//;

function defaultSleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function increment(counter: Record<string, number>, name: string): void {
  counter[name] = (counter[name] ?? 0) + 1;
}

/** Starts a latency proxy in front of `options.upstream` and resolves once it listens on 127.0.0.1. */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const upstream = new URL(options.upstream);
  const latencyMs = options.latencyMs ?? 50;
  const handshakeMs = (options.handshakeRoundTrips ?? 0) * 2 * latencyMs;
  const sleep = options.sleep ?? defaultSleep;
  // Upstream connections are local and pooled; their count is not limited so the proxy never queues requests.
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

  let requests = 0;
  let byTarget: Record<string, number> = {};
  let byRegion: Record<string, number> = {};
  let connections = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let upstreamErrors = 0;
  const sockets = new Set<Socket>();
  const handshakePending = new WeakSet<Socket>();

  const forward = (method: string, path: string, headers: OutgoingHttpHeaders, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const upstreamRequest = request(
        {
          agent,
          host: upstream.hostname,
          port: upstream.port,
          method,
          path,
          headers: { ...headers, 'content-length': body.length },
        },
        (response) => {
          readBody(response).then(
            (responseBody) =>
              resolve({ status: response.statusCode ?? 502, headers: response.headers, body: responseBody }),
            reject,
          );
        },
      );
      upstreamRequest.once('error', reject);
      upstreamRequest.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const target = req.headers['x-amz-target'];
    increment(byTarget, typeof target === 'string' ? target : '(none)');
    const region = SIGNING_REGION.exec(req.headers.authorization ?? '')?.[1];
    increment(byRegion, region ?? '(unsigned)');
    try {
      const body = await readBody(req);
      const socket = req.socket;
      const firstOnConnection = handshakePending.has(socket);
      handshakePending.delete(socket);
      await sleep(latencyMs + (firstOnConnection ? handshakeMs : 0));
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const interception = options.intercept?.({
        method,
        path,
        headers: req.headers,
        target: typeof target === 'string' ? target : undefined,
        body,
      });
      if (interception?.kind === 'reset' && interception.when === 'on-arrival') {
        socket.destroy();
        return;
      }
      let reply: ProxiedResponse;
      if (interception?.kind === 'answer') {
        reply = interception.response;
      } else {
        try {
          const sent = interception?.kind === 'forward' && interception.body ? interception.body : body;
          const answer = await forward(method, path, forwardable(req.headers), sent);
          reply = { status: answer.status, headers: forwardable(answer.headers), body: answer.body };
          if (interception?.kind === 'forward' && interception.rewrite) reply = interception.rewrite(reply);
        } catch (error) {
          upstreamErrors += 1;
          reply = { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(String(error)) };
        }
      }
      if (interception?.kind === 'reset') {
        socket.destroy();
        return;
      }
      await sleep(latencyMs + (interception?.kind === 'forward' ? (interception.holdResponseMs ?? 0) : 0));
      if (!res.destroyed) {
        res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length });
        res.end(reply.body);
      }
    } finally {
      requests += 1;
      inFlight -= 1;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // Keep idle client connections open longer than SDK agents keep them, so reuse never races a server-side close.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 125_000;
  server.requestTimeout = 0;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    handshakePending.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({
      requests,
      byTarget: { ...byTarget },
      byRegion: { ...byRegion },
      connections,
      maxInFlight,
      upstreamErrors,
    }),
    reset: () => {
      requests = 0;
      byTarget = {};
      byRegion = {};
      connections = 0;
      maxInFlight = inFlight;
      upstreamErrors = 0;
    },
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}
