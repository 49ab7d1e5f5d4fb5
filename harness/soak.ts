/**
 * The soak: many random changes on a master table with a stream, replicated by the BUILT bundle through the
 * fault-injecting proxy, fed by the Lambda-like poller with Lambda's retry semantics. After each round of changes the
 * stream is drained and the slave compared with the master, item for item. Used by `npm run soak` (20,000 changes)
 * and, in a short version, by the test suite.
 *
 * What it counts, and how:
 * - faults injected, by kind: the fault proxy's counts.
 * - retries: write requests beyond the plan. Each invocation's plan is one BatchWriteItem per 25 distinct items of
 *   its batch (a single slave, a NEW_IMAGE stream, no poison items), so every request beyond that is a retry, by the
 *   SDK or by the handler; plus re-deliveries of records by the poller (Lambda's retries).
 * - records reported failed, and later succeeded: a record counts as failed when the handler reported it in
 *   `batchItemFailures` or threw on its batch, and as succeeded when an invocation returned with no failure at or
 *   before it (Lambda then moves past it).
 * - lost changes: records never processed successfully (discarded after the retries, or never succeeded) — must be 0.
 * - stale items: items that differ between slave and master (missing, extra or different) at any round's end —
 *   must be 0.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FAULT_KINDS, type FaultKind, randomFaults, startFaultProxy } from './faultProxy';
import { type StreamHandler, StreamPoller } from './lambdaPoller';
import { applyRandomChanges, type ChangeSummary } from './randomChanges';
import { loadReplicator, MASTER_REGION, SLAVE_REGION } from './replicator';
import { compareTables, createMasterTable, createTable, localClient, uniqueTableName } from './tables';

/** Settings of a soak run. */
export interface SoakOptions {
  /** DynamoDB Local (the poller reads the stream there; the bundle writes through a fault proxy in front of it). */
  readonly endpoint: string;
  readonly changes: number;
  readonly items: number;
  /** Rounds of changes, each followed by a drain and a comparison (default 10). */
  readonly rounds?: number;
  /** Share of write requests that get a fault (default 0.07), spread over the kinds by {@link FAULT_MIX}. */
  readonly faultRate?: number;
  readonly seed?: number;
  /** Records per invocation (default 100, Lambda's default for DynamoDB streams). */
  readonly batchSize?: number;
  /** Function timeout of each invocation (default 6 000 ms: a slow answer then ends in a reported failure). */
  readonly functionTimeoutMs?: number;
  /** How long a slow answer is held (default 11 000 ms, beyond the bundle's 10 s request timeout). */
  readonly slowResponseMs?: number;
  /** Progress lines (one per round, and per 1,000 changes made). */
  readonly onProgress?: (line: string) => void;
}

/** The weight of each fault kind in the injected mix (access denied is not transient, so it is not in the soak). */
export const FAULT_MIX: Readonly<Partial<Record<FaultKind, number>>> = {
  provisionedThroughputExceeded: 0.2,
  throttling: 0.15,
  internalServerError: 0.2,
  unprocessedItems: 0.2,
  connectionReset: 0.15,
  slowResponse: 0.1,
};

/** What a soak run did and found. */
export interface SoakReport {
  readonly changes: number;
  readonly changeSummary: ChangeSummary;
  /** Items on the master at the end. */
  readonly masterItems: number;
  readonly invocations: number;
  readonly writeRequests: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly faultsTotal: number;
  /** Write requests beyond each invocation's plan: retries by the SDK and by the handler. */
  readonly requestRetries: number;
  /** Records delivered again by the poller after a failure (Lambda's retries). */
  readonly recordsRedelivered: number;
  readonly invocationErrors: number;
  readonly recordsReportedFailed: number;
  readonly recordsFailedThenSucceeded: number;
  readonly lostChanges: number;
  readonly staleItems: number;
  readonly slaveEqualsMaster: boolean;
  readonly durationMs: number;
}

function sequenceNumbers(event: Parameters<StreamHandler>[0]): string[] {
  return event.Records.map((record) => record.dynamodb.SequenceNumber);
}

/** Tracks each record's fate across invocations, as Lambda would see it. */
class RecordFates {
  readonly everFailed = new Set<string>();
  readonly succeeded = new Set<string>();
  readonly delivered = new Set<string>();
  plannedRequests = 0;

  /** Wraps `handler` to follow what happens to every record it is given. */
  watch(handler: StreamHandler): StreamHandler {
    return async (event, context) => {
      const sequence = sequenceNumbers(event);
      sequence.forEach((n) => {
        this.delivered.add(n);
      });
      const items = new Set(
        event.Records.map((record) => JSON.stringify(Object.entries(record.dynamodb.Keys ?? {}).sort())),
      );
      this.plannedRequests += Math.ceil(items.size / 25);
      let response: unknown;
      try {
        response = await handler(event, context);
      } catch (error) {
        sequence.forEach((n) => {
          this.everFailed.add(n);
        });
        throw error;
      }
      const failed = (
        (response as { batchItemFailures?: Array<{ itemIdentifier: string }> })?.batchItemFailures ?? []
      ).map((failure) => failure.itemIdentifier);
      failed.forEach((n) => {
        this.everFailed.add(n);
      });
      const lowest = failed.reduce<bigint | undefined>(
        (low, n) => (low === undefined || BigInt(n) < low ? BigInt(n) : low),
        undefined,
      );
      for (const n of sequence) if (lowest === undefined || BigInt(n) < lowest) this.succeeded.add(n);
      return response;
    };
  }
}

