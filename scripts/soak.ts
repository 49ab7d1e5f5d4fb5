/**
 * `npm run soak`: the reliability soak (not part of `npm test`; short versions are, in test/integration/soak*.test.ts).
 *
 * Starts DynamoDB Local, makes 20,000 random changes over 200 items sharing 20 partition keys (puts, updates,
 * deletes, re-inserts, binary values and a binary sort key) on a master with a stream, and replicates them with a
 * Lambda zip (--zip <file>, `index.handler`; default the built dist/dynamo-replicator.zip) under Lambda's own
 * runtime client (local containers, harness/localLambda; --in-process: the zip's handler in this process, faster
 * but nothing to kill) behind a proxy that injects 7 % faults (throttling, 500s, partial UnprocessedItems, connection
 * resets, answers slower than the timeout), fed by the stand-in event source mapping (harness/lambdaPoller). A writer
 * keeps writing while the mapping delivers (--write-rate <changes/s>, default as fast as the table answers); each
 * round ends with the writer stopped, the mapping drained, and the verdict: the slave against an independent model
 * of every change the writer committed (harness/soakModel), before any repair. Exits 0 only when no change was
 * lost and no item was stale, extra or wrong at any round's end; `verify --repair` runs only after a failed verdict.
 * DynamoDB Local is stopped on every way out: success, error, Ctrl-C, SIGTERM.
 *
 * The event source mapping's settings: --parallelization-factor <1..10> (1), --bisect (BisectBatchOnFunctionError),
 * --kill-rate <0..1> (0: share of invocations whose container is killed mid-invocation, once its first write landed
 * or 20-80 % into a typical invocation; --in-process cannot be killed and says so), --duplicate-rate <0..1> (0:
 * share of answered batches delivered again, as after an internal retry), --late-write-rate <0..1> (0: share of
 * invocations whose container is stopped until 0.5-3 s past their deadline, with the function run as Lambda Managed
 * Instances, 4 invocations per container, whose timeout lets the stopped code run on and write late; not with
 * --in-process), --max-retries <n> (-1: until the records expire), --max-record-age <s> (none).
 *
 * Options: --changes <n> (20000), --items <n> (200), --partitions <n> (items / 10), --rounds <n> (10),
 * --view-type <NEW_IMAGE|NEW_AND_OLD_IMAGES|KEYS_ONLY|OLD_IMAGE> (NEW_IMAGE), --fault-rate <0..1> (0.07),
 * --seed <n> (1), --batch-size <n> (100), --function-timeout-ms <n> (6000), --json <file> (also write the report).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runScript, startLocalUntilCleanup } from '../harness/cleanup';
import { runSoak } from '../harness/soak';
import { inProcessBundle, localLambdaFunction } from '../harness/soakFunction';
import { formatSoakReport, soakPassed } from '../harness/soakReport';
import { positive } from './args';

const VIEW_TYPES = ['NEW_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY', 'OLD_IMAGE'] as const;

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '20000' },
    items: { type: 'string', default: '200' },
    partitions: { type: 'string' },
    'write-rate': { type: 'string' },
    'view-type': { type: 'string', default: 'NEW_IMAGE' },
    'duplicate-rate': { type: 'string', default: '0' },
    'late-write-rate': { type: 'string', default: '0' },
    zip: { type: 'string' },
    rounds: { type: 'string', default: '10' },
    'fault-rate': { type: 'string', default: '0.07' },
    seed: { type: 'string', default: '1' },
    'batch-size': { type: 'string', default: '100' },
    'function-timeout-ms': { type: 'string', default: '6000' },
    'parallelization-factor': { type: 'string', default: '1' },
    bisect: { type: 'boolean', default: false },
    'kill-rate': { type: 'string', default: '0' },
    'max-retries': { type: 'string', default: '-1' },
    'max-record-age': { type: 'string' },
    'in-process': { type: 'boolean', default: false },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
});

const USAGE = `npm run soak -- [--zip <file> (dist/dynamo-replicator.zip)] [--in-process]
  [--changes <n> (20000)] [--items <n> (200)] [--partitions <n> (items / 10)] [--rounds <n> (10)]
  [--write-rate <changes/s> (as fast as the table answers)] [--view-type <${VIEW_TYPES.join('|')}> (NEW_IMAGE)]
  [--fault-rate <0..1> (0.07)] [--seed <n> (1)] [--batch-size <n> (100)] [--function-timeout-ms <n> (6000)]
  [--parallelization-factor <1..10> (1)] [--bisect] [--kill-rate <0..1> (0)] [--duplicate-rate <0..1> (0)]
  [--late-write-rate <0..1> (0; Managed Instances, not with --in-process)] [--max-retries <n> (-1)] [--max-record-age <seconds>] [--json <file>]`;

/** A stream view type, or a usage error listing them. */
function viewType(value: string): (typeof VIEW_TYPES)[number] {
  const found = VIEW_TYPES.find((type) => type === value);
  if (!found) throw new Error(`--view-type must be one of ${VIEW_TYPES.join(', ')}, not ${value}`);
  return found;
}

