/**
 * Live backfill benchmark: the default (`watched`) backfill while the replicator runs and the master keeps changing,
 * beside the same backfill on a quiet master, and the proof that the live slave ends up equal to the master.
 *
 *   npm run bench:backfill-live -- [--items 50000] [--changes-per-second 200] [--concurrency 16] [--hot-items 40]
 *                                  [--write-mode watched]   (the live backfill's mode; `batch` shows the damage an
 *                                                            unsafe copy does: the comparison then fails)
 *
 * Starts its own DynamoDB Local (stopped on exit, errors and Ctrl-C) and fills a master; then enables the master's
 * NEW_IMAGE stream (it carries only later changes, as when a replica is added to a table that already has data).
 *   1. warm-up, not measured: one `batch` backfill into a throwaway slave (DynamoDB Local's JIT makes whatever runs
 *      first slower);
 *   2. quiet reference: a `watched` backfill into a fresh slave, nothing changing and no replicator; its slave is
 *      compared with the master;
 *   3. live: the BUILT replicator (`dist/index.js`, fed by a Lambda-like poller on the master's real stream) writes
 *      to a fresh slave, a changer applies seeded random puts, updates and deletes to the master at a steady rate
 *      (30 % of them on a few hot items, the rest over all items), and a `watched` backfill (all segments, 1000
 *      items a page) copies the master into that slave meanwhile. Then the changer stops, the stream is drained and
 *      the slave is compared with the master item by item: missing, extra and different must all be 0.
 * Both backfills run with the default watch tuning (stream polled once a second when idle, re-checks 2 s after a
 * change was seen), so the live figure includes the wait for the last re-checks. The live/quiet ratio mixes two
 * costs: the load the changes and the replicator put on the same DynamoDB Local and CPUs (on a 2-CPU machine the
 * larger part), and the watched mode's own work (conditional puts, re-checks and repairs, that final wait of ~3 s).
 *
 * Prints items/s live and quiet, the live summary's counters, the poller's counters and the comparison; writes
 * bench-results/backfill-live.json. Progress on stderr, the report on stdout. Exit code 1 when the tables differ
 * (or the backfill failed items, or the replicator reported failures).
 */

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeleteTableCommand, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { bundlePath } from '../harness/bundle';
import { onCleanup, runScript } from '../harness/cleanup';
import { putItems, richItem } from '../harness/items';
import { type PollerStats, StreamPoller } from '../harness/lambdaPoller';
import { loadReplicator, MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../harness/replicator';
import {
  compareTables,
  createTable,
  localClient,
  type TableComparison,
  uniqueTableName,
  waitForActive,
} from '../harness/tables';
import { type BackfillSummary, runBackfill, type WriteMode } from '../src/cli/backfill/backfill';
import { positive } from './args';
import { Changer } from './backfill/changer';
import { benchEnvironment, count, TOTAL_SEGMENTS, wholeTableConfig } from './backfill/common';

const PAGE_SIZE = 1000;
/** Pause of the replicator loop after each drain to the stream's end (Lambda reads a shard about 4 times a second). */
const POLL_PAUSE_MS = 250;

function progress(message: string): void {
  process.stderr.write(`[bench-backfill-live] ${message}\n`);
}

interface Options {
  items: number;
  changesPerSecond: number;
  concurrency: number;
  hotItems: number;
  /** The live backfill's write mode: `watched` (default); `batch` shows what an unsafe copy leaves behind. */
  writeMode: WriteMode;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      'changes-per-second': { type: 'string' },
      concurrency: { type: 'string' },
      'hot-items': { type: 'string' },
      'write-mode': { type: 'string' },
    },
    strict: true,
  });
  return {
    items: positive('items', values.items, 50_000),
    changesPerSecond: positive('changes-per-second', values['changes-per-second'], 200),
    concurrency: positive('concurrency', values.concurrency, 16),
    hotItems: positive('hot-items', values['hot-items'], 40),
    writeMode: writeModeOf(values['write-mode']),
  };
}

