/**
 * Backfill benchmark: backfill items/s beside raw parallel BatchWriteItem, on the same DynamoDB Local, in one run.
 *
 *   node scripts/run.mjs scripts/bench-backfill.ts [--items 50000] [--repeats 3] [--concurrency 16] [--from-export]
 *
 * `--from-export` measures instead the load of an export of the master (backfill --from-export, from a local S3) in
 * the default and batch modes beside the same raw BatchWriteItem (target ≥ 0.9×: it reads no scan).
 *
 * 50,000 items by default: a copy of 20,000 takes about 2 s, of which the fixed start (two DescribeTable, the
 * stream's shards positioned, every segment's first page read before anything can be written) and the last pages'
 * drain are a few per cent — a share a real backfill of millions of items does not pay. At 50,000 the figure is
 * the steady throughput a backfill runs at; `--items 20000` shows the short-run figure.
 *
 * Starts its own DynamoDB Local (stopped on exit, errors and Ctrl-C), fills a master table, and then, repeated
 * and interleaved so that load from other processes hits every variant alike, writes the same items into fresh
 * slave tables:
 *   - raw parallel BatchWriteItem: the items already in memory, 25 per call, `--concurrency` calls in flight — the
 *     reference (target: backfill ≥ 0.8× of it);
 *   - raw conditional PutItem: the items in memory, one attribute_not_exists PutItem each, 64 in flight — what a
 *     write "only where the slave lacks the item" costs by itself, before any backfill logic;
 *   - backfill (default write mode, watched): scan + BatchWriteItem while following the master's stream (the master
 *     has a stream, as it must for the replicator; nothing changes during the run, so no item needs a re-check);
 *   - backfill --write-mode batch: scan + unconditional BatchWriteItem (fast initial load, no live replicator);
 *   - backfill --write-mode checked: scan + consistent BatchGetItem on the slave + BatchWriteItem of
 *     what it lacks + consistent BatchGetItem on the master and compare-and-set of what changed meanwhile;
 *   - backfill --write-mode conditional: scan + PutItem attribute_not_exists + the post-write check;
 *   - backfill rerun (checked) on a complete slave (every item already present), and verify of equal tables.
 * A warm-up copy runs first and is not measured. Prints the medians — items/s, the ratio to raw writes (also as the
 * median of each run's ratio to the raw run of its round), and the CPU per item of this process and of DynamoDB
 * Local — with the load average, since other processes on the machine move wall-time figures most; writes
 * bench-results/backfill.json. Progress on stderr, the report on stdout.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BatchWriteItemCommand, DeleteTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { runScript } from '../harness/cleanup';
import { LOCAL_CREDENTIALS } from '../harness/dynamodbLocal';
import { type Item, putItems, richItem } from '../harness/items';
import { MASTER_REGION, SLAVE_REGION } from '../harness/replicator';
import { createTable, enableStream, localClient, uniqueTableName } from '../harness/tables';
import { runBackfill, type WriteMode } from '../src/cli/backfill/backfill';
import type { RunConfig } from '../src/cli/runConfig';
import { itemSize } from '../src/cli/table/itemSize';
import { runVerify } from '../src/cli/verify/verify';
import { positive } from './args';
import { benchEnvironment, count, measureRun, type RunMeasure, wholeTableConfig } from './backfill/common';
import { benchExport } from './backfill/fromExport';

function progress(message: string): void {
  process.stderr.write(`[bench-backfill] ${message}\n`);
}

function options(): { items: number; repeats: number; concurrency: number; fromExport: boolean } {
  const { values } = parseArgs({
    options: {
      items: { type: 'string' },
      repeats: { type: 'string' },
      concurrency: { type: 'string' },
      'from-export': { type: 'boolean' },
    },
    strict: true,
  });
  return {
    fromExport: values['from-export'] === true,
    items: positive('items', values.items, 50_000),
    repeats: positive('repeats', values.repeats, 3),
    concurrency: positive('concurrency', values.concurrency, 16),
  };
}

/** Runs `write` over `items` in chunks of `chunkSize`, with `concurrency` chunks in flight. */
async function inParallel<T>(
  items: readonly T[],
  chunkSize: number,
  concurrency: number,
  write: (chunk: T[]) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const start = next;
      next += chunkSize;
      await write(items.slice(start, start + chunkSize));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** The reference: parallel BatchWriteItem of items held in memory, 25 per call, `concurrency` calls in flight. */
function rawBatchWrite(client: DynamoDBClient, table: string, items: readonly Item[], concurrency: number) {
  return inParallel(items, 25, concurrency, async (chunk) => {
    let pending = chunk.map((Item) => ({ PutRequest: { Item } }));
    while (pending.length > 0) {
      const output = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
      pending = (output.UnprocessedItems?.[table] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
    }
  });
}

/** What conditional writes cost by themselves: PutItem attribute_not_exists of items held in memory. */
function rawConditionalPut(client: DynamoDBClient, table: string, items: readonly Item[], concurrency: number) {
  return inParallel(items, 1, concurrency, async ([Item]) => {
    await client.send(
      new PutItemCommand({
        TableName: table,
        Item,
        ConditionExpression: 'attribute_not_exists(#k)',
        ExpressionAttributeNames: { '#k': 'pk' },
      }),
    );
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function main(): Promise<undefined> {
  const { items: total, repeats, concurrency, fromExport } = options();
  const loadAtStart = loadavg()[0] ?? 0;
  progress('starting DynamoDB Local');
  const { local, stateDir } = await benchEnvironment('bench-backfill');
  const master = localClient(local.endpoint, MASTER_REGION);
  const agent = { keepAlive: true, maxSockets: 72 };
  const slave = new DynamoDBClient({
    region: SLAVE_REGION,
    endpoint: local.endpoint,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: { httpAgent: agent },
  });
  const items = Array.from({ length: total }, (_, index) => richItem(index));
  const masterTable = uniqueTableName('bench-master');
  // An export's load follows the stream from its oldest record: the master is filled before its stream is enabled,
  // as a table is that has run for a while (only the changes of the last 24 hours would be re-checked).
  await createTable(master, { name: masterTable, ...(fromExport ? {} : { streamViewType: 'KEYS_ONLY' as const }) });
  progress(`filling the master with ${count(total)} items`);
  await putItems(master, masterTable, items);
  if (fromExport) await enableStream(master, masterTable, 'KEYS_ONLY');
  // Every variant starts from the same server state: the master and one empty slave. (Slave tables left from
  // earlier variants would grow DynamoDB Local's heap, and its garbage collection, round after round.)
  const slaveTables: string[] = [];
  const freshSlave = async (): Promise<string> => {
    for (const name of slaveTables.splice(0)) await slave.send(new DeleteTableCommand({ TableName: name }));
    const { name } = await createTable(slave, { name: uniqueTableName('bench-slave') });
    slaveTables.push(name);
    return name;
  };
  const runConfig = (slaveTable: string, tuning: { concurrency: number }): RunConfig =>
    wholeTableConfig(local.endpoint, masterTable, slaveTable, { pageSize: 1000, ...tuning });
  const exportSetting = fromExport ? await benchExport(masterTable, items) : {};
  const measure = (copy: () => Promise<void>): Promise<RunMeasure> => measureRun(total, local.pid, copy);
  const backfill = (slaveTable: string, writeMode: WriteMode): Promise<RunMeasure> =>
    measure(async () => {
      const summary = await runBackfill({
        ...runConfig(slaveTable, { concurrency: writeMode === 'conditional' ? 64 : concurrency }),
        ...exportSetting,
        writeMode,
        stateFile: join(stateDir, `${slaveTable}.json`),
        restart: true,
      });
      if (!summary.complete || summary.thisRun.scanned !== total)
        throw new Error(`backfill incomplete: ${JSON.stringify(summary.thisRun)}`);
    });

  const results: Record<string, RunMeasure[]> = fromExport
    ? { raw: [], exportWatched: [], exportBatch: [] }
    : { raw: [], rawConditional: [], watched: [], batch: [], checked: [], conditional: [], rerun: [], verify: [] };
  const rawVariant: [string, () => Promise<void>] = [
    'raw BatchWriteItem',
    async () => {
      const table = await freshSlave();
      results.raw?.push(await measure(() => rawBatchWrite(slave, table, items, concurrency)));
    },
  ];
  const exportVariants: Array<[string, () => Promise<void>]> = [
    rawVariant,
    [
      'backfill --from-export (watched, the default)',
      async () => void results.exportWatched?.push(await backfill(await freshSlave(), 'watched')),
    ],
    [
      'backfill --from-export --write-mode batch',
      async () => void results.exportBatch?.push(await backfill(await freshSlave(), 'batch')),
    ],
  ];
  const scanVariants: Array<[string, () => Promise<void>]> = [
    rawVariant,
    [
      'raw conditional PutItem',
      async () => {
        const table = await freshSlave();
        results.rawConditional?.push(await measure(() => rawConditionalPut(slave, table, items, 64)));
      },
    ],
    [
      'backfill (watched, the default)',
      async () => void results.watched?.push(await backfill(await freshSlave(), 'watched')),
    ],
    ['backfill --write-mode batch', async () => void results.batch?.push(await backfill(await freshSlave(), 'batch'))],
    [
      'backfill --write-mode conditional',
      async () => void results.conditional?.push(await backfill(await freshSlave(), 'conditional')),
    ],
    [
      'backfill --write-mode checked, its rerun and verify',
      async () => {
        const table = await freshSlave();
        results.checked?.push(await backfill(table, 'checked'));
        results.rerun?.push(await backfill(table, 'checked'));
        const verifying = measure(async () => {
          const verified = await runVerify({
            ...runConfig(table, { concurrency: 16 }),
            repair: false,
            sampleSize: 5,
            recheckDelayMs: 0,
          });
          if (!verified.equal) throw new Error('verify found differences after a complete backfill');
        });
        results.verify?.push(await verifying);
      },
    ],
  ];
  const variants = fromExport ? exportVariants : scanVariants;
  // Warm-up, not measured: DynamoDB Local's JIT makes whatever runs first slower (up to 2x in the first round).
  progress('warm-up: one raw BatchWriteItem copy and one batch backfill, not measured');
  await rawBatchWrite(slave, await freshSlave(), items, concurrency);
  await backfill(await freshSlave(), 'batch');
  for (let round = 0; round < repeats; round += 1) {
    // Each round starts with another variant, so warm-up and other processes' load do not favour one of them.
    for (let step = 0; step < variants.length; step += 1) {
      const [label, measure] = variants[(round + step) % variants.length] as [string, () => Promise<void>];
      progress(`round ${round + 1}/${repeats}: ${label}`);
      await measure();
    }
  }
  master.destroy();
  slave.destroy();

  const pick = (key: string, field: 'perSecond' | 'clientMicros' | 'serverMicros'): number[] =>
    (results[key] ?? []).flatMap((run) => (run[field] === undefined ? [] : [run[field]]));
  const raw = median(pick('raw', 'perSecond'));
  const micros = (values: number[]): string => (values.length > 0 ? median(values).toFixed(0) : '–').padStart(9);
  const row = (label: string, key: string, target: boolean, goal = 0.8): string => {
    const value = median(pick(key, 'perSecond'));
    const ratio = value / raw;
    // Each run beside the raw run of its round: load drifts less within a round than across the whole benchmark.
    const paired = median(
      pick(key, 'perSecond').map((perSecond, round) => perSecond / (pick('raw', 'perSecond')[round] ?? raw)),
    );
    const verdict = target ? (ratio >= goal ? `  meets ≥ ${goal}×` : `  below ${goal}×`) : '';
    return `${label.padEnd(50)}${count(value).padStart(9)}${ratio.toFixed(2).padStart(8)}×${paired.toFixed(2).padStart(8)}×${micros(pick(key, 'clientMicros'))}${micros(pick(key, 'serverMicros'))}${verdict}`;
  };
  const scanRows = (): string[] => [
    row('raw conditional PutItem (64 in flight)', 'rawConditional', false),
    row(`backfill, watched (default, ${concurrency} in flight)`, 'watched', true),
    row(`backfill --write-mode batch (${concurrency} in flight)`, 'batch', true),
    row(`backfill --write-mode checked (${concurrency} in flight)`, 'checked', true),
    row('backfill --write-mode conditional (64 in flight)', 'conditional', true),
    row('backfill rerun, every item already present', 'rerun', false),
    row('verify of equal tables (items per side)', 'verify', false),
  ];
  const averageBytes = items.reduce((sum, item) => sum + itemSize(item), 0) / items.length;
  const loads = Object.values(results).flatMap((runs) => runs.map((run) => run.load));
  const lines = [
    `backfill benchmark: ${count(total)} items of ~${Math.round(averageBytes)} B, DynamoDB Local, ${availableParallelism()} CPUs, median of ${repeats}`,
    `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} after the runs`,
    `${''.padEnd(50)}${'items/s'.padStart(9)}${'vs raw'.padStart(9)}${'paired'.padStart(9)}${'CPU µs/item: here, DynamoDB Local'.padStart(36)}`,
    row(`raw parallel BatchWriteItem (${concurrency} in flight)`, 'raw', false),
    ...(fromExport
      ? [
          row('backfill --from-export, watched (default)', 'exportWatched', true, 0.9),
          row('backfill --from-export --write-mode batch', 'exportBatch', true, 0.9),
        ]
      : scanRows()),
    `runs (items/s @ load): ${Object.entries(results)
      .map(([key, runs]) => `${key} ${runs.map((run) => `${count(run.perSecond)}@${run.load.toFixed(1)}`).join('/')}`)
      .join('; ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  mkdirSync(resolve('bench-results'), { recursive: true });
  writeFileSync(
    resolve(fromExport ? 'bench-results/backfill-from-export.json' : 'bench-results/backfill.json'),
    `${JSON.stringify({ date: new Date().toISOString(), items: total, averageBytes, repeats, concurrency, cpus: availableParallelism(), results }, null, 2)}\n`,
  );
}

runScript('bench:backfill', main);
