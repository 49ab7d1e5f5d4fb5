/**
 * The soak's function as the event source mapping sees it, kept apart from the soak's rounds: which function runs
 * (a factory, so the in-process bundle can be swapped for the local Lambda whose containers can really be killed),
 * each record's fate across invocations, the running average invocation time, and which invocations to kill.
 */
import type { LambdaStreamEvent } from './lambdaEvent';
import { inProcessFunction, type LambdaFunction } from './lambdaFunction';
import { Prng } from './prng';
import { loadReplicator, MASTER_REGION, type ReplicatorOptions } from './replicator';

/** What the soak gives a function factory: the bundle's configuration and the function timeout. */
export interface SoakFunctionSetup {
  readonly replicator: ReplicatorOptions;
  readonly functionTimeoutMs: number;
}

/** A function made for a soak: whether its containers can be killed, and how to stop it. */
export interface SoakFunction {
  readonly function: LambdaFunction;
  /** False for a function in this process: `killAfterMs` cannot be honoured. */
  readonly killable: boolean;
  /** A short description for the report, e.g. `in-process bundle`. */
  readonly kind: string;
  close?(): Promise<void> | void;
}

/** Makes the soak's function (the local Lambda plugs in here). */
export type SoakFunctionFactory = (setup: SoakFunctionSetup) => SoakFunction | Promise<SoakFunction>;

/** The default: the built bundle's handler called in this process. */
export const inProcessBundle: SoakFunctionFactory = (setup) => ({
  function: inProcessFunction(loadReplicator(setup.replicator), {
    region: MASTER_REGION,
    timeoutMs: setup.functionTimeoutMs,
  }),
  killable: false,
  kind: 'in-process bundle',
});

function sequenceNumbers(event: LambdaStreamEvent): string[] {
  return event.Records.map((record) => record.dynamodb.SequenceNumber);
}

/** Tracks each record's fate across invocations, as Lambda would see it, and the invocations' durations. */
export class RecordFates {
  readonly everFailed = new Set<string>();
  readonly succeeded = new Set<string>();
  readonly delivered = new Set<string>();
  plannedRequests = 0;
  private durationMs = 0;
  private timed = 0;

  /** Mean time of the invocations so far (0 before the first). */
  get averageDurationMs(): number {
    return this.timed === 0 ? 0 : this.durationMs / this.timed;
  }

  /** Wraps `fn` to follow what happens to every record it is given. */
  watch(fn: LambdaFunction): LambdaFunction {
    return {
      invoke: async (event, options) => {
        const sequence = sequenceNumbers(event);
        for (const n of sequence) this.delivered.add(n);
        const items = new Set(
          event.Records.map((record) => JSON.stringify(Object.entries(record.dynamodb.Keys ?? {}).sort())),
        );
        this.plannedRequests += Math.ceil(items.size / 25);
        const started = Date.now();
        const invocation = await fn.invoke(event, options);
        this.durationMs += Date.now() - started;
        this.timed += 1;
        if (invocation.status === 'error') {
          for (const n of sequence) this.everFailed.add(n);
          return invocation;
        }
        const failed = (
          (invocation.payload as { batchItemFailures?: Array<{ itemIdentifier: string }> })?.batchItemFailures ?? []
        ).map((failure) => failure.itemIdentifier);
        for (const n of failed) this.everFailed.add(n);
        const lowest = failed.reduce<bigint | undefined>(
          (low, n) => (low === undefined || BigInt(n) < low ? BigInt(n) : low),
          undefined,
        );
        for (const n of sequence) if (lowest === undefined || BigInt(n) < lowest) this.succeeded.add(n);
        return invocation;
      },
    };
  }
}

/**
 * Chooses the invocations whose container is killed: each with probability `rate`, some way into a typical
 * invocation (20–80 % of the running average duration, at least 1 ms), so that some of its writes have landed.
 */
export function killChooser(rate: number, seed: number, fates: RecordFates): () => number | undefined {
  const random = new Prng(seed * 7919 + 17);
  return () => {
    if (!random.chance(rate)) return undefined;
    return Math.max(1, Math.round(fates.averageDurationMs * (0.2 + 0.6 * random.next())));
  };
}