function writeModeOf(text: string | undefined): WriteMode {
  const modes: readonly WriteMode[] = ['watched', 'checked', 'conditional', 'batch'];
  const mode = modes.find((candidate) => candidate === (text ?? 'watched'));
  if (!mode) throw new Error(`--write-mode must be one of ${modes.join(', ')}, got ${text}`);
  return mode;
}

const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/** The figures of one measured backfill. */
interface Measured {
  seconds: number;
  itemsPerSecond: number;
  summary: BackfillSummary;
}

/** What the comparison found, as counts (and a few keys for the report when it is not equal). */
function comparisonCounts(comparison: TableComparison): {
  equal: boolean;
  master: number;
  slave: number;
  missing: number;
  extra: number;
  different: number;
  sample: string[];
} {
  return {
    equal: comparison.equal,
    master: comparison.sourceCount,
    slave: comparison.replicaCount,
    missing: comparison.missing.length,
    extra: comparison.extra.length,
    different: comparison.different.length,
    sample: [
      ...comparison.missing.slice(0, 3).map((key) => `missing ${key}`),
      ...comparison.extra.slice(0, 3).map((key) => `extra ${key}`),
      ...comparison.different.slice(0, 3).map(({ key, attributes }) => `different ${key} (${attributes.join(', ')})`),
    ],
  };
}

