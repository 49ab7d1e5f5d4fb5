/**
 * Where one invocation cycle of `npm run bench:lag` spends its time: how long each invocation takes (the runtime
 * client's round trip, the handler, its slave writes), how long the slave's `BatchWriteItem` takes in DynamoDB Local
 * behind the proxy's delays, how long the mapping leaves the function idle between invocations (reading the shard,
 * waiting for the next poll) and how often it calls GetRecords. A shard's ceiling is records per invocation over
 * invocation plus idle time.
 */

import type { StreamSource } from '../../harness/eventSourceMapping/streamReader';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { Invocation, InvokeOptions, LambdaFunction } from '../../harness/lambdaFunction';

/** Means over a run, in milliseconds. */
export interface CycleSummary {
  /** From the mapping's invoke to the function's answer. */
  readonly invokeMs: number;
  /** From one invocation's answer to the next invoke while none is in flight (parallelization 1: the idle gap). */
  readonly idleMs: number;
  /** Share of the run with at least one invocation in flight. */
  readonly busyShare: number;
  /** DynamoDB Local's time for one slave write (the proxy adds twice the latency to it). */
  readonly slaveUpstreamMs: number;
  /** The mapping's GetRecords calls per second of the run, and the records one returned on average. */
  readonly getRecordsPerSecond: number;
  readonly recordsPerGetRecords: number;
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : Number((values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(1));

/** Times the invocations of a function and the slave writes the proxy forwards. */
export class CycleTimer {
  private readonly invokes: number[] = [];
  private readonly idles: number[] = [];
  private readonly upstream: number[] = [];
  private inFlight = 0;
  private busyMs = 0;
  private busySince = 0;
  private idleSince: number | undefined;
  private first: number | undefined;
  private last = 0;
  private reads = 0;
  private recordsRead = 0;
  private firstRead: number | undefined;
  private lastRead = 0;

  /** `source` with its GetRecords calls counted. */
  wrapSource(source: StreamSource): StreamSource {
    return {
      shards: () => source.shards(),
      iterator: (shardId, type, sequenceNumber) => source.iterator(shardId, type, sequenceNumber),
      records: async (iterator, limit) => {
        this.firstRead ??= Date.now();
        const page = await source.records(iterator, limit);
        this.reads += 1;
        this.recordsRead += page.Records?.length ?? 0;
        this.lastRead = Date.now();
        return page;
      },
      close: () => source.close(),
    };
  }

  /** `fn` with each invocation timed. */
  wrap(fn: LambdaFunction): LambdaFunction {
    return {
      invoke: async (event: LambdaStreamEvent, options?: InvokeOptions): Promise<Invocation> => {
        const started = Date.now();
        this.first ??= started;
        if (this.inFlight === 0) {
          if (this.idleSince !== undefined) this.idles.push(started - this.idleSince);
          this.busySince = started;
        }
        this.inFlight += 1;
        try {
          return await fn.invoke(event, options);
        } finally {
          const ended = Date.now();
          this.invokes.push(ended - started);
          this.inFlight -= 1;
          if (this.inFlight === 0) {
            this.busyMs += ended - this.busySince;
            this.idleSince = ended;
          }
          this.last = ended;
        }
      },
    };
  }

  /** One slave write took `ms` upstream of the proxy. */
  noteSlaveWrite(ms: number): void {
    this.upstream.push(ms);
  }

  summary(): CycleSummary {
    const span = this.first === undefined ? 0 : this.last - this.first;
    return {
      invokeMs: mean(this.invokes),
      idleMs: mean(this.idles),
      busyShare: span > 0 ? Number((this.busyMs / span).toFixed(3)) : 0,
      slaveUpstreamMs: mean(this.upstream),
      getRecordsPerSecond:
        this.firstRead === undefined || this.lastRead <= this.firstRead
          ? 0
          : Number(((this.reads * 1000) / (this.lastRead - this.firstRead)).toFixed(1)),
      recordsPerGetRecords: this.reads === 0 ? 0 : Number((this.recordsRead / this.reads).toFixed(1)),
    };
  }
}
