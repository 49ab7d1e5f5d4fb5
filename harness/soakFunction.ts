/**
 * The soak's function as the event source mapping sees it, kept apart from the soak's rounds: which zip runs and how
 * (a factory: the local Lambda, whose containers are processes that can really be killed, or the zip's handler
 * in-process for the fast path), what the function answered (for the report's figures only; the verdict reads the
 * slave), the running average invocation time, which invocations to kill, and whether a killed invocation had
 * written something before it died (read on the slave).
 */

import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type AttributeValue, BatchGetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BATCH_GET_LIMIT, chunk } from '../src/shared/batchLimits';
import { sleep } from '../src/shared/sleep';
import { loadHandler } from './bundle';
import type { LambdaStreamEvent } from './lambdaEvent';
import { type Invocation, type InvokeOptions, inProcessFunction, type LambdaFunction } from './lambdaFunction';
import { Prng } from './prng';
import { loadReplicator, localReplicator, MASTER_REGION, type ReplicatorOptions, replicatorEnv } from './replicator';
import { unpackZip } from './sandbox';

/** What the soak gives a function factory: the bundle's configuration, the function timeout and the zip to run. */
export interface SoakFunctionSetup {
  readonly replicator: ReplicatorOptions;
  readonly functionTimeoutMs: number;
  /** The Lambda zip (`index.handler`); the built `dist/dynamo-replicator.zip` when absent. */
  readonly zip?: string;
  /** Run as Lambda Managed Instances, this many invocations per container (a timed-out invocation runs on). */
  readonly maxConcurrency?: number;
}

/** A function made for a soak: whether its containers can be killed, and how to stop it. */
export interface SoakFunction {
  readonly function: LambdaFunction;
  /** False for a function in this process: `killAfterMs` cannot be honoured. */
  readonly killable: boolean;
  /** A short description for the report, e.g. `in-process bundle`. */
  readonly kind: string;
  /** Containers started so far (cold starts); absent for a function without containers. */
  coldStarts?(): number;
  /** Containers stopped past a deadline ({@link withStalls}), and timed-out invocations that ran on and answered. */
  stalls?(): { stopped: number; ranOn: number };
  /** Resolves once no container is stopped and no timed-out invocation still runs: false if that took too long. */
  settled?(): Promise<boolean>;
  close?(): Promise<void> | void;
}

/** Makes the soak's function (the local Lambda plugs in here). */
export type SoakFunctionFactory = (setup: SoakFunctionSetup) => SoakFunction | Promise<SoakFunction>;

/**
 * The fast path: the zip's `index.handler` (the built bundle when no zip is given) called in this process; its
 * unpacked copy is removed on close.
 */
export const inProcessBundle: SoakFunctionFactory = (setup) => {
  const root = setup.zip === undefined ? undefined : unpackZip(setup.zip);
  const handler =
    root === undefined
      ? loadReplicator(setup.replicator)
      : loadHandler(replicatorEnv(setup.replicator), join(root, 'index.js'));
  return {
    function: inProcessFunction(handler, { region: MASTER_REGION, timeoutMs: setup.functionTimeoutMs }),
    killable: false,
    kind: `in-process ${setup.zip === undefined ? 'bundle' : basename(setup.zip)}`,
    close: () => {
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    },
  };
};

/**
 * The default: the zip, unchanged, under the official runtime client (harness/localLambda), one container per
 * concurrent batch, killed for real (SIGKILL) when the mapping's `kill` says so or the function times out.
 */
