/**
 * `npm start`: the replicator end to end on this machine, no AWS account needed.
 *
 * Starts DynamoDB Local, creates a master table with a stream in us-east-1 and an empty slave in eu-west-1, makes a
 * few hundred random changes on the master in rounds, and after each round feeds the new stream records to the
 * function the way Lambda would: the faithful event source mapping (harness/lambdaPoller) with the settings
 * deploy/template.json gives its trigger (BatchSize, ParallelizationFactor, BisectBatchOnFunctionError,
 * MaximumRetryAttempts, MaximumRecordAgeInSeconds, ReportBatchItemFailures, parameters at their defaults;
 * harness/templateSettings) invokes the unchanged zip (`dist/dynamo-replicator.zip`) in a local Lambda container,
 * under Lambda's own runtime client (harness/localLambda), whose log stream is printed as it is written (the
 * platform's INIT_START/START/END/REPORT lines, the runtime client's and the function's). Ends by comparing the two
 * tables item by item and exits 0 only when they are equal. DynamoDB Local and the containers are stopped on every
 * way out: success, error, Ctrl-C, SIGTERM.
 *
 * Options: --changes <n> (default 300), --items <n> (50), --rounds <n> (3), --batch-size <n> (the template's),
 * --seed <n> (42),
 * --node <22|24> (the runtime: nodejs22.x or nodejs24.x; default LAMBDA_NODE_MAJOR, else 22).
 * The function logs at WARN; set POWERTOOLS_LOG_LEVEL=INFO to see its line per batch, POWERTOOLS_METRICS_DISABLED=false
 * to see its metrics.
 */
import { parseArgs } from 'node:util';
import { onCleanup, runScript, startLocalUntilCleanup } from '../harness/cleanup';
import { StreamPoller } from '../harness/lambdaPoller';
import { lambdaNodeMajor } from '../harness/lambdaRuntime';
import { applyRandomChanges } from '../harness/randomChanges';
import { localReplicator } from '../harness/replicator';
import { compareTables, createMasterTable, createTable, localClient } from '../harness/tables';
import { templateSettings } from '../harness/templateSettings';
import { positive } from './args';

const MASTER = { region: 'us-east-1', table: 'demo-master' };
const SLAVE = { region: 'eu-west-1', table: 'demo-slave' };

const { values: args } = parseArgs({
  options: {
    changes: { type: 'string', default: '300' },
    items: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    'batch-size': { type: 'string' },
    seed: { type: 'string', default: '42' },
    node: { type: 'string' },
  },
});

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const say = (line: string): void => console.log(line);

