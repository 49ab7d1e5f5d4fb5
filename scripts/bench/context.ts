/**
 * What every measurement of a run shares: the options, the proxy, clients per region, the slave tables, and the
 * prepared workloads.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { benchClient } from './clients';
import type { BenchOptions } from './options';
import { type FinalWrite, finalWrites } from './plan';
import type { ProxyHandle } from './proxy';
import { resetTable, type SlaveTable } from './tables';
import type { BenchStreamEvent } from './types';
import { generateWorkload } from './workload';

/** The one slave of the main measurements. */
export const MAIN_SLAVE: SlaveTable = { region: 'us-west-2', table: 'BenchSlave' };
/** The three slaves of the fan-out measurement. */
export const FAN_OUT_SLAVES: readonly SlaveTable[] = [
  { region: 'us-west-2', table: 'BenchSlaveA' },
  { region: 'eu-west-1', table: 'BenchSlaveB' },
  { region: 'ap-southeast-2', table: 'BenchSlaveC' },
];

/**
 * A generated batch with its ideal plan. The event is kept only as JSON and parsed afresh for each invocation, as
 * Lambda hands each invocation a new object; holding parsed events would also grow the heap the handler's garbage
 * collections have to walk, which a Lambda container does not have.
 */
export interface PreparedWorkload {
  readonly size: number;
  readonly json: string;
  readonly writes: readonly FinalWrite[];
  readonly puts: number;
  readonly deletes: number;
}

/** Generates the batch of `size` records for `seed` and plans it. */
export function prepareWorkload(size: number, seed: number, firstIndex = 0): PreparedWorkload {
  const event = generateWorkload({ records: size, seed, firstIndex });
  const writes = finalWrites(event.Records);
  const puts = writes.filter((write) => write.kind === 'put').length;
  return { size, json: JSON.stringify(event), writes, puts, deletes: writes.length - puts };
}

/** A fresh copy of the workload's event. */
export function eventOf(workload: PreparedWorkload): BenchStreamEvent {
  return JSON.parse(workload.json) as BenchStreamEvent;
}

/** Shared state of a benchmark run. */
export class BenchContext {
  private readonly admins = new Map<string, DynamoDBClient>();
  private readonly proxied = new Map<string, DynamoDBClient>();

  constructor(
    readonly options: BenchOptions,
    readonly localEndpoint: string,
    readonly proxy: ProxyHandle,
  ) {}

  /** Client straight to DynamoDB Local for `region`: set-up and checks, no latency, not counted. */
  admin(region: string): DynamoDBClient {
    let client = this.admins.get(region);
    if (!client) {
      client = benchClient(this.localEndpoint, region, 50);
      this.admins.set(region, client);
    }
    return client;
  }

  /** Client through the proxy for `region`, with no socket limit: the ideal plan's and the baseline's writer. */
  proxiedClient(region: string): DynamoDBClient {
    let client = this.proxied.get(region);
    if (!client) {
      client = benchClient(this.proxy.endpoint, region, Infinity);
      this.proxied.set(region, client);
    }
    return client;
  }

  /** Empties (re-creates) every table in `slaves`. */
  async resetTables(slaves: readonly SlaveTable[]): Promise<void> {
    await Promise.all(slaves.map((slave) => resetTable(this.admin(slave.region), slave.table)));
  }

  /** Closes every SDK client (and their keep-alive sockets). */
  destroy(): void {
    for (const client of [...this.admins.values(), ...this.proxied.values()]) client.destroy();
  }
}
