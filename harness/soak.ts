/**
 * The soak: many random changes on a master table with a stream, replicated by the BUILT zip (by default under the
 * official runtime client in local containers, harness/localLambda) through the fault-injecting proxy, fed by the
 * faithful event source mapping (harness/lambdaPoller). After each round of changes the
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
 * - lost changes: records never processed successfully that the event source mapping did not report to its on-failure
 *   destination either (silently lost) — must be 0.
 * - records given up (retries exhausted with --max-retries, too old with --max-record-age): sent to the on-failure
 *   destination; the soak then runs the repair docs/operations.md tells users to run (`verify --repair`, the built
 *   CLI) before that round's comparison, as an operator would.
 * - stale items: items that differ between slave and master (missing, extra or different) at any round's end, after
 *   that repair — must be 0.
 * - containers killed, batches bisected: the event source mapping's counters (kills only with a function in a
 *   process of its own: the default local Lambda; the in-process bundle cannot be killed, and the report says so);
 *   of the killed invocations, those after which the slave's items of that batch had changed (writes had landed:
 *   read on the slave before and after, soakFunction.ts); cold starts: containers the local Lambda started.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bundlePath } from './bundle';
import { LOCAL_CREDENTIALS } from './dynamodbLocal';
import { FAULT_KINDS, type FaultKind, randomFaults, startFaultProxy } from './faultProxy';
import { type OnFailureRecord, StreamPoller } from './lambdaPoller';
import { applyRandomChanges, type ChangeSummary } from './randomChanges';
import { MASTER_REGION, SLAVE_REGION } from './replicator';
import {
  killChooser,
  localLambdaFunction,
  RecordFates,
  type SoakFunction,
  type SoakFunctionFactory,
  slaveSnapshot,
} from './soakFunction';
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
  /** Concurrent batches per shard (default 1). */
  readonly parallelizationFactor?: number;
  /** BisectBatchOnFunctionError (default false). */
  readonly bisect?: boolean;
  /** Share of invocations whose container is killed mid-invocation (default 0). */
  readonly killRate?: number;
  /** MaximumRetryAttempts (default -1: until the records expire, as Lambda's default). */
  readonly maximumRetryAttempts?: number;
  /** MaximumRecordAgeInSeconds (default none). */
  readonly maximumRecordAgeInSeconds?: number;
  /** Makes the function the mapping invokes (default: the zip under the runtime client, {@link localLambdaFunction}). */
  readonly functionFactory?: SoakFunctionFactory;
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
  /** The function that ran, and whether its containers could be killed. */
  readonly functionKind: string;
  readonly killable: boolean;
  readonly containersKilled: number;
  /** Killed invocations after which the slave's items of their batch had changed: writes had landed before the kill. */
  readonly killedAfterWrites: number;
  /** Containers started (the local Lambda; undefined for the in-process bundle). */
  readonly coldStarts?: number;
  readonly batchesBisected: number;
  readonly maxConcurrentInvocations: number;
  /** Given-up batches' records, sent to the on-failure destination, and its documents. */
  readonly recordsSentToDestination: number;
  readonly failureRecords: readonly OnFailureRecord[];
  /** Rounds after which `verify --repair` ran, and the items it found different (and repaired). */
  readonly repairs: number;
  readonly itemsRepaired: number;
  readonly lostChanges: number;
  readonly staleItems: number;
  readonly slaveEqualsMaster: boolean;
  readonly durationMs: number;
}

/** Whether a sequence number lies in a given-up batch's range (sequence numbers are unique across the stream). */
function inDestination(records: readonly OnFailureRecord[], sequenceNumber: string): boolean {
  const n = BigInt(sequenceNumber);
  return records.some(
    ({ DDBStreamBatchInfo: batch }) => BigInt(batch.startSequenceNumber) <= n && n <= BigInt(batch.endSequenceNumber),
  );
}