export const localLambdaFunction: SoakFunctionFactory = (setup) => {
  const lambda = localReplicator(setup.replicator, {
    timeoutMs: setup.functionTimeoutMs,
    zip: setup.zip,
    maxConcurrency: setup.maxConcurrency,
  });
  const managed =
    setup.maxConcurrency === undefined ? '' : `, Managed Instances, ${setup.maxConcurrency} per container`;
  return {
    function: lambda,
    killable: true,
    kind: `local Lambda (${setup.zip === undefined ? 'the built zip' : basename(setup.zip)} under aws-lambda-ric, nodejs${lambda.runtime.nodeMajor}.x${managed})`,
    coldStarts: () => lambda.stats.coldStarts,
    stalls: () => ({ stopped: lambda.stats.stalls, ranOn: lambda.stats.lateAnswers }),
    settled: () => lambda.settled(),
    close: () => lambda.close(),
  };
};

/** The slave's items of an event's keys, as one comparable string (the key of each, then its item or nothing). */
export type SlaveSnapshot = (event: LambdaStreamEvent) => Promise<string>;

/** How often a to-be-killed invocation's items are read on the slave, to kill it once its first write landed. */
const WATCH_INTERVAL_MS = 10;

/** Stream JSON key attributes (S, N, B as base64) as the SDK's values. */
function sdkKey(keys: Record<string, Record<string, unknown>>): Record<string, AttributeValue> {
  const key: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(keys)) {
    if (typeof value.B === 'string') key[name] = { B: Buffer.from(value.B, 'base64') };
    else if (typeof value.N === 'string') key[name] = { N: value.N };
    else key[name] = { S: String(value.S) };
  }
  return key;
}

