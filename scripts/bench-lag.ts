/**
 * `npm run bench:lag`: the lag a user feels, end to end, on one hot partition.
 *
 * Starts DynamoDB Local, writes the master at `--rate` changes/s for `--seconds` on `--keys` items under
 * `--partition-keys` partition key values (one table, one shard: the run prints the stream's shard count;
 * scripts/lag/masterWriter.ts), and replicates them with the unchanged zip under Lambda's runtime client
 * (harness/localLambda) fed by the faithful event source mapping (harness/lambdaPoller) with deploy/template.json's
 * trigger settings unless told otherwise; the mapping reads each shard again 250 ms after it caught up (Lambda polls
 * each shard 4 times a second). The function reaches the slave through a latency proxy (`--latency-ms` each way).
 * Each change's lag runs from the master's answer to the BatchWriteItem that wrote it to the moment the proxy hands
 * the function the slave's acknowledgement of the write that carried it (scripts/lag/stats.ts).
 *
 * Prints lag p50/p95/p99/max, the sustained changes/s, whether the replicator kept up, records per invocation, where
 * an invocation cycle's time goes (scripts/lag/cycle.ts), the containers' and DynamoDB Local's CPU, with the machine's
 * load; `--json` adds one JSON line at the end. Everything it starts (DynamoDB Local, containers, proxy, clients)
 * stops on every way out: success, failure, Ctrl-C, SIGTERM.
 */
import { cpus, loadavg } from 'node:os';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { onCleanup, runScript, startLocalUntilCleanup } from '../harness/cleanup';
import { LOCAL_CREDENTIALS } from '../harness/dynamodbLocal';
import { StreamReader } from '../harness/eventSourceMapping/streamReader';
import { putItems } from '../harness/items';
import type { LambdaFunction } from '../harness/lambdaFunction';
import { StreamPoller } from '../harness/lambdaPoller';
import { startLatencyProxy } from '../harness/latencyProxy';
import { localReplicator, MASTER_REGION, SLAVE_REGION } from '../harness/replicator';
import { createMasterTable, createTable, localClient, uniqueTableName } from '../harness/tables';
import { templateSettings } from '../harness/templateSettings';
import { sleep } from '../src/shared/sleep';
import { descendantsCpuMs } from './lag/cpu';
import { CycleTimer } from './lag/cycle';
import { writeMaster } from './lag/masterWriter';
import { type LagOptions, lagUsage, parseLagOptions } from './lag/options';
import { catchUpPerSecond, keptUp, LagLedger, lagGrowth, percentile, sustainedPerSecond } from './lag/stats';
import { acknowledgedItems, lagKey } from './lag/writes';

/** One change of the run: version `index` of an item under one of the partition key values. */
interface Change {
  readonly index: number;
  readonly partition: string;
  readonly sort: string;
}

/** Changes `first` to `first + count - 1`, over `--keys` items whose sort keys start with `prefix`. */
function changesAt(options: LagOptions, first: number, count: number, prefix: string): Change[] {
  return Array.from({ length: count }, (_, offset) => {
    const index = first + offset;
    const item = index % options.keys;
    return { index, partition: `p${item % options.partitionKeys}`, sort: `${prefix}${item}` };
  });
}

function itemOf({ index, partition, sort }: Change) {
  return { pk: { S: partition }, sk: { S: sort }, v: { N: String(index) } };
}

/**
 * Writes `--warm-up-seconds` of changes at the rate, on items of their own, and replicates them with a mapping of
 * their own, so that the container, its connections and DynamoDB Local are warm when the measured run starts.
 */
async function warmUp(
  options: LagOptions,
  fn: LambdaFunction,
  endpoint: string,
  streamArn: string,
  send: (first: number, count: number) => Promise<void>,
): Promise<void> {
  const poller = new StreamPoller({
    endpoint,
    region: MASTER_REGION,
    streamArn,
    function: fn,
    batchSize: options.batchSize,
    parallelizationFactor: options.parallelizationFactor,
    maximumBatchingWindowInSeconds: options.batchingWindowMs / 1000,
    maximumRetryAttempts: -1,
    timeoutMs: (options.warmUpSeconds + options.drainSeconds) * 1000,
    maxGetRecordsCalls: 10_000_000,
  });
  try {
    let writing = true;
    const polling = (async () => {
      while (writing) {
        await poller.drain();
        await sleep(POLL_INTERVAL_MS);
      }
      await poller.drain();
    })();
    await writeMaster({ ...options, seconds: options.warmUpSeconds }, send, () => undefined).finally(() => {
      writing = false;
    });
    await polling;
  } finally {
    poller.close();
  }
}

/** Lambda polls each shard 4 times a second. */
const POLL_INTERVAL_MS = 250;

