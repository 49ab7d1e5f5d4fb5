/**
 * A fault-injecting proxy in front of DynamoDB Local: it answers some requests the way DynamoDB does on a bad day,
 * so tests and the soak can prove that the replicator still ends with an exact replica.
 *
 * Faults, per request, as a {@link FaultPlan} decides (seeded rates with {@link randomFaults}, or a script):
 * - `provisionedThroughputExceeded`, `throttling`: HTTP 400 with DynamoDB's throttling error bodies; nothing written.
 * - `internalServerError`: HTTP 500 `InternalServerError`; nothing written.
 * - `unprocessedItems` (BatchWriteItem only): a random part of the writes goes upstream, the rest comes back as
 *   `UnprocessedItems` and is NOT written, exactly as DynamoDB does under throttling.
 * - `connectionReset`: the request is forwarded and takes effect, then the connection is destroyed without an answer
 *   (the client cannot know the write happened: the hardest case for idempotency).
 * - `slowResponse`: the request takes effect, and the answer is held back longer than the bundle's 10 s request
 *   timeout, so the client gives up (or the invocation's budget aborts it) and has to retry.
 * - `accessDenied`: HTTP 400 `AccessDeniedException` as IAM answers a role without the action (naming the table's
 *   ARN, in the region the request was signed for); nothing written. {@link allowOnly} plans it as a role's policy.
 *
 * It is the latency proxy (latencyProxy.ts) with no latency and an `intercept` hook, so forwarding, keep-alive and
 * per-operation counts are shared. DynamoDB Local does not check signatures, so rewriting a body is fine.
 */

import {
  type Interception,
  type LatencyProxy,
  type ProxiedRequest,
  type ProxiedResponse,
  startLatencyProxy,
} from './latencyProxy';
import { Prng } from './prng';

/** The kinds of fault the proxy can inject. */
export const FAULT_KINDS = [
  'provisionedThroughputExceeded',
  'throttling',
  'internalServerError',
  'unprocessedItems',
  'connectionReset',
  'slowResponse',
  'accessDenied',
] as const;

/** One kind of fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A request as a {@link FaultPlan} sees it. */
export interface FaultRequest {
  /** 0 for the first request through the proxy, then 1, 2, … */
  readonly index: number;
  /** The DynamoDB operation (`BatchWriteItem`, …) from `X-Amz-Target`, or `(none)`. */
  readonly operation: string;
  readonly body: Buffer;
}

/** Decides which fault, if any, a request gets. */
export type FaultPlan = (request: FaultRequest) => FaultKind | undefined;

/** Operations whose requests faults apply to by default: the writes the replicator sends. */
export const WRITE_OPERATIONS = ['BatchWriteItem', 'PutItem', 'DeleteItem'] as const;

/** Settings of {@link randomFaults}. */
export interface RandomFaultOptions {
  readonly seed: number;
  /** Chance of each kind per request, e.g. `{ throttling: 0.02 }`; their sum must not exceed 1. */
  readonly rates: Partial<Record<FaultKind, number>>;
  /** Operations that may get a fault (default {@link WRITE_OPERATIONS}); others always pass. */
  readonly operations?: readonly string[];
}

/**
 * A plan that gives each eligible request one fault kind with the given chances, from a seeded generator: the same
 * seed and the same sequence of requests give the same faults. `unprocessedItems` falls back to no fault on
 * operations other than BatchWriteItem, so the rates stay what they say for the writes that can have them.
 */
export function randomFaults(options: RandomFaultOptions): FaultPlan {
  const total = Object.values(options.rates).reduce((sum, rate) => sum + (rate ?? 0), 0);
  if (total > 1) throw new Error(`fault rates add up to ${total}, more than 1`);
  const rng = new Prng(options.seed);
  const operations = new Set(options.operations ?? WRITE_OPERATIONS);
  return ({ operation }) => {
    if (!operations.has(operation)) return undefined;
    let roll = rng.next();
    for (const kind of FAULT_KINDS) {
      const rate = options.rates[kind] ?? 0;
      if (roll < rate) return kind === 'unprocessedItems' && operation !== 'BatchWriteItem' ? undefined : kind;
      roll -= rate;
    }
    return undefined;
  };
}

