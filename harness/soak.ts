/**
 * The soak: many random changes on a master table with a stream, replicated by a Lambda zip (the built one unless
 * told otherwise; by default under the official runtime client in local containers, harness/localLambda) through the
 * fault-injecting proxy, fed by the stand-in event source mapping (harness/lambdaPoller). In each round a writer
 * makes its changes while the mapping delivers (at a set rate, or as fast as the table answers); then the writer
 * stops, the mapping drains, and the slave is judged against an independent model of the master
 * (harness/soakModel): every change the writer committed, in acknowledgement order. Used by `npm run soak` and, in
 * short versions, by the test suite.
 *
 * The verdict never reads the function's answers: lost changes, stale, extra and wrong items come from the slave's
 * items against the model, at every round's end, before any repair (harness/soakReport says what PASS is). Only
 * after the verdict, when a round is not equal, does the soak run `verify --repair` (the built CLI), as
 * docs/operations.md tells operators to, and say what it fixed; the next round then starts from an equal slave.
 *
 * The rest are figures about the run: faults by kind (the fault proxy's counts); retries (write requests beyond
 * each invocation's plan of one BatchWriteItem per 25 distinct items, and records the mapping delivered again);
 * records the function reported failed; containers killed and, of those, the ones whose writes had landed (read on
 * the slave, harness/soakFunction); batches bisected, delivered twice, given up to the on-failure destination.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DynamoDBClient, StreamViewType } from '@aws-sdk/client-dynamodb';
import { sleep } from '../src/shared/sleep';
import { bundlePath } from './bundle';
import { LOCAL_CREDENTIALS } from './dynamodbLocal';
import { FAULT_KINDS, type FaultKind, randomFaults, startFaultProxy } from './faultProxy';
import { type OnFailureRecord, StreamPoller } from './lambdaPoller';
import { Prng } from './prng';
import { applyRandomChanges, type ChangeSummary } from './randomChanges';
import { MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from './replicator';
import {
  killChooser,
  localLambdaFunction,
  RecordFates,
  type SoakFunction,
  type SoakFunctionFactory,
  slaveSnapshot,
  withStalls,
} from './soakFunction';
import { MasterModel } from './soakModel';
import type { SoakReport } from './soakReport';
import { createMasterTable, createTable, localClient, scanAll, uniqueTableName } from './tables';

/** Settings of a soak run. */
export interface SoakOptions {
  /** DynamoDB Local (the poller reads the stream there; the function writes through a fault proxy in front of it). */
  readonly endpoint: string;
  readonly changes: number;
  readonly items: number;
  /** Partition keys the items share, each with many sort keys (default: one per 10 items, at least 2). */
  readonly partitions?: number;
  /** Rounds of changes, each followed by a drain and the verdict (default 10). */
  readonly rounds?: number;
  /** Changes per second the writer makes while the mapping delivers (default: as fast as the table answers). */
  readonly writesPerSecond?: number;
  /** The master's stream view type (default NEW_IMAGE); KEYS_ONLY and OLD_IMAGE make the function read the master. */
  readonly viewType?: StreamViewType;
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
  /** Share of answered batches the mapping delivers again, as Lambda may after an internal retry (default 0). */
  readonly duplicateRate?: number;
  /**
   * Share of invocations whose container is stopped until after their deadline (default 0). Above 0 the function runs
   * as Lambda Managed Instances ({@link LATE_WRITE_CONCURRENCY} per container), whose timeout fails the invocation
   * and lets its code run on once the container resumes ({@link withStalls}).
   */
  readonly lateWriteRate?: number;
  /** MaximumRetryAttempts (default -1: until the records expire, as Lambda's default). */
  readonly maximumRetryAttempts?: number;
  /** MaximumRecordAgeInSeconds (default none). */
  readonly maximumRecordAgeInSeconds?: number;
  /** The zip to run (default the built `dist/dynamo-replicator.zip`); the function factory unpacks it. */
  readonly zip?: string;
  /** Makes the function the mapping invokes (default: the zip under the runtime client, {@link localLambdaFunction}). */
  readonly functionFactory?: SoakFunctionFactory;
  /** Progress lines (one per round). */
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

/**
 * The pause between drains while the writer writes: Lambda polls each shard "at a base rate of 4 times per second"
 * (https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html), so records written meanwhile gather into one batch.
 */
const DRAIN_PAUSE_MS = 250;

/** Invocations per container when the soak runs the function as Managed Instances (`lateWriteRate`). */
export const LATE_WRITE_CONCURRENCY = 4;

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

/** Chooses the answered batches the mapping delivers again: each with probability `rate`. */
function duplicateChooser(rate: number, seed: number): (() => boolean) | undefined {
  if (rate === 0) return undefined;
  const random = new Prng(seed * 104_729 + 3);
  return () => random.chance(rate);
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
      streamViewType: options.viewType ?? 'NEW_IMAGE',
    });
    const slaveTable = await createTable(slave, { name: uniqueTableName('soak-slave'), sortKeyType: 'B' });
    const fates = new RecordFates(slaveSnapshot(slave, slaveTable.name));
    const lateWriteRate = options.lateWriteRate ?? 0;
    made = await (options.functionFactory ?? localLambdaFunction)({
      replicator: { endpoint: proxy.endpoint, slaveTable: slaveTable.name },
      functionTimeoutMs: options.functionTimeoutMs ?? 6000,
      zip: options.zip,
      maxConcurrency: lateWriteRate > 0 ? LATE_WRITE_CONCURRENCY : undefined,
    });
    if (lateWriteRate > 0 && !made.killable) {
      throw new Error(
        `late writes need containers to stop: ${made.kind} runs in this process (leave out --in-process)`,
      );
    }
    const invoked =
      lateWriteRate > 0
        ? withStalls(made.function, lateWriteRate, seed, fates, options.functionTimeoutMs ?? 6000)
        : made.function;
    const failureRecords: OnFailureRecord[] = [];
    const killRate = options.killRate ?? 0;
    poller = new StreamPoller({
      endpoint: options.endpoint,
      region: MASTER_REGION,
      streamArn: masterTable.streamArn,
      function: fates.watch(invoked),
      batchSize: options.batchSize ?? 100,
      parallelizationFactor: options.parallelizationFactor ?? 1,
      bisectBatchOnFunctionError: options.bisect ?? false,
      // As deploy/template.json's trigger: partial batch responses read (the function is configured for them).
      ...TEMPLATE_RESPONSE_TYPES,
      // Lambda's default: retry a failing batch until its records expire (24 h).
      maximumRetryAttempts: options.maximumRetryAttempts ?? -1,
      maximumRecordAgeInSeconds: options.maximumRecordAgeInSeconds,
      onFailure: { records: failureRecords },
      kill: killRate > 0 ? killChooser(killRate, seed, fates) : undefined,
      duplicate: duplicateChooser(options.duplicateRate ?? 0, seed),
      timeoutMs: 30 * 60_000,
      maxGetRecordsCalls: 1_000_000,
    });
    const mapping = poller;

    const model = new MasterModel(['pk', 'sk']);
    const changeSummary: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
    const lost = new Set<number>();
    const stale = new Set<string>();
    const extra = new Set<string>();
    const wrong = new Set<string>();
    let modelErrors = 0;
    let roundsEqual = 0;
    let masterItems = 0;
    let repairs = 0;
    let itemsRepaired = 0;
    let equalAfterRepairs = true;
    let changesDuringDrains = 0;
    let unsettledRounds = 0;
    for (let round = 0; round < rounds; round += 1) {
      const changes =
        Math.floor((options.changes * (round + 1)) / rounds) - Math.floor((options.changes * round) / rounds);
      const discardedBefore = mapping.totals.recordsDiscarded;
      // The writer writes while the mapping delivers; a drain that starts while it writes counts its changes so far.
      let writing = true;
      const writer = applyRandomChanges(master, masterTable.name, {
        seed: seed * 1000 + round,
        items: options.items,
        changes,
        sortKeyType: 'B',
        partitions: options.partitions ?? Math.max(2, Math.floor(options.items / 10)),
        writesPerSecond: options.writesPerSecond,
        onCommitted: (key, state) => model.record(key, state),
      }).finally(() => {
        writing = false;
      });
      writer.catch(() => undefined);
      const madeBefore = model.changes;
      while (writing) {
        const seen = model.changes;
        await mapping.drain();
        if (writing) changesDuringDrains += model.changes - seen;
        await Promise.race([writer, sleep(DRAIN_PAUSE_MS)]);
      }
      const summary = await writer;
      for (const key of Object.keys(changeSummary) as Array<keyof ChangeSummary>) changeSummary[key] += summary[key];
      await mapping.drain();
      // Timed-out invocations that run on may still write: the verdict includes whatever they write.
      if (made.settled && !(await made.settled())) unsettledRounds += 1;

      // The verdict: the slave against the model, before anything else touches it.
      const [slaveItems, masterNow] = await Promise.all([
        scanAll(slave, slaveTable.name),
        scanAll(master, masterTable.name),
      ]);
      const verdict = model.judge(slaveItems, masterNow);
      for (const n of verdict.lostChanges) lost.add(n);
      for (const key of verdict.staleItems) stale.add(key);
      for (const key of verdict.extraItems) extra.add(key);
      for (const key of verdict.wrongItems) wrong.add(key);
      modelErrors += verdict.modelErrors.length;
      masterItems = verdict.masterItems;
      if (verdict.equal) roundsEqual += 1;
      const differing = verdict.staleItems.length + verdict.extraItems.length + verdict.wrongItems.length;
      const discarded = mapping.totals.recordsDiscarded - discardedBefore;
      let after = '';
      if (!verdict.equal) {
        // After the verdict only: what the operator runs on the destination's alarm (docs/operations.md).
        await repairWithCli(options.endpoint, masterTable.name, slaveTable.name);
        const repaired = model.judge(await scanAll(slave, slaveTable.name), masterNow);
        repairs += 1;
        itemsRepaired += differing;
        equalAfterRepairs &&= repaired.equal;
        after = `; then verify --repair: ${repaired.equal ? 'equal' : 'STILL DIFFERENT'}`;
      }
      say(
        `round ${round + 1}/${rounds}: ${changes} changes (${model.changes - madeBefore} recorded), ${mapping.totals.invocations} invocations so far, ` +
          `${discarded} records given up, ${verdict.masterItems} items: ` +
          (verdict.equal
            ? 'slave equal to the model'
            : `${verdict.lostChanges.length} LOST CHANGES, ${verdict.staleItems.length} stale, ${verdict.extraItems.length} extra, ${verdict.wrongItems.length} wrong`) +
          `${verdict.modelErrors.length > 0 ? `, ${verdict.modelErrors.length} MODEL ERRORS` : ''}${after} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    }

    const stats = proxy.stats();
    const writeRequests = ['BatchWriteItem', 'PutItem', 'DeleteItem'].reduce(
      (sum, operation) => sum + (stats.byOperation[operation] ?? 0),
      0,
    );
    const { totals } = mapping;
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
      batchesDuplicated: totals.batchesDuplicated,
      invocationErrors: totals.invocationErrors,
      recordsReportedFailed: fates.everFailed.size,
      functionKind: made.kind,
      killable: made.killable,
      containersKilled: totals.invocationsKilled,
      killedAfterWrites: fates.killedAfterWrites,
      coldStarts: made.coldStarts?.(),
      stalls: lateWriteRate > 0 ? { ...(made.stalls?.() ?? { stopped: 0, ranOn: 0 }), unsettledRounds } : undefined,
      batchesBisected: totals.batchesBisected,
      maxConcurrentInvocations: totals.maxConcurrentInvocations,
      changesDuringDrains,
      recordsSentToDestination: totals.recordsSentToDestination,
      failureRecords,
      lostChanges: lost.size,
      staleItems: stale.size,
      extraItems: extra.size,
      wrongItems: wrong.size,
      roundsEqual,
      rounds,
      modelErrors,
      repairs,
      itemsRepaired,
      equalAfterRepairs,
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