async function main(): Promise<boolean> {
  const changes = positive('changes', args.changes);
  const items = positive('items', args.items);
  const rounds = Math.min(positive('rounds', args.rounds), changes);
  const template = templateSettings();
  const mapping = {
    ...template.mapping,
    batchSize:
      args['batch-size'] === undefined ? template.mapping.batchSize : positive('batch-size', args['batch-size']),
  };
  const seed = positive('seed', args.seed);
  const started = Date.now();

  say('starting DynamoDB Local…');
  const local = await startLocalUntilCleanup();
  say(`DynamoDB Local on ${local.endpoint} (pid ${local.pid}), ready in ${seconds(Date.now() - started)}`);
  const endpoint = local.endpoint;
  const master = localClient(endpoint, MASTER.region);
  const slave = localClient(endpoint, SLAVE.region);
  const created = await createMasterTable(master, {
    name: MASTER.table,
    sortKeyType: 'B',
    streamViewType: 'NEW_AND_OLD_IMAGES',
  });
  await createTable(slave, { name: SLAVE.table, sortKeyType: 'B' });
  say(`master ${MASTER.region}/${MASTER.table} (stream NEW_AND_OLD_IMAGES), slave ${SLAVE.region}/${SLAVE.table}`);

  const lambda = localReplicator(
    {
      endpoint,
      slaveTable: SLAVE.table,
      slaveRegion: SLAVE.region,
      logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
      env: {
        REPORT_BATCH_ITEM_FAILURES: template.defaultVariables.REPORT_BATCH_ITEM_FAILURES,
        // The EMF metric lines CloudWatch would parse are noise on a terminal.
        POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      },
    },
    {
      nodeMajor: lambdaNodeMajor(args.node),
      timeoutMs: template.functionTimeoutMs,
      memoryMb: template.memoryMb,
      onLog: (line) => say(`    [container ${line.container}] ${line.text}`),
    },
  );
  onCleanup(() => lambda.close());
  say(
    `function: dist/dynamo-replicator.zip on nodejs${lambda.runtime.nodeMajor}.x (Node ${lambda.runtime.nodeVersion}) ` +
      'under the Lambda runtime interface client',
  );
  say(
    `trigger (deploy/template.json's defaults): BatchSize ${mapping.batchSize}, ParallelizationFactor ` +
      `${mapping.parallelizationFactor}, BisectBatchOnFunctionError ${mapping.bisectBatchOnFunctionError}, ` +
      `MaximumRetryAttempts ${mapping.maximumRetryAttempts}, MaximumRecordAgeInSeconds ` +
      `${mapping.maximumRecordAgeInSeconds ?? 'none'}, ReportBatchItemFailures ${mapping.reportBatchItemFailures} ` +
      `(REPORT_BATCH_ITEM_FAILURES=${template.defaultVariables.REPORT_BATCH_ITEM_FAILURES ?? 'unset'}); ` +
      `function timeout ${template.functionTimeoutMs / 1000} s, ${template.memoryMb} MB`,
  );
  const poller = new StreamPoller({
    endpoint,
    region: MASTER.region,
    streamArn: created.streamArn,
    // The local Lambda itself, not a handler adapter: the mapping sees timeouts and dead containers as Lambda does.
    function: lambda,
    ...mapping,
    onFailure: { records: [] },
    onInvocation: ({ records, attempt, failures, error, totals }) => {
      const outcome = error ? `failed (${error})` : failures ? `${failures} record(s) failed` : 'ok';
      const retry = attempt > 0 ? ` retry ${attempt}` : '';
      say(`  invocation ${totals.invocations}${retry}: ${records} records, ${outcome}`);
    },
  });

  let writing = 0;
  let replicating = 0;
  try {
    let done = 0;
    for (let round = 1; round <= rounds; round += 1) {
      const count = Math.floor((changes * round) / rounds) - done;
      const t0 = Date.now();
      const summary = await applyRandomChanges(master, MASTER.table, {
        seed: seed + round,
        items,
        changes: count,
        sortKeyType: 'B',
      });
      writing += Date.now() - t0;
      done += count;
      say(
        `round ${round}/${rounds}: ${count} changes on the master (${summary.puts} puts, ${summary.updates} updates, ` +
          `${summary.deletes} deletes, ${summary.reinserts} re-inserts) in ${seconds(Date.now() - t0)}`,
      );
      const t1 = Date.now();
      const stats = await poller.drain();
      replicating += Date.now() - t1;
      say(
        `round ${round}/${rounds}: ${stats.recordsDelivered} stream records replicated in ${seconds(Date.now() - t1)}`,
      );
    }
  } finally {
    poller.close();
  }

  const comparison = await compareTables(
    { client: master, table: MASTER.table },
    { client: slave, table: SLAVE.table },
  );
  master.destroy();
  slave.destroy();
  const { totals } = poller;
  say('');
  say(`master ${MASTER.region}/${MASTER.table}: ${comparison.sourceCount} items`);
  say(`slave  ${SLAVE.region}/${SLAVE.table}: ${comparison.replicaCount} items`);
  say(
    `stream: ${totals.recordsDelivered} records in ${totals.invocations} invocations, ${totals.failuresReported} reported failures, ` +
      `${totals.recordsRedelivered} re-delivered, ${totals.batchesBisected} batches bisected, ` +
      `${totals.recordsDiscarded} discarded (${poller.failureRecords.length} on-failure documents)`,
  );
  say(
    `lambda: ${lambda.stats.invocations} invocations, ${lambda.stats.coldStarts} cold start(s) ` +
      `(init ${lambda.initDurationsMs.map((ms) => `${ms} ms`).join(', ')}), ${lambda.stats.timeouts} timeouts`,
  );
  say(
    `time: ${seconds(Date.now() - started)} in all (writing ${seconds(writing)}, replicating ${seconds(replicating)})`,
  );
  if (comparison.equal) {
    say(
      'result: EQUAL: every item on the slave is identical to the master (binary byte for byte, numbers digit for digit)',
    );
  } else {
    say(
      `result: DIFFERENT: ${comparison.missing.length} missing, ${comparison.extra.length} extra, ` +
        `${comparison.different.length} differing items on the slave`,
    );
    for (const key of comparison.missing.slice(0, 5)) say(`  missing ${key}`);
    for (const key of comparison.extra.slice(0, 5)) say(`  extra ${key}`);
    for (const { key, attributes } of comparison.different.slice(0, 5))
      say(`  differs ${key}: ${attributes.join(', ')}`);
  }
  return comparison.equal;
}

runScript('demo', main);