/** A zip that exists, or a usage error naming it. */
function zipFile(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const path = resolve(value);
  if (!existsSync(path)) throw new Error(`--zip ${value}: no such file (build the default with npm run build)`);
  return path;
}

function rate(name: string, value: string): number {
  const number = Number(value);
  if (!(number >= 0 && number <= 1)) throw new Error(`--${name} must be from 0 to 1, not ${value}`);
  return number;
}

/** An integer from `min` to `max`, or a usage error naming the option. */
function integer(name: string, value: string, min: number, max: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    throw new Error(`--${name} must be an integer from ${min} to ${max}, not ${value}`);
  }
  return number;
}

async function main(): Promise<boolean> {
  if (args.help) {
    console.log(USAGE);
    return true;
  }
  const options = {
    changes: positive('changes', args.changes),
    items: positive('items', args.items),
    partitions: args.partitions === undefined ? undefined : positive('partitions', args.partitions),
    writesPerSecond: args['write-rate'] === undefined ? undefined : positive('write-rate', args['write-rate']),
    viewType: viewType(args['view-type']),
    duplicateRate: rate('duplicate-rate', args['duplicate-rate']),
    lateWriteRate: rate('late-write-rate', args['late-write-rate']),
    zip: zipFile(args.zip),
    rounds: positive('rounds', args.rounds),
    faultRate: rate('fault-rate', args['fault-rate']),
    seed: positive('seed', args.seed),
    batchSize: positive('batch-size', args['batch-size']),
    functionTimeoutMs: positive('function-timeout-ms', args['function-timeout-ms']),
    parallelizationFactor: integer('parallelization-factor', args['parallelization-factor'], 1, 10),
    bisect: args.bisect,
    killRate: rate('kill-rate', args['kill-rate']),
    maximumRetryAttempts: integer('max-retries', args['max-retries'], -1, 10_000),
    maximumRecordAgeInSeconds:
      args['max-record-age'] === undefined ? undefined : integer('max-record-age', args['max-record-age'], 1, 604_800),
  };
  if (options.lateWriteRate > 0 && args['in-process']) {
    throw new Error(
      '--late-write-rate stops containers: leave out --in-process (an in-process function cannot be stopped)',
    );
  }
  const local = await startLocalUntilCleanup();
  console.log(`DynamoDB Local on ${local.endpoint} (pid ${local.pid})`);
  console.log(
    `soak: ${options.changes} changes over ${options.items} items (${options.partitions ?? 'items / 10'} partition keys) in ${options.rounds} rounds, ` +
      `written ${options.writesPerSecond ? `at ${options.writesPerSecond}/s` : 'as fast as the table answers'} while the mapping delivers, ` +
      `${options.viewType} stream, ${(options.faultRate * 100).toFixed(1)} % faults, ` +
      `batches of ${options.batchSize}, function timeout ${options.functionTimeoutMs} ms, seed ${options.seed}; ` +
      `parallelization factor ${options.parallelizationFactor}, bisect ${options.bisect ? 'on' : 'off'}, ` +
      `kill rate ${options.killRate}, duplicate rate ${options.duplicateRate}, late-write rate ${options.lateWriteRate}, max retries ${options.maximumRetryAttempts}, ` +
      `max record age ${options.maximumRecordAgeInSeconds ?? 'none'}; ${options.zip ?? 'the built zip'} ${args['in-process'] ? 'in-process' : 'under aws-lambda-ric'}`,
  );
  const report = await runSoak({
    endpoint: local.endpoint,
    ...options,
    functionFactory: args['in-process'] ? inProcessBundle : localLambdaFunction,
    onProgress: (line) => console.log(`  ${line}`),
  });
  console.log('');
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ options, report }, null, 2)}\n`);
  for (const line of formatSoakReport(report)) console.log(line);
  return soakPassed(report);
}

runScript('soak', main);