/** Reads the slave (directly, not through the fault proxy) for the items an event touches. */
export function slaveSnapshot(client: DynamoDBClient, table: string): SlaveSnapshot {
  return async (event) => {
    const byKey = new Map<string, Record<string, AttributeValue>>();
    for (const record of event.Records) {
      const keys = (record.dynamodb.Keys ?? {}) as Record<string, Record<string, unknown>>;
      byKey.set(JSON.stringify(Object.entries(keys).sort()), sdkKey(keys));
    }
    const found: string[] = [];
    for (const keys of chunk([...byKey.values()], BATCH_GET_LIMIT)) {
      let request: Record<string, { Keys: Record<string, AttributeValue>[]; ConsistentRead: boolean }> | undefined = {
        [table]: { Keys: keys, ConsistentRead: true },
      };
      while (request !== undefined && Object.keys(request).length > 0) {
        const answer = await client.send(new BatchGetItemCommand({ RequestItems: request }));
        for (const item of answer.Responses?.[table] ?? []) found.push(JSON.stringify(Object.entries(item).sort()));
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    return `${[...byKey.keys()].sort().join('\n')}\n--\n${found.sort().join('\n')}`;
  };
}

function sequenceNumbers(event: LambdaStreamEvent): string[] {
  return event.Records.map((record) => record.dynamodb.SequenceNumber);
}

/**
 * Follows the invocations for the report's figures (never for the verdict, which reads the slave): records the
 * function reported failed, the write requests it was planned to need, kills and whether their writes had landed,
 * and the invocations' durations.
 */
export class RecordFates {
  readonly everFailed = new Set<string>();
  plannedRequests = 0;
  /** Invocations whose container was killed mid-invocation, and those of them after which the slave had changed. */
  killed = 0;
  killedAfterWrites = 0;
  private durationMs = 0;
  private timed = 0;

  /** With a snapshot, each invocation to be killed is checked: did any of its writes land before the kill? */
  constructor(private readonly snapshot?: SlaveSnapshot) {}

  /** Mean time of the invocations so far (0 before the first). */
  get averageDurationMs(): number {
    return this.timed === 0 ? 0 : this.durationMs / this.timed;
  }

  /**
   * Invokes `fn`; when this invocation is to be killed and there is a snapshot, the slave's items of the batch are
   * watched while it runs, and the container is killed as soon as one of them changes (its first write landed), or
   * at `killAfterMs` when none has by then. An item's records are in one batch at a time (the mapping keeps each
   * item's order), so no other invocation writes these items meanwhile: a change is this invocation's own write.
   * `landed`: a change was seen, during the invocation or right after its kill.
   */
  private async invokeWatched(
    fn: LambdaFunction,
    event: LambdaStreamEvent,
    options: InvokeOptions | undefined,
  ): Promise<{ invocation: Invocation; landed: boolean }> {
    const snapshot = this.snapshot;
    if (options?.killAfterMs === undefined || snapshot === undefined) {
      return { invocation: await fn.invoke(event, options), landed: false };
    }
    const before = await snapshot(event);
    const kill = new AbortController();
    const ended = new AbortController();
    let landed = false;
    const watching = (async () => {
      while (!ended.signal.aborted && !kill.signal.aborted) {
        await sleep(WATCH_INTERVAL_MS, ended.signal);
        if (!ended.signal.aborted && (await snapshot(event)) !== before) {
          landed = true;
          kill.abort();
        }
      }
    })();
    try {
      const invocation = await fn.invoke(event, { ...options, killSignal: kill.signal });
      ended.abort();
      await watching;
      if (!landed && invocation.status === 'error' && invocation.killed) landed = (await snapshot(event)) !== before;
      return { invocation, landed };
    } finally {
      ended.abort();
      await watching.catch(() => undefined);
    }
  }

  /** Wraps `fn` to follow what happens to every record it is given. */
  watch(fn: LambdaFunction): LambdaFunction {
    return {
      invoke: async (event, options) => {
        const sequence = sequenceNumbers(event);
        const items = new Set(
          event.Records.map((record) => JSON.stringify(Object.entries(record.dynamodb.Keys ?? {}).sort())),
        );
        this.plannedRequests += Math.ceil(items.size / 25);
        const started = Date.now();
        const { invocation, landed } = await this.invokeWatched(fn, event, options);
        this.durationMs += Date.now() - started;
        this.timed += 1;
        if (invocation.status === 'error') {
          if (invocation.killed) {
            this.killed += 1;
            if (landed) this.killedAfterWrites += 1;
          }
          for (const n of sequence) this.everFailed.add(n);
          return invocation;
        }
        const failed = (
          (invocation.payload as { batchItemFailures?: Array<{ itemIdentifier: string }> })?.batchItemFailures ?? []
        ).map((failure) => failure.itemIdentifier);
        for (const n of failed) this.everFailed.add(n);
        return invocation;
      },
    };
  }
}

/**
 * Chooses the invocations whose container is killed: each with probability `rate`. The time returned (20–80 % of
 * the running average duration, at least 1 ms) is when it is killed if none of its writes has landed by then;
 * with a slave snapshot, {@link RecordFates} kills it as soon as one has.
 */
export function killChooser(rate: number, seed: number, fates: RecordFates): () => number | undefined {
  const random = new Prng(seed * 7919 + 17);
  return () => {
    if (!random.chance(rate)) return undefined;
    return Math.max(1, Math.round(fates.averageDurationMs * (0.2 + 0.6 * random.next())));
  };
}

/**
 * Stops the containers of a share `rate` of invocations past their deadline, as a starved CPU would: each is stopped
 * somewhere in its first 80 % of a typical invocation and let go on 0.5–3 s after its deadline. Under Managed
 * Instances the timeout fails the invocation, the mapping retries its batch elsewhere, later batches of its items
 * may be replicated meanwhile, and then the stopped code runs on: whatever it still sends lands after all of them.
 */
export function withStalls(
  fn: LambdaFunction,
  rate: number,
  seed: number,
  fates: RecordFates,
  timeoutMs: number,
): LambdaFunction {
  const random = new Prng(seed * 6151 + 29);
  return {
    invoke: (event, options) => {
      if (!random.chance(rate)) return fn.invoke(event, options);
      const afterMs = Math.round(fates.averageDurationMs * 0.8 * random.next());
      const forMs = timeoutMs - afterMs + 500 + Math.round(2500 * random.next());
      return fn.invoke(event, { ...options, stall: { afterMs, forMs } });
    },
  };
}