async function main(): Promise<boolean> {
  const settings = options();
  const { items: total, changesPerSecond, concurrency, hotItems } = settings;
  // Fail early, before starting Java, when the replicator is not built.
  if (!existsSync(bundlePath())) throw new Error(`${bundlePath()} does not exist: run npm run build first`);
  // Prepare: DynamoDB Local, a filled master, then its stream.
  progress('starting DynamoDB Local');
  const { local, stateDir } = await benchEnvironment('bench-backfill-live');
  const endpoint = local.endpoint;
  const master = localClient(endpoint, MASTER_REGION);
  const slave = localClient(endpoint, SLAVE_REGION);
  onCleanup(() => {
    master.destroy();
    slave.destroy();
  });
  const masterTable = uniqueTableName('live-master');
  await createTable(master, { name: masterTable });
  progress(`filling the master with ${count(total)} items`);
  await putItems(
    master,
    masterTable,
    Array.from({ length: total }, (_, index) => richItem(index)),
  );
  const enabled = await master.send(
    new UpdateTableCommand({
      TableName: masterTable,
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
    }),
  );
  await waitForActive(master, masterTable);
  const streamArn = enabled.TableDescription?.LatestStreamArn;
  if (!streamArn) throw new Error('enabling the master stream returned no stream ARN');

  const backfill = async (slaveTable: string, writeMode: WriteMode): Promise<Measured> => {
    const started = performance.now();
    const summary = await runBackfill({
      ...wholeTableConfig(endpoint, masterTable, slaveTable, { concurrency, pageSize: PAGE_SIZE }),
      writeMode,
      stateFile: join(stateDir, `${slaveTable}.json`),
      restart: true,
    });
    const seconds = (performance.now() - started) / 1000;
    return { seconds, itemsPerSecond: summary.thisRun.scanned / seconds, summary };
  };

  progress('warm-up: one batch backfill into a throwaway slave, not measured');
  const warmUpTable = (await createTable(slave, { name: uniqueTableName('live-warmup') })).name;
  await backfill(warmUpTable, 'batch');
  await slave.send(new DeleteTableCommand({ TableName: warmUpTable }));

  // Act (1): the quiet reference.
  progress('quiet reference: watched backfill, nothing changing, no replicator');
  const quietTable = (await createTable(slave, { name: uniqueTableName('live-quiet') })).name;
  const quiet = await backfill(quietTable, 'watched');
  progress(`  ${count(quiet.itemsPerSecond)} items/s; comparing the quiet slave with the master`);
  const quietComparison = comparisonCounts(
    await compareTables({ client: master, table: masterTable }, { client: slave, table: quietTable }),
  );
  await slave.send(new DeleteTableCommand({ TableName: quietTable }));

  // Act (2): replicator and changer first (the documented order), then the backfill while both run.
  const liveTable = (await createTable(slave, { name: uniqueTableName('live-slave') })).name;
  const handler = loadReplicator({ endpoint: endpoint, slaveTable: liveTable });
  let backfillRunning = false;
  let deliveredDuringBackfill = 0;
  const poller = new StreamPoller({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint,
    region: MASTER_REGION,
    streamArn,
    handler,
    batchSize: 100,
    maximumRetryAttempts: 5,
    timeoutMs: 30 * 60_000,
    maxGetRecordsCalls: 10_000_000,
    onInvocation: (report) => {
      if (backfillRunning) deliveredDuringBackfill += report.records;
    },
  });
  onCleanup(() => poller.close());
  let replicating = true;
  // A failed drain ends the loop; the error is reported once the backfill is over.
  const replicator = (async (): Promise<{ error: unknown } | undefined> => {
    try {
      while (replicating) {
        await poller.drain();
        await sleep(POLL_PAUSE_MS);
      }
      return undefined;
    } catch (error) {
      return { error };
    }
  })();
  const changer = new Changer(master, masterTable, total, hotItems, changesPerSecond);
  changer.start();
  let live: Measured | undefined;
  let changesBefore = 0;
  let changesDuring = 0;
  let changerSeconds = 0;
  const ticker = setInterval(() => {
    progress(
      `  live ${changer.elapsed().toFixed(0)} s: ${count(changer.applied)} changes applied, ${count(poller.totals.recordsDelivered)} stream records delivered`,
    );
  }, 5000);
  let stopped: { changed?: { error: unknown }; replicated?: { error: unknown } } | undefined;
  try {
    progress(
      `live: ${settings.writeMode} backfill while the replicator runs and the master changes at ${changesPerSecond}/s`,
    );
    changesBefore = changer.applied;
    backfillRunning = true;
    live = await backfill(liveTable, settings.writeMode);
    backfillRunning = false;
    changesDuring = changer.applied - changesBefore;
    changerSeconds = changer.elapsed();
  } finally {
    backfillRunning = false;
    clearInterval(ticker);
    replicating = false;
    const [changed, replicated] = await Promise.all([
      changer.stop().then(
        () => undefined,
        (error: unknown) => ({ error }),
      ),
      replicator,
    ]);
    stopped = { changed, replicated };
  }
  // A failed change or drain invalidates the run; after a failed backfill its own error is the one to report.
  if (stopped?.changed) throw stopped.changed.error;
  if (stopped?.replicated) throw stopped.replicated.error;
  progress(`  ${count(live.itemsPerSecond)} items/s; draining the stream`);
  await poller.drain();
  progress('comparing the live slave with the master');
  const liveComparison = comparisonCounts(
    await compareTables({ client: master, table: masterTable }, { client: slave, table: liveTable }),
  );

  // Assess: the report, the JSON file and the exit code.
  const poll: PollerStats = { ...poller.totals };
  const counts = live.summary.thisRun;
  const ratio = live.itemsPerSecond / quiet.itemsPerSecond;
  const lines = [
    `live backfill benchmark: ${count(total)} items, DynamoDB Local, ${availableParallelism()} CPUs, watched backfill, ${TOTAL_SEGMENTS} segments, concurrency ${concurrency}, pages of ${PAGE_SIZE}`,
    `changes: target ${changesPerSecond}/s; ${count(changesDuring)} applied during the backfill (${count(changesDuring / live.seconds)}/s), ${count(changer.applied)} in all over ${changerSeconds.toFixed(1)} s` +
      ` (puts ${count(changer.kinds.puts)}, updates ${count(changer.kinds.updates)}, deletes ${count(changer.kinds.deletes)}, re-inserts ${count(changer.kinds.reinserts)}; ${hotItems} hot items take 30 %)`,
    `${''.padEnd(34)}${'items/s'.padStart(9)}${'seconds'.padStart(10)}${'scanned'.padStart(10)}`,
    `${'quiet (no changes, no replicator)'.padEnd(34)}${count(quiet.itemsPerSecond).padStart(9)}${quiet.seconds.toFixed(1).padStart(10)}${count(quiet.summary.thisRun.scanned).padStart(10)}`,
    `${'live'.padEnd(34)}${count(live.itemsPerSecond).padStart(9)}${live.seconds.toFixed(1).padStart(10)}${count(counts.scanned).padStart(10)}`,
    `live / quiet: ${ratio.toFixed(2)}×`,
    `live summary: complete ${live.summary.complete}, written ${count(counts.written)}, present ${count(counts.present)}, rechecked ${count(counts.rechecked)}, refreshed ${count(counts.refreshed)}, undone ${count(counts.undone)}, failed ${count(counts.failed)}`,
    `quiet summary: complete ${quiet.summary.complete}, written ${count(quiet.summary.thisRun.written)}, rechecked ${count(quiet.summary.thisRun.rechecked)}, failed ${count(quiet.summary.thisRun.failed)}`,
    `replicator (built dist/index.js): ${count(poll.invocations)} invocations, ${count(poll.recordsDelivered)} records delivered (${count(deliveredDuringBackfill)} during the backfill, ${count(poll.recordsRedelivered)} re-delivered), ` +
      `${count(poll.failuresReported)} failures reported, ${count(poll.invocationErrors)} invocation errors, ${count(poll.recordsDiscarded)} records discarded`,
    `quiet slave vs master: missing ${quietComparison.missing}, extra ${quietComparison.extra}, different ${quietComparison.different} (${count(quietComparison.master)} items)`,
    `live slave vs master: missing ${liveComparison.missing}, extra ${liveComparison.extra}, different ${liveComparison.different} (${count(liveComparison.master)} items on the master, ${count(liveComparison.slave)} on the slave)`,
    ...[...liveComparison.sample, ...quietComparison.sample].map((line) => `  ${line}`),
  ];
  const problems = [
    liveComparison.equal ? '' : 'the live slave differs from the master',
    quietComparison.equal ? '' : 'the quiet slave differs from the master',
    live.summary.complete && counts.failed === 0 ? '' : 'the live backfill did not complete',
    quiet.summary.complete ? '' : 'the quiet backfill did not complete',
    poll.failuresReported + poll.invocationErrors + poll.recordsDiscarded === 0
      ? ''
      : 'the replicator reported failures',
  ].filter(Boolean);
  lines.push(
    problems.length === 0
      ? 'result: EQUAL — the live slave matches the master exactly'
      : `result: FAILED — ${problems.join('; ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(resolve('bench-results'), { recursive: true });
  const figures = (run: Measured): object => ({
    seconds: run.seconds,
    itemsPerSecond: run.itemsPerSecond,
    complete: run.summary.complete,
    counts: run.summary.thisRun,
  });
  writeFileSync(
    resolve('bench-results/backfill-live.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        items: total,
        cpus: availableParallelism(),
        totalSegments: TOTAL_SEGMENTS,
        concurrency,
        pageSize: PAGE_SIZE,
        changes: {
          targetPerSecond: changesPerSecond,
          hotItems,
          duringBackfill: changesDuring,
          all: changer.applied,
          seconds: changerSeconds,
          ...changer.kinds,
        },
        quiet: figures(quiet),
        live: figures(live),
        ratio,
        poller: { ...poll, deliveredDuringBackfill },
        comparison: { quiet: quietComparison, live: liveComparison },
        ok: problems.length === 0,
      },
      null,
      2,
    )}\n`,
  );
  return problems.length === 0;
}

runScript('bench:backfill-live', main);
