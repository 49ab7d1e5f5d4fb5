/**
 * Lambda's Runtime API (2018-06-01) for one local container, over HTTP on 127.0.0.1: what the official Runtime
 * Interface Client talks to. The RIC long-polls `GET /runtime/invocation/next` for an event, answers with
 * `POST /runtime/invocation/{id}/response` or `/error`, and reports a failed init (the module threw while loading)
 * with `POST /runtime/init/error`. The container (harness/localLambda) hands invocations in with {@link
 * RuntimeApi.deliver} and learns their ends through the promise it gets back.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const PREFIX = '/2018-06-01/runtime';

/** What the function reported for one invocation, as it crossed the Runtime API. */
export type RuntimeOutcome =
  | { readonly status: 'ok'; readonly payload: unknown }
  | {
      readonly status: 'error';
      readonly errorType: string;
      readonly errorMessage: string;
      /** The stack lines the RIC sends in `trace`. */
      readonly trace: readonly string[];
    };

/** An init error as posted to `/runtime/init/error`. */
export interface InitError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace: readonly string[];
}

/** One event handed to the runtime. */
export interface Delivery {
  readonly requestId: string;
  readonly event: unknown;
  /** Epoch milliseconds: `Lambda-Runtime-Deadline-Ms`. */
  readonly deadlineMs: number;
  readonly functionArn: string;
}

/** What the container hears from its runtime. */
export interface RuntimeApiEvents {
  /** The runtime asked for its first event: init is over. */
  readonly onReady: () => void;
  readonly onInitError: (error: InitError) => void;
  /** A timed-out invocation that ran on (Managed Instances) answered at last; the answer is discarded. */
  readonly onLateAnswer?: (requestId: string) => void;
}

interface Pending {
  readonly delivery: Delivery;
  readonly resolve: (outcome: RuntimeOutcome) => void;
}

/** The Runtime API server of one container. */
export class RuntimeApi {
  private readonly server: Server;
  /** Deliveries not yet handed to a `next` call. */
  private readonly queue: Pending[] = [];
  /** `next` calls waiting for an event. */
  private readonly waiting: ServerResponse[] = [];
  /** Deliveries handed out and not yet answered, by request id. */
  private readonly inFlight = new Map<string, Pending>();
  /** Request ids timed out while their code runs on (Managed Instances), until the runtime answers them. */
  private readonly overdue = new Set<string>();
  private ready = false;