/** `verify --repair` with the built CLI, as docs/operations.md tells operators to run after discarded records. */
function repairWithCli(endpoint: string, master: string, slave: string): Promise<string> {
  const args = [join(bundlePath(), '..', 'cli.js'), 'verify', `${MASTER_REGION}/${master}`, `${SLAVE_REGION}/${slave}`];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--repair', '--endpoint-url', endpoint], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`verify --repair exited with ${code}:\n${output}`)),
    );
  });
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
  let made: SoakFunction | undefined;
  try {
    const masterTable = await createMasterTable(master, {
      name: uniqueTableName('soak-master'),
      sortKeyType: 'B',
      streamViewType: 'NEW_IMAGE',
    });
    const slaveTable = await createTable(slave, { name: uniqueTableName('soak-slave'), sortKeyType: 'B' });
    const fates = new RecordFates(slaveSnapshot(slave, slaveTable.name));
    made = await (options.functionFactory ?? localLambdaFunction)({
      replicator: { endpoint: proxy.endpoint, slaveTable: slaveTable.name },
      functionTimeoutMs: options.functionTimeoutMs ?? 6000,
    });
    const failureRecords: OnFailureRecord[] = [];
    const killRate = options.killRate ?? 0;
    poller = new StreamPoller({
      endpoint: options.endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      function: fates.watch(made.function),
      batchSize: options.batchSize ?? 100,
      parallelizationFactor: options.parallelizationFactor ?? 1,
      bisectBatchOnFunctionError: options.bisect ?? false,
      // Lambda's default: retry a failing batch until its records expire (24 h); the soak must never give one up
      // unless told to, and then the records go to the destination and the repair fixes the slave.
      maximumRetryAttempts: options.maximumRetryAttempts ?? -1,
      maximumRecordAgeInSeconds: options.maximumRecordAgeInSeconds,
      onFailure: { records: failureRecords },
      kill: killRate > 0 ? killChooser(killRate, seed, fates) : undefined,
      timeoutMs: 30 * 60_000,
      maxGetRecordsCalls: 1_000_000,
    });

    const changeSummary: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
    let staleItems = 0;
    let equal = false;
    let masterItems = 0;
    let repairs = 0;
    let itemsRepaired = 0;
    const tables = [
      { client: master, table: masterTable.name },
      { client: slave, table: slaveTable.name },
    ] as const;
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
      const drained = await poller.drain();
      let repaired = '';
      if (drained.recordsDiscarded > 0) {
        // Records were given up: what the operator does on the destination's alarm (docs/operations.md).
        const before = await compareTables(...tables);
        const differing = before.missing.length + before.extra.length + before.different.length;
        await repairWithCli(options.endpoint, masterTable.name, slaveTable.name);
        repairs += 1;
        itemsRepaired += differing;
        repaired = `, ${drained.recordsDiscarded} records given up → verify --repair fixed ${differing} items`;
      }
      const comparison = await compareTables(...tables);
      const stale = comparison.missing.length + comparison.extra.length + comparison.different.length;
      staleItems += stale;
      equal = comparison.equal;
      masterItems = comparison.sourceCount;
      const { faults } = proxy.stats();
      const injected = FAULT_KINDS.reduce((sum, kind) => sum + faults[kind], 0);
      say(
        `round ${round + 1}/${rounds}: ${changes} changes, ${poller.totals.invocations} invocations so far, ${injected} faults so far${repaired}, ` +
          `${comparison.sourceCount} items, ${stale === 0 ? 'slave equal to master' : `${stale} STALE ITEMS`} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }

    const stats = proxy.stats();
    const writeRequests = ['BatchWriteItem', 'PutItem', 'DeleteItem'].reduce(
      (sum, operation) => sum + (stats.byOperation[operation] ?? 0),
      0,
    );
    const silentlyLost = [...fates.delivered].filter(
      (n) => !fates.succeeded.has(n) && !inDestination(failureRecords, n),
    ).length;
    const { totals } = poller;
    return {
      changes: options.changes,
      changeSummary,
      masterItems,
      invocations: totals.invocations,
      writeRequests,
      faults: stats.faults,
      faultsTotal: FAULT_KINDS.reduce((sum, kind) => sum + stats.faults[kind], 0),
      requestRetries: writeRequests - fates.plannedRequests,
      recordsRedelivered: totals.recordsRedelivered,
      invocationErrors: totals.invocationErrors,
      recordsReportedFailed: fates.everFailed.size,
      recordsFailedThenSucceeded: [...fates.everFailed].filter((n) => fates.succeeded.has(n)).length,
      functionKind: made.kind,
      killable: made.killable,
      containersKilled: totals.invocationsKilled,
      killedAfterWrites: fates.killedAfterWrites,
      coldStarts: made.coldStarts?.(),
      batchesBisected: totals.batchesBisected,
      maxConcurrentInvocations: totals.maxConcurrentInvocations,
      recordsSentToDestination: totals.recordsSentToDestination,
      failureRecords,
      repairs,
      itemsRepaired,
      lostChanges: silentlyLost,
      staleItems,
      slaveEqualsMaster: equal,
      durationMs: Date.now() - started,
    };
  } finally {
    poller?.close();
    await made?.close?.();
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
  const share = report.containersKilled === 0 ? 0 : (100 * report.killedAfterWrites) / report.containersKilled;
  const killed = report.killable
    ? `${report.containersKilled} (${report.killedAfterWrites} = ${share.toFixed(0)} % after some of their writes had landed)`
    : `${report.containersKilled} (${report.functionKind}: an in-process function cannot be killed)`;
  return [
    `changes: ${report.changes} (${puts} puts, ${updates} updates, ${deletes} deletes, ${reinserts} re-inserts); ${report.masterItems} items at the end`,
    `invocations: ${report.invocations} (at most ${report.maxConcurrentInvocations} at once); write requests: ${report.writeRequests}`,
    `faults injected: ${report.faultsTotal} (${((100 * report.faultsTotal) / Math.max(1, report.writeRequests)).toFixed(1)} % of write requests)`,
    ...faultLines,
    `retries: ${report.requestRetries} requests beyond the plan (SDK and handler), ${report.recordsRedelivered} records re-delivered by the poller, ${report.invocationErrors} invocations failed whole`,
    `records reported failed: ${report.recordsReportedFailed}, of which later succeeded: ${report.recordsFailedThenSucceeded}`,
    `function: ${report.functionKind}; cold starts: ${report.coldStarts ?? 'none (no containers)'}`,
    `containers killed: ${killed}`,
    `batches bisected: ${report.batchesBisected}`,
    `records sent to the on-failure destination: ${report.recordsSentToDestination} (${report.failureRecords.length} batches)` +
      (report.repairs > 0
        ? `; verify --repair ran ${report.repairs} times, repaired ${report.itemsRepaired} items`
        : ''),
    `lost changes: ${report.lostChanges}`,
    `stale items: ${report.staleItems}`,
    `slave equal to master: ${report.slaveEqualsMaster ? 'yes' : 'NO'}`,
    `time: ${(report.durationMs / 1000).toFixed(1)} s`,
  ];
}