/** A plan that injects `kinds` into the first requests of `operation`, in order, and nothing after. */
export function scriptedFaults(operation: string, kinds: readonly FaultKind[]): FaultPlan {
  let next = 0;
  return (request) => (request.operation === operation && next < kinds.length ? kinds[next++] : undefined);
}

/**
 * A plan that answers as IAM does for a role whose policy allows only `actions` on `table` (e.g. the original
 * package's `['PutItem', 'DeleteItem']`): every other call naming that table is denied; calls on other tables pass.
 */
export function allowOnly(table: string, actions: readonly string[]): FaultPlan {
  const allowed = new Set(actions);
  return ({ operation, body }) =>
    !allowed.has(operation) && tablesNamed(body).split(',').includes(table) ? 'accessDenied' : undefined;
}

/** Settings of a fault proxy. */
export interface FaultProxyOptions {
  /** Where requests go: the DynamoDB Local endpoint. */
  readonly upstream: string;
  /** Which requests get which fault (default: none; change it later with `setPlan`). */
  readonly plan?: FaultPlan;
  /** How long a `slowResponse` is held back (default 11 000 ms: beyond the bundle's 10 s request timeout). */
  readonly slowResponseMs?: number;
  /** Seed of the choice of which writes an `unprocessedItems` fault holds back (default 1). */
  readonly seed?: number;
}