  private constructor(private readonly events: RuntimeApiEvents) {
    this.server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        if (!response.headersSent) response.writeHead(500);
        response.end(String(error));
      });
    });
    // The runtime's connections stay open however long it is idle or stopped, as they do in Lambda's sandbox:
    // Node's default closes an idle keep-alive socket after 5 s, and a process stopped longer than that (a stall)
    // would then post its answer on a connection the server had closed, and the answer would be lost.
    this.server.keepAliveTimeout = 0;
  }

  /** Starts a server on an ephemeral port of 127.0.0.1. */
  static async start(events: RuntimeApiEvents): Promise<RuntimeApi> {
    const api = new RuntimeApi(events);
    await new Promise<void>((resolve, reject) => {
      api.server.once('error', reject);
      api.server.listen(0, '127.0.0.1', () => resolve());
    });
    return api;
  }

  /** `host:port`, for `AWS_LAMBDA_RUNTIME_API`. */
  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Request ids handed to the runtime and not answered yet. */
  get inFlightIds(): string[] {
    return [...this.inFlight.keys()];
  }

  /** Hands an event to the runtime (now, or at its next `next` call); resolves with what the function answered. */
  deliver(
    event: unknown,
    deadlineMs: number,
    functionArn: string,
    requestId: string = randomUUID(),
  ): Promise<RuntimeOutcome> {
    return new Promise((resolve) => {
      const pending = { delivery: { requestId, event, deadlineMs, functionArn }, resolve };
      const next = this.waiting.shift();
      if (next) this.send(next, pending);
      else this.queue.push(pending);
    });
  }

  /** Timed-out invocations whose code still runs (see {@link timeOut}) and has not answered. */
  get overdueCount(): number {
    return this.overdue.size;
  }

  /**
   * Ends one invocation with `outcome` while its code runs on, as Lambda Managed Instances time out an invocation
   * without stopping it ("your code continues to run"): its answer, when it comes, is taken and discarded. An event
   * not handed to the runtime yet is withdrawn instead.
   */
  timeOut(requestId: string, outcome: RuntimeOutcome): void {
    const queued = this.queue.findIndex((pending) => pending.delivery.requestId === requestId);
    if (queued >= 0) {
      this.queue.splice(queued, 1)[0]?.resolve(outcome);
      return;
    }
    const pending = this.inFlight.get(requestId);
    if (pending === undefined) return;
    this.inFlight.delete(requestId);
    this.overdue.add(requestId);
    pending.resolve(outcome);
  }

  /** Ends every unanswered invocation with `outcome` (the container died), returning their request ids. */
  abandon(outcome: (requestId: string) => RuntimeOutcome): string[] {
    const ended = [...this.queue.splice(0), ...this.inFlight.values()];
    this.inFlight.clear();
    this.overdue.clear();
    for (const pending of ended) pending.resolve(outcome(pending.delivery.requestId));
    return ended.map((pending) => pending.delivery.requestId);
  }

  /** Stops the server, dropping long polls and keep-alive sockets. */
  async close(): Promise<void> {
    for (const response of this.waiting.splice(0)) response.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = request.url ?? '';
    const body = await readBody(request);
    if (request.method === 'GET' && url === `${PREFIX}/invocation/next`) {
      if (!this.ready) {
        this.ready = true;
        this.events.onReady();
      }
      const pending = this.queue.shift();
      if (pending) this.send(response, pending);
      else {
        this.waiting.push(response);
        response.once('close', () => {
          const index = this.waiting.indexOf(response);
          if (index >= 0) this.waiting.splice(index, 1);
        });
      }
      return;
    }
    if (request.method === 'POST' && url === `${PREFIX}/init/error`) {
      const error = parseError(body, request.headers['lambda-runtime-function-error-type']);
      respond(response, 202, { status: 'OK' });
      this.events.onInitError(error);
      return;
    }
    const answer = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
    if (request.method === 'POST' && answer) {
      const requestId = decodeURIComponent(answer[1] ?? '');
      if (this.overdue.delete(requestId)) {
        respond(response, 202, { status: 'OK' });
        this.events.onLateAnswer?.(requestId);
        return;
      }
      const pending = this.inFlight.get(requestId);
      if (!pending) {
        respond(response, 400, { errorType: 'InvalidRequestID', errorMessage: `no invocation ${requestId} in flight` });
        return;
      }
      this.inFlight.delete(requestId);
      respond(response, 202, { status: 'OK' });
      if (answer[2] === 'response') pending.resolve({ status: 'ok', payload: parsePayload(body) });
      else
        pending.resolve({
          status: 'error',
          ...parseError(body, request.headers['lambda-runtime-function-error-type']),
        });
      return;
    }
    respond(response, 404, { errorType: 'NotFound', errorMessage: `${request.method} ${url}` });
  }

  private send(response: ServerResponse, pending: Pending): void {
    const { requestId, event, deadlineMs, functionArn } = pending.delivery;
    this.inFlight.set(requestId, pending);
    const body = JSON.stringify(event);
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(body),
      'Lambda-Runtime-Aws-Request-Id': requestId,
      'Lambda-Runtime-Deadline-Ms': String(deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': functionArn,
      'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replaceAll('-', '').slice(0, 24)};Sampled=0`,
    });
    response.end(body);
  }
}

/** A request's whole body as UTF-8 text. */
export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function respond(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

/** A response body: JSON as the RIC serialises the handler's result (an empty body is `null`). */
function parsePayload(body: string): unknown {
  if (body === '') return null;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** An error body (`{errorType, errorMessage, trace}`), falling back on the error-type header for odd bodies. */
function parseError(body: string, header: string | string[] | undefined): InitError {
  const headerType = Array.isArray(header) ? header[0] : header;
  let parsed: { errorType?: unknown; errorMessage?: unknown; trace?: unknown } = {};
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = { errorMessage: body };
  }
  return {
    errorType: typeof parsed.errorType === 'string' ? parsed.errorType : (headerType ?? 'Unknown'),
    errorMessage: typeof parsed.errorMessage === 'string' ? parsed.errorMessage : String(parsed.errorMessage ?? ''),
    trace: Array.isArray(parsed.trace) ? parsed.trace.map(String) : [],
  };
}
