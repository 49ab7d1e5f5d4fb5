/**
 * The handler's CPU per record against the ideal plan's, in this process: where `npm run bench` compares wall time
 * behind a latency proxy (where, on a small machine, the handler's CPU competes with DynamoDB Local's), this measures
 * the CPU each side spends in its own process, which other load on the machine hardly changes.
 *
 * Both write to a stub slave (./stubSlave.ts) in another process: the built handler (dist/index.js, loaded as
 * `npm run bench` loads it) invoked with the benchmark's batch, and the ideal plan (./ideal.ts: the same final
 * states as 25-item BatchWriteItem requests, built from items decoded beforehand, so it spends only the SDK's
 * serializing, signing and HTTP). Rounds alternate which side goes first; each side's figure is the median over the
 * rounds of `process.cpuUsage()` (user + system) per record over a block of invocations. With `--profile DIR`, one
 * more block of each is sampled and the top self times are printed, the bundle's frames named through its source
 * map; the `.cpuprofile` files are left in DIR.
 *
 * Usage: node scripts/run.mjs scripts/bench/handlerCpu.ts [--sizes 1000,10000] [--rounds 9] [--profile DIR]
 *   [--bundle PATH]… (run `npm run build` first). Each `--bundle` is measured beside the others (default
 *   dist/index.js), e.g. a copy of main's bundle beside a change's.
 */
import { subscribe } from 'node:diagnostics_channel';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { onCleanup, runScript } from '../../harness/cleanup';
import { positive } from '../args';
import { BUNDLE_PATH, failedRecords, handlerEnv, invoke, type LoadedHandler, loadHandler } from './bundle';
import { benchClient } from './clients';
import { eventOf, MAIN_SLAVE, type PreparedWorkload, prepareWorkload } from './context';
import { type FrameTime, inclusiveTimes, profileWhile, selfTimes, writeProfile } from './cpuProfile';
import { collectGarbage } from './gc';
import { writeIdealPlan } from './ideal';
import { formatCount, formatRatio, median } from './stats';
import { startStubSlave } from './stubSlave';

/** Records per timed block: enough invocations that one block takes a few hundred ms of CPU. */
const RECORDS_PER_BLOCK = 20_000;
/** Invocations per profile (their events parsed before it starts, so the profile holds only the runs). */
const PROFILED_RUNS = 5;
/** Frames printed per profile. */
const TOP = 15;

let requests = 0;
subscribe('http.client.request.start', () => {
  requests += 1;
});

/** One timed block: CPU µs per record, and requests per invocation. */
interface Block {
  readonly microsPerRecord: number;
  readonly requestsPerRun: number;
}

/** One side of the comparison: what a run needs made before its clock starts, and the run. */
interface Side<T> {
  prepare(): T;
  run(input: T): Promise<void>;
}

/**
 * `runs` runs of `side`, each prepared, then a full garbage collection (as `npm run bench` does before each timed
 * run), then timed: the CPU of the runs alone, per record.
 */
async function timed<T>(size: number, runs: number, side: Side<T>): Promise<Block> {
  let micros = 0;
  requests = 0;
  for (let index = 0; index < runs; index += 1) {
    const input = side.prepare();
    collectGarbage();
    const before = process.cpuUsage();
    await side.run(input);
    const used = process.cpuUsage(before);
    micros += used.user + used.system;
  }
  return { microsPerRecord: micros / (runs * size), requestsPerRun: requests / runs };
}

/** Samples `runs` runs of `side`, prepared before the profile starts. */
async function profiled<T>(runs: number, side: Side<T>): ReturnType<typeof profileWhile> {
  const inputs = Array.from({ length: runs }, () => side.prepare());
  collectGarbage();
  return profileWhile(async () => {
    for (const input of inputs) await side.run(input);
  });
}

/** The handler on a fresh copy of the batch (parsed before the clock starts, as Lambda hands it over). */
function handlerSide(loaded: LoadedHandler, workload: PreparedWorkload): Side<ReturnType<typeof eventOf>> {
  return {
    prepare: () => eventOf(workload),
    run: async (event) => {
      const invocation = await invoke(loaded, event);
      const failed = failedRecords(invocation, workload.size);
      if (failed > 0) throw new Error(`the handler failed ${failed} records: ${invocation.error?.message ?? ''}`);
    },
  };
}

/** The ideal plan of the batch, its items decoded beforehand (./ideal.ts). */
function idealSide(client: DynamoDBClient, workload: PreparedWorkload): Side<undefined> {
  return {
    prepare: () => undefined,
    run: async () => {
      await writeIdealPlan(client, MAIN_SLAVE.table, workload.writes);
    },
  };
}

