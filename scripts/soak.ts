/**
 * `npm run soak`: the reliability soak (not part of `npm test`; a short version is, in test/integration/soak.test.ts).
 *
 * Starts DynamoDB Local, makes 20,000 random changes over 200 items (puts, updates, deletes, re-inserts, binary values
 * and a binary sort key) on a master with a stream, and replicates them with the unchanged zip under Lambda's own
 * runtime client (local containers, harness/localLambda; --in-process: the bundle's handler in this process, faster
 * but nothing to kill) behind a proxy that injects 7 % faults (throttling, 500s, partial UnprocessedItems, connection
 * resets, answers slower than the timeout), fed by the faithful event source mapping (harness/lambdaPoller). After each round the slave is compared with the master. Prints the
 * figures and exits 0 only when no change was lost, no item was stale and the slave equals the master.
 * DynamoDB Local is stopped on every way out: success, error, Ctrl-C, SIGTERM.
 *
 * The event source mapping's settings: --parallelization-factor <1..10> (1), --bisect (BisectBatchOnFunctionError),
 * --kill-rate <0..1> (0: share of invocations whose container is killed mid-invocation, 20-80 % into a typical
 * invocation; the report counts how many had written something; --in-process cannot be killed and says so), --max-retries <n> (-1: until the records expire),
 * --max-record-age <s> (none). Given-up records go to the on-failure destination and the soak runs
 * `verify --repair` (the built CLI) before that round's comparison, as docs/operations.md tells operators to.
 *
 * Options: --changes <n> (20000), --items <n> (200), --rounds <n> (10), --fault-rate <0..1> (0.07), --seed <n> (1),
 * --batch-size <n> (100), --function-timeout-ms <n> (6000), --json <file> (also write the report as JSON).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runScript, startLocalUntilCleanup } from '../harness/cleanup';
import { formatSoakReport, runSoak } from '../harness/soak';
import { inProcessBundle, localLambdaFunction } from '../harness/soakFunction';
import { positive } from './args';

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '20000' },
    items: { type: 'string', default: '200' },
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

const USAGE = `npm run soak -- [--changes <n> (20000)] [--items <n> (200)] [--rounds <n> (10)] [--fault-rate <0..1> (0.07)]
  [--seed <n> (1)] [--batch-size <n> (100)] [--function-timeout-ms <n> (6000)] [--json <file>]
  [--parallelization-factor <1..10> (1)] [--bisect] [--kill-rate <0..1> (0)] [--max-retries <n> (-1)]
  [--max-record-age <seconds>] [--in-process]`;

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
  const local = await startLocalUntilCleanup();
  console.log(`DynamoDB Local on ${local.endpoint} (pid ${local.pid})`);
  console.log(
    `soak: ${options.changes} changes over ${options.items} items in ${options.rounds} rounds, ${(options.faultRate * 100).toFixed(1)} % faults, ` +
      `batches of ${options.batchSize}, function timeout ${options.functionTimeoutMs} ms, seed ${options.seed}; ` +
      `parallelization factor ${options.parallelizationFactor}, bisect ${options.bisect ? 'on' : 'off'}, ` +
      `kill rate ${options.killRate}, max retries ${options.maximumRetryAttempts}, ` +
      `max record age ${options.maximumRecordAgeInSeconds ?? 'none'}; ${args['in-process'] ? 'the bundle in-process' : 'the zip under aws-lambda-ric'}`,
  );
  const report = await runSoak({
    endpoint: local.endpoint,
    ...options,
    functionFactory: args['in-process'] ? inProcessBundle : localLambdaFunction,
    onProgress: (line) => console.log(`  ${line}`),
  });
  console.log('');
  for (const line of formatSoakReport(report)) console.log(line);
  if (args.json) writeFileSync(args.json, `${JSON.stringify({ options, report }, null, 2)}\n`);
  const passed = report.lostChanges === 0 && report.staleItems === 0 && report.slaveEqualsMaster;
  console.log(passed ? 'soak: PASS' : 'soak: FAIL');
  return passed;
}

runScript('soak', main);