/** Runs a soak and reports; creates its own tables and proxy, and stops the proxy whatever happens. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const rounds = options.rounds ?? 10;
  const faultRate = options.faultRate ?? 0.07;
  const seed = options.seed ?? 1;
  const say = options.onProgress ?? (() => undefined);
  const master: DynamoDBClient = localClient(options.endpoint, MASTER_REGION);
  const slave: DynamoDBClient = localClient(options.endpoint, SLAVE_REGION);
  const rates = Object.fromEntries(
    Object.entries(FAULT_MIX).map(([kind, weight]) => [kind, (weight ?? 0) * faultRate]),
  );
  const proxy = await startFaultProxy({
    upstream: options.endpoint,
    plan: randomFaults({ seed, rates }),
    seed,
    slowResponseMs: options.slowResponseMs,
  });
  let poller: StreamPoller | undefined;
  try {
    const masterTable = await createMasterTable(master, {
      name: uniqueTableName('soak-master'),
      sortKeyType: 'B',
      streamViewType: 'NEW_IMAGE',
    });
    const slaveTable = await createTable(slave, { name: uniqueTableName('soak-slave'), sortKeyType: 'B' });
    const fates = new RecordFates();
    poller = new StreamPoller({
      endpoint: options.endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      handler: fates.watch(loadReplicator({ endpoint: proxy.endpoint, slaveTable: slaveTable.name })),
      batchSize: options.batchSize ?? 100,
      // Lambda retries a failing batch until its records expire (24 h); the soak must never give one up.
      maxRetries: 1000,
      timeoutMs: 30 * 60_000,
      maxGetRecordsCalls: 1_000_000,
      functionTimeoutMs: options.functionTimeoutMs ?? 6000,
    });

    const changeSummary: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
    let staleItems = 0;
    let equal = false;
    let masterItems = 0;
    for (let round = 0; round < rounds; round += 1) {
      const changes =
        Math.floor((options.changes * (round + 1)) / rounds) - Math.floor((options.changes * round) / rounds);
      const summary = await applyRandomChanges(master, masterTable.name, {
        seed: seed * 1000 + round,
        items: options.items,
        changes,
        sortKeyType: 'B',
      });
      for (const key of Object.keys(changeSummary) as Array<keyof ChangeSummary>) changeSummary[key] += summary[key];
      await poller.drain();
      const comparison = await compareTables(
        { client: master, table: masterTable.name },
        { client: slave, table: slaveTable.name },
      );
      const stale = comparison.missing.length + comparison.extra.length + comparison.different.length;
      staleItems += stale;
      equal = comparison.equal;
      masterItems = comparison.sourceCount;
      const { faults } = proxy.stats();
      const injected = FAULT_KINDS.reduce((sum, kind) => sum + faults[kind], 0);
      say(
        `round ${round + 1}/${rounds}: ${changes} changes, ${poller.totals.invocations} invocations so far, ${injected} faults so far, ` +
          `${comparison.sourceCount} items, ${stale === 0 ? 'slave equal to master' : `${stale} STALE ITEMS`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }

    const stats = proxy.stats();
    const writeRequests = ['BatchWriteItem', 'PutItem', 'DeleteItem'].reduce(
      (sum, operation) => sum + (stats.byOperation[operation] ?? 0),
      0,
    );
    const neverSucceeded = [...fates.delivered].filter((n) => !fates.succeeded.has(n)).length;
    return {
      changes: options.changes,
      changeSummary,
      masterItems,
      invocations: poller.totals.invocations,
      writeRequests,
      faults: stats.faults,
      faultsTotal: FAULT_KINDS.reduce((sum, kind) => sum + stats.faults[kind], 0),
      requestRetries: writeRequests - fates.plannedRequests,
      recordsRedelivered: poller.totals.recordsRedelivered,
      invocationErrors: poller.totals.invocationErrors,
      recordsReportedFailed: fates.everFailed.size,
      recordsFailedThenSucceeded: [...fates.everFailed].filter((n) => fates.succeeded.has(n)).length,
      lostChanges: Math.max(neverSucceeded, poller.totals.recordsDiscarded),
      staleItems,
      slaveEqualsMaster: equal,
      durationMs: Date.now() - started,
    };
  } finally {
    poller?.close();
    master.destroy();
    slave.destroy();
    await proxy.stop();
  }
}

/** The report as lines of text, for the console and the README. */
export function formatSoakReport(report: SoakReport): string[] {
  const { puts, updates, deletes, reinserts } = report.changeSummary;
  const faultLines = FAULT_KINDS.filter((kind) => report.faults[kind] > 0).map(
    (kind) => `  ${kind}: ${report.faults[kind]}`,
  );
  return [
    `changes: ${report.changes} (${puts} puts, ${updates} updates, ${deletes} deletes, ${reinserts} re-inserts); ${report.masterItems} items at the end`,
    `invocations: ${report.invocations}; write requests: ${report.writeRequests}`,
    `faults injected: ${report.faultsTotal} (${((100 * report.faultsTotal) / Math.max(1, report.writeRequests)).toFixed(1)} % of write requests)`,
    ...faultLines,
    `retries: ${report.requestRetries} requests beyond the plan (SDK and handler), ${report.recordsRedelivered} records re-delivered by the poller, ${report.invocationErrors} invocations failed whole`,
    `records reported failed: ${report.recordsReportedFailed}, of which later succeeded: ${report.recordsFailedThenSucceeded}`,
    `lost changes: ${report.lostChanges}`,
    `stale items: ${report.staleItems}`,
    `slave equal to master: ${report.slaveEqualsMaster ? 'yes' : 'NO'}`,
    `time: ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
}