function printShares(title: string, times: readonly FrameTime[]): void {
  console.log(`  ${title} (share of samples):`);
  for (const { frame, share } of times.slice(0, TOP))
    console.log(`    ${(share * 100).toFixed(1).padStart(5)} %  ${frame}`);
}

/** A side of the comparison, and its timed blocks so far. */
interface Measured {
  readonly name: string;
  /** The bundle whose source map names the profile's frames; none for the ideal plan. */
  readonly bundle: string | undefined;
  readonly side: Side<unknown>;
  readonly blocks: Block[];
  /** Per round: this side's CPU per record over the ideal plan's. */
  readonly ratios: number[];
}

/** Times every side `rounds` times, the order rotating each round so that none always runs first. */
async function measureRounds(size: number, runs: number, rounds: number, sides: readonly Measured[]): Promise<void> {
  // Untimed: lets V8 compile every path and the sockets open.
  for (const { side } of sides) await timed(size, runs, side);
  for (let round = 0; round < rounds; round += 1) {
    const blocks = new Map<Measured, Block>();
    for (let turn = 0; turn < sides.length; turn += 1) {
      const measured = sides[(round + turn) % sides.length] as Measured;
      blocks.set(measured, await timed(size, runs, measured.side));
    }
    const ideal = blocks.get(sides[0] as Measured) as Block;
    for (const [measured, block] of blocks) {
      measured.blocks.push(block);
      measured.ratios.push(block.microsPerRecord / ideal.microsPerRecord);
    }
  }
}

function report(size: number, items: number, runs: number, rounds: number, sides: readonly Measured[]): void {
  console.log(
    `${formatCount(size)} records (${formatCount(items)} items, ${Math.ceil(items / 25)} requests expected; ` +
      `${runs} invocations per block, ${rounds} rounds): CPU µs per record, median`,
  );
  const idealUs = median((sides[0] as Measured).blocks.map((block) => block.microsPerRecord));
  for (const { name, blocks, ratios } of sides) {
    const us = median(blocks.map((block) => block.microsPerRecord));
    const requests = median(blocks.map((block) => block.requestsPerRun));
    const versus =
      name === IDEAL ? '' : `, excess ${(us - idealUs).toFixed(1)} µs, ${formatRatio(median(ratios))} the ideal plan`;
    console.log(`  ${name.padEnd(28)} ${us.toFixed(1).padStart(6)} µs/record, ${requests} requests${versus}`);
  }
}

const IDEAL = 'ideal plan';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'string' },
      bundle: { type: 'string', multiple: true },
    },
  });
  const sizes = (values.sizes ?? '1000,10000').split(',').map((size) => positive('sizes', size));
  const rounds = positive('rounds', values.rounds, 9);
  const profileDir = values.profile;
  const bundles = (values.bundle ?? [BUNDLE_PATH]).map((path) => resolve(path));
  const stub = await startStubSlave();
  const handlers = bundles.map((path) => loadHandler(handlerEnv(stub.endpoint, [MAIN_SLAVE]), path));
  const client = benchClient(stub.endpoint, MAIN_SLAVE.region, Infinity);
  onCleanup(() => client.destroy());
  console.log(`node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0]?.toFixed(2)} at start`);

  for (const size of sizes) {
    const workload = prepareWorkload(size, size);
    const runs = Math.max(1, Math.round(RECORDS_PER_BLOCK / size));
    const sides: Measured[] = [
      { name: IDEAL, bundle: undefined, side: idealSide(client, workload), blocks: [], ratios: [] },
      ...handlers.map((loaded, index) => ({
        name: relative(process.cwd(), bundles[index] as string),
        bundle: bundles[index],
        side: handlerSide(loaded, workload) as Side<unknown>,
        blocks: [],
        ratios: [],
      })),
    ];
    await measureRounds(size, runs, rounds, sides);
    report(size, workload.writes.length, runs, rounds, sides);
    if (profileDir) {
      mkdirSync(profileDir, { recursive: true });
      for (const [index, { name, bundle, side }] of sides.entries()) {
        const profile = await profiled(Math.min(runs, PROFILED_RUNS), side);
        writeProfile(join(profileDir, `${index === 0 ? 'ideal' : `handler${index}`}-${size}.cpuprofile`), profile);
        printShares(`${name}, ${size} records, self time`, selfTimes(profile, bundle ?? BUNDLE_PATH));
        if (bundle)
          printShares(
            `${name}, ${size} records, inclusive time of src/`,
            inclusiveTimes(profile, bundle, (frame) => frame.includes('(src/')),
          );
      }
    }
  }
  console.log(`load ${loadavg()[0]?.toFixed(2)} at end`);
  return 0;
}

runScript('handlerCpu', main, { exitWhenDone: true });