/** Shards the master's stream has: the load is meant to land on one. */
async function shardCount(endpoint: string, streamArn: string): Promise<number> {
  const streams = new DynamoDBStreamsClient({ endpoint, region: MASTER_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    return StreamDescription?.Shards?.length ?? 0;
  } finally {
    streams.destroy();
  }
}

function load(): string {
  return `load ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')} on ${cpus().length} cores`;
}

async function main(): Promise<boolean> {
  const { mapping } = templateSettings();
  const options = parseLagOptions(process.argv.slice(2), mapping);
  if (options.help) {
    console.log(lagUsage(mapping));
    return true;
  }
  const local = await startLocalUntilCleanup();
  const master = localClient(local.endpoint, MASTER_REGION);
  const slave = localClient(local.endpoint, SLAVE_REGION);
  onCleanup(() => {
    master.destroy();
    slave.destroy();
  });
  const masterTable = await createMasterTable(master, { name: uniqueTableName('lag-master'), sortKeyType: 'S' });
  const slaveTable = await createTable(slave, { name: uniqueTableName('lag-slave'), sortKeyType: 'S' });

  const ledger = new LagLedger();
  let measuring = false;
  const cycle = new CycleTimer();
  const proxy = await startLatencyProxy({
    upstream: local.endpoint,
    latencyMs: options.latencyMs,
    // The answer reaches the function latencyMs after the proxy has it: note the acknowledgement then.
    intercept: (request) => {
      const forwarded = Date.now();
      return {
        kind: 'forward',
        rewrite: (response) => {
          // The warm-up's writes are not part of the measured cycle.
          if (measuring) cycle.noteSlaveWrite(Date.now() - forwarded);
          const items = acknowledgedItems(request.target, response.status, request.body, response.body);
          if (items.length > 0) {
            setTimeout(() => {
              const now = Date.now();
              for (const item of items) ledger.noteSlave(item.key, item.version, now);
            }, options.latencyMs);
          }
          return response;
        },
      };
    },
  });
  onCleanup(() => proxy.stop());
  const lambda = localReplicator({ endpoint: proxy.endpoint, slaveTable: slaveTable.name }, { timeoutMs: 60_000 });
  onCleanup(() => lambda.close());
  const runMs = (options.seconds + options.drainSeconds) * 1000;
  const poller = new StreamPoller({
    endpoint: local.endpoint,
    region: MASTER_REGION,
    streamArn: masterTable.streamArn,
    function: cycle.wrap(lambda),
    source: cycle.wrapSource(new StreamReader(local.endpoint, MASTER_REGION, masterTable.streamArn)),
    batchSize: options.batchSize,
    parallelizationFactor: options.parallelizationFactor,
    maximumBatchingWindowInSeconds: options.batchingWindowMs / 1000,
    maximumRetryAttempts: -1,
    // After the warm-up: only the measured run's changes.
    startingPosition: 'LATEST',
    timeoutMs: runMs + 60_000,
    maxGetRecordsCalls: 10_000_000,
  });
  onCleanup(() => poller.close());
  if (options.warmUpSeconds > 0) {
    await warmUp(options, lambda, local.endpoint, masterTable.streamArn, (first, count) =>
      putItems(master, masterTable.name, changesAt(options, first, count, 'warm').map(itemOf)),
    );
  }
  await poller.start();
  measuring = true;

  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(
    `bench:lag: ${options.rate} changes/s for ${options.seconds} s on ${options.keys} items under ${options.partitionKeys} partition key value(s), slave ${options.latencyMs} ms each way; ` +
      `batch size ${options.batchSize}, batching window ${options.batchingWindowMs} ms, parallelization ${options.parallelizationFactor}; ${load()}`,
  );
  const cpuBefore = process.cpuUsage();
  const childrenCpuBefore = descendantsCpuMs([local.pid]);
  let writing = true;
  let catchUpStartedMs: number | undefined;
  // A failed poll stops the writes too; it is thrown once they have stopped (never left unhandled).
  let pollFailure: unknown;
  // Set by the cleanup (Ctrl-C, failure): writes and polls stop before the function and DynamoDB Local are closed,
  // so that no invocation meets a closed function.
  let stopping = false;
  const polling = (async () => {
    // --backlog: the mapping starts once every change is on the master, so every batch is as full as it may be.
    while (options.backlog && writing && !stopping) await sleep(50);
    catchUpStartedMs = Date.now();
    const deadline = catchUpStartedMs + runMs;
    while ((writing || ledger.outstanding > 0) && !stopping && Date.now() < deadline) {
      const started = Date.now();
      await poller.drain();
      await sleep(Math.max(0, POLL_INTERVAL_MS - (Date.now() - started)));
    }
  })().catch((error: unknown) => {
    pollFailure = error;
  });
  onCleanup(async () => {
    stopping = true;
    await Promise.race([polling, sleep(15_000)]);
  });
  const writes = await writeMaster(
    options,
    async (first, count) => {
      const changes = changesAt(options, first, count, 'k');
      await putItems(master, masterTable.name, changes.map(itemOf));
      const now = Date.now();
      for (const { index, partition, sort } of changes) ledger.noteMaster(lagKey(partition, sort), index, now);
    },
    () => pollFailure ?? (stopping ? new Error('stopped before the end (Ctrl-C or SIGTERM)') : undefined),
  ).finally(() => {
    writing = false;
  });
  await polling;
  if (pollFailure) throw pollFailure;
  // Let the last acknowledgements (noted latencyMs after the proxy has them) arrive.
  await sleep(options.latencyMs + 50);
  const childrenCpu = descendantsCpuMs([local.pid]);
  const containerCpuMs = childrenCpu?.others;
  const ownCpu = process.cpuUsage(cpuBefore);

  const lags = ledger.lags.map((lag) => lag.lagMs);
  const totals = poller.totals;
  const result = {
    rate: options.rate,
    seconds: options.seconds,
    latencyMs: options.latencyMs,
    parallelizationFactor: options.parallelizationFactor,
    batchSize: options.batchSize,
    batchingWindowMs: options.batchingWindowMs,
    changes: writes.written,
    masterPerSecond: Math.round(writes.perSecond),
    replicated: ledger.lags.length,
    outstanding: ledger.outstanding,
    p50Ms: percentile(lags, 50),
    p95Ms: percentile(lags, 95),
    p99Ms: percentile(lags, 99),
    maxMs: percentile(lags, 100),
    lagGrowthPerSecond: Number(lagGrowth(ledger.lags).toFixed(4)),
    sustainedPerSecond: Math.round(sustainedPerSecond(ledger.lags)),
    catchUpPerSecond: options.backlog ? Math.round(catchUpPerSecond(ledger.lags, catchUpStartedMs ?? 0)) : null,
    keptUp: keptUp(ledger.lags, ledger.outstanding),
    invocations: totals.invocations,
    recordsPerInvocation: totals.invocations ? Number((totals.recordsDelivered / totals.invocations).toFixed(1)) : 0,
    containers: lambda.stats.coldStarts,
    shards: await shardCount(local.endpoint, masterTable.streamArn),
    handlerCpuMsPer1000Records:
      containerCpuMs === undefined || totals.recordsDelivered === 0
        ? null
        : Number(((containerCpuMs * 1000) / totals.recordsDelivered).toFixed(1)),
    cycle: cycle.summary(),
    benchCpuMs: Math.round((ownCpu.user + ownCpu.system) / 1000),
    dynamodbLocalCpuMs:
      childrenCpu && childrenCpuBefore
        ? Math.round((childrenCpu.excluded[0] ?? 0) - (childrenCpuBefore.excluded[0] ?? 0))
        : null,
    loadAverage: loadavg().map((value) => Number(value.toFixed(2))),
  };
  log(`master took ${result.masterPerSecond} changes/s; ${result.replicated} of ${result.changes} changes replicated`);
  if (result.masterPerSecond < 0.95 * options.rate) {
    log(
      `warning: the master took only ${result.masterPerSecond} of the ${options.rate} changes/s asked (this machine's DynamoDB Local): the figures below are for that rate`,
    );
  }
  log(`lag p50 ${result.p50Ms} ms, p95 ${result.p95Ms} ms, p99 ${result.p99Ms} ms, max ${result.maxMs} ms`);
  log(`sustained ${result.sustainedPerSecond} changes/s; lag growth ${result.lagGrowthPerSecond} s/s`);
  if (result.catchUpPerSecond !== null) {
    log(
      `caught up a backlog of ${result.changes} changes at ${result.catchUpPerSecond} changes/s (the shard's ceiling)`,
    );
  }
  log(`kept up: ${result.keptUp ? 'yes' : 'no'}`);
  log(
    `${result.invocations} invocations, ${result.recordsPerInvocation} records per invocation, ${result.containers} container(s), ${result.shards} shard(s)`,
  );
  log(
    `per invocation ${result.cycle.invokeMs} ms (slave write ${result.cycle.slaveUpstreamMs} ms in DynamoDB Local + ${2 * options.latencyMs} ms link), ` +
      `idle between invocations ${result.cycle.idleMs} ms, function busy ${Math.round(result.cycle.busyShare * 100)} % of the run; ` +
      `${result.cycle.getRecordsPerSecond} GetRecords/s of ${result.cycle.recordsPerGetRecords} records`,
  );
  log(
    `handler CPU ${result.handlerCpuMsPer1000Records ?? 'n/a'} ms per 1,000 records (containers' user+system CPU during the measured run); ` +
      `this script ${result.benchCpuMs} ms CPU, DynamoDB Local ${result.dynamodbLocalCpuMs ?? 'n/a'} ms; ${load()}`,
  );
  if (options.json) console.log(JSON.stringify(result));
  return true;
}

runScript('bench:lag', main, { exitWhenDone: true });