/** What went through a fault proxy. */
export interface FaultStats {
  readonly requests: number;
  /** Requests per DynamoDB operation. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Faults injected, per kind (every kind present, 0 when none). */
  readonly faults: Readonly<Record<FaultKind, number>>;
  /** Writes answered as `UnprocessedItems` (and not written). */
  readonly writesHeldBack: number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the bundle as `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  stats(): FaultStats;
  /** Replaces the plan, e.g. to stop injecting faults (`() => undefined`). */
  setPlan(plan: FaultPlan): void;
  stop(): Promise<void>;
}

const DYNAMODB_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

/** The error answers DynamoDB (and IAM in front of it) gives, as status and body. */
function errorResponse(status: number, type: string, message: string): ProxiedResponse {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': `fault-${type.split('#')[1]}` },
    body: Buffer.from(JSON.stringify({ __type: type, message })),
  };
}

/** The region a request was signed for (SigV4's credential scope), as IAM names it in a resource's ARN. */
function signedRegion(request: ProxiedRequest): string {
  const authorization = String(request.headers.authorization ?? '');
  return /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)?.[1] ?? 'us-east-1';
}

/** The comma-separated names of the tables a request names (`TableName`, or the keys of `RequestItems`). */
function tablesNamed(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString()) as { TableName?: string; RequestItems?: Record<string, unknown> };
    return parsed.TableName ?? Object.keys(parsed.RequestItems ?? {}).join(',');
  } catch {
    return '?';
  }
}

type WriteRequestJson = Record<string, unknown>;

/**
 * An `unprocessedItems` fault: forwards a random non-empty part of the writes … or none, answering every write as
 * unprocessed (DynamoDB may do that too). Returns the interception and the number of writes held back.
 */
function holdBackWrites(body: Buffer, rng: Prng): { interception: Interception; heldBack: number } {
  const request = JSON.parse(body.toString()) as { RequestItems: Record<string, WriteRequestJson[]> } & Record<
    string,
    unknown
  >;
  const writes = Object.entries(request.RequestItems).flatMap(([table, list]) =>
    list.map((write) => ({ table, write })),
  );
  const heldBack = rng.int(1, writes.length);
  const held = new Set(rng.sample(writes, heldBack));
  const group = (entries: typeof writes): Record<string, WriteRequestJson[]> => {
    const grouped: Record<string, WriteRequestJson[]> = {};
    for (const { table, write } of entries) {
      grouped[table] ??= [];
      grouped[table].push(write);
    }
    return grouped;
  };
  const unprocessed = group(writes.filter((entry) => held.has(entry)));
  const forwarded = writes.filter((entry) => !held.has(entry));
  if (forwarded.length === 0) {
    return {
      heldBack,
      interception: {
        kind: 'answer',
        response: {
          status: 200,
          headers: { 'content-type': 'application/x-amz-json-1.0' },
          body: Buffer.from(JSON.stringify({ UnprocessedItems: unprocessed })),
        },
      },
    };
  }
  const rewrite = (response: ProxiedResponse): ProxiedResponse => {
    if (response.status !== 200) return response;
    const answer = JSON.parse(response.body.toString()) as { UnprocessedItems?: Record<string, WriteRequestJson[]> };
    const merged = { ...(answer.UnprocessedItems ?? {}) };
    for (const [table, list] of Object.entries(unprocessed)) merged[table] = [...(merged[table] ?? []), ...list];
    // The body changes, so a checksum of the original body would no longer match.
    const headers = Object.fromEntries(Object.entries(response.headers).filter(([name]) => name !== 'x-amz-crc32'));
    return { status: 200, headers, body: Buffer.from(JSON.stringify({ ...answer, UnprocessedItems: merged })) };
  };
  return {
    heldBack,
    interception: {
      kind: 'forward',
      body: Buffer.from(JSON.stringify({ ...request, RequestItems: group(forwarded) })),
      rewrite,
    },
  };
}

/** Sleeps without keeping the process alive: a held-back answer must not delay a test runner's exit. */
function unrefSleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms).unref()) : Promise.resolve();
}

/** Starts a fault proxy on 127.0.0.1 in front of `options.upstream`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  let plan: FaultPlan = options.plan ?? (() => undefined);
  const slowResponseMs = options.slowResponseMs ?? 11_000;
  const rng = new Prng(options.seed ?? 1);
  let requests = 0;
  const byOperation: Record<string, number> = {};
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])) as Record<FaultKind, number>;
  let writesHeldBack = 0;

  const intercept = (request: ProxiedRequest): Interception | undefined => {
    const operation = request.target?.split('.')[1] ?? '(none)';
    const kind = plan({ index: requests, operation, body: request.body });
    requests += 1;
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    if (kind === undefined) return undefined;
    faults[kind] += 1;
    switch (kind) {
      case 'provisionedThroughputExceeded':
        return {
          kind: 'answer',
          response: errorResponse(
            400,
            `${DYNAMODB_PREFIX}ProvisionedThroughputExceededException`,
            'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
          ),
        };
      case 'throttling':
        return {
          kind: 'answer',
          response: errorResponse(
            400,
            'com.amazon.coral.availability#ThrottlingException',
            'Rate of requests exceeds the allowed throughput.',
          ),
        };
      case 'internalServerError':
        return {
          kind: 'answer',
          response: errorResponse(500, `${DYNAMODB_PREFIX}InternalServerError`, 'Internal server error'),
        };
      case 'accessDenied':
        return {
          kind: 'answer',
          response: errorResponse(
            400,
            'com.amazon.coral.service#AccessDeniedException',
            `User: arn:aws:sts::123456789012:assumed-role/replicator/dynamo-replicator is not authorized to perform: dynamodb:${operation} on resource: arn:aws:dynamodb:${signedRegion(request)}:123456789012:table/${tablesNamed(request.body)} because no identity-based policy allows the dynamodb:${operation} action`,
          ),
        };
      case 'connectionReset':
        return { kind: 'reset', when: 'after-upstream' };
      case 'slowResponse':
        return { kind: 'forward', holdResponseMs: slowResponseMs };
      case 'unprocessedItems': {
        if (operation !== 'BatchWriteItem') throw new Error(`unprocessedItems fault planned for ${operation}`);
        const { interception, heldBack } = holdBackWrites(request.body, rng);
        writesHeldBack += heldBack;
        return interception;
      }
    }
  };

  const proxy: LatencyProxy = await startLatencyProxy({
    upstream: options.upstream,
    latencyMs: 0,
    sleep: unrefSleep,
    intercept,
  });
  return {
    endpoint: proxy.endpoint,
    stats: () => ({ requests, byOperation: { ...byOperation }, faults: { ...faults }, writesHeldBack }),
    setPlan: (next) => {
      plan = next;
    },
    stop: () => proxy.stop(),
  };
}
