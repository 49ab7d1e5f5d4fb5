/**
 * The console's default trigger (ReportBatchItemFailures off) against a trigger that honours partial batch
 * responses, through the BUILT zip in the local Lambda (the official runtime client) fed by the local event source
 * mapping from the master's real stream. The slave rejects two items (an index key of the wrong type) until the
 * index is dropped after the first invocation, as an operator fixes the cause:
 * - off, REPORT_BATCH_ITEM_FAILURES unset: the invocation fails, the trigger retries the whole batch, nothing is
 *   skipped, and the slave ends equal;
 * - on, REPORT_BATCH_ITEM_FAILURES=true: exactly the failed records are reported and retried;
 * - off, the variable wrongly true: the trigger moves past the failed changes; the function says so in an ERROR
 *   naming the trigger setting when the next batch brings a later change of a failed item.
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { drainStream, type PollerOptions } from '../../harness/lambdaPoller';
import type { LocalLambda } from '../../harness/localLambda';
import { failedSequenceNumbers, MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  dropIndexOnG,
  INDEX_ON_G_AS_STRING,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
const localReplicator = useLocalReplicators();

/** Items `r…` carry a numeric `g`, which the slave's index (on `g` as a string) rejects; the others are fine. */
const CHANGES: ReadonlyArray<[string, number, boolean]> = [
  ['a', 1, false],
  ['r1', 1, true],
  ['b', 1, false],
  ['r1', 2, true],
  ['r2', 1, true],
  ['c', 1, false],
  ['a', 2, false],
  ['b', 2, false],
];

/** A master with {@link CHANGES} made, and a slave whose index rejects the `r…` items until it is dropped. */
async function rejectingPair(): Promise<{ masterTable: string; streamArn: string; slaveTable: string }> {
  const created = await createMasterTable(master, { name: uniqueTableName('master') });
  const slaveTable = await createTable(slave, {
    name: uniqueTableName('slave'),
    ...INDEX_ON_G_AS_STRING,
  });
  for (const [pk, v, rejected] of CHANGES) {
    const item = { pk: { S: pk }, v: { N: String(v) }, ...(rejected ? { g: { N: String(v) } } : {}) };
    await master.send(new PutItemCommand({ TableName: created.name, Item: item }));
  }
  return { masterTable: created.name, streamArn: created.streamArn, slaveTable: slaveTable.name };
}

/** What the wrapped function saw: each invocation's event and answer (the failed sequence numbers, or an error). */
interface Seen {
  readonly events: LambdaStreamEvent[];
  readonly answers: Array<string[] | 'error'>;
}

/** The function, with the slave's index dropped after invocation `fixedAfter` (the operator fixing the cause). */
function fixedAfter(fixedAfter: number, fn: LocalLambda, slaveTable: string, seen: Seen): LambdaFunction {
  return {
    invoke: async (event, options) => {
      const invocation = await fn.invoke(event, options);
      seen.events.push(event);
      seen.answers.push(invocation.status === 'ok' ? failedSequenceNumbers(invocation.payload) : 'error');
      if (seen.events.length === fixedAfter) {
        await dropIndexOnG(slave, slaveTable);
      }
      return invocation;
    },
  };
}

function drain(streamArn: string, fn: LambdaFunction, options: Partial<PollerOptions>) {
  return drainStream({ endpoint, region: MASTER_REGION, streamArn, function: fn, maximumRetryAttempts: 3, ...options });
}

function compare(masterTable: string, slaveTable: string) {
  return compareTables({ client: master, table: masterTable }, { client: slave, table: slaveTable });
}

/** The sequence numbers of the event's records about items whose key starts with `r`. */
function rejectedIn(event: LambdaStreamEvent): string[] {
  return event.Records.filter((record) => {
    const key = record.dynamodb.Keys?.pk;
    return key !== undefined && 'S' in key && key.S.startsWith('r');
  })
    .map((record) => record.dynamodb.SequenceNumber)
    .sort();
}

describe('the console’s default trigger: ReportBatchItemFailures off, REPORT_BATCH_ITEM_FAILURES unset', () => {
  test('a rejected record fails the invocation; the whole batch is retried, nothing is skipped, and the slave ends equal', async () => {
    // Prepare
    const { masterTable, streamArn, slaveTable } = await rejectingPair();
    const fn = localReplicator({ endpoint, slaveTable, env: { REPORT_BATCH_ITEM_FAILURES: undefined } });
    const seen: Seen = { events: [], answers: [] };

    // Act
    const stats = await drain(streamArn, fixedAfter(1, fn, slaveTable, seen), { reportBatchItemFailures: false });

    // Assess
    expect(seen.answers).toEqual(['error', []]);
    expect(stats).toMatchObject({ invocationErrors: 1, failuresIgnored: 0, recordsDiscarded: 0 });
    expect(stats.recordsRedelivered).toBe(CHANGES.length);
    const comparison = await compare(masterTable, slaveTable);
    expect(comparison.equal).toBe(true);
    expect(comparison.sourceCount).toBe(5);
  });
});

describe('a trigger with ReportBatchItemFailures on, REPORT_BATCH_ITEM_FAILURES=true', () => {
  test('exactly the failed records are reported; the retry starts at the lowest of them and the slave ends equal', async () => {
    // Prepare
    const { masterTable, streamArn, slaveTable } = await rejectingPair();
    const fn = localReplicator({ endpoint, slaveTable, env: { REPORT_BATCH_ITEM_FAILURES: 'true' } });
    const seen: Seen = { events: [], answers: [] };

    // Act
    const stats = await drain(streamArn, fixedAfter(1, fn, slaveTable, seen), { reportBatchItemFailures: true });

    // Assess
    const first = seen.events[0] as LambdaStreamEvent;
    expect(seen.answers[0]).toEqual(rejectedIn(first));
    expect(seen.answers.slice(1)).toEqual([[]]);
    const lowest = (seen.answers[0] as string[])[0];
    expect(seen.events[1]?.Records[0]?.dynamodb.SequenceNumber).toBe(lowest);
    expect(stats).toMatchObject({ invocationErrors: 0, failuresIgnored: 0, recordsDiscarded: 0 });
    expect((await compare(masterTable, slaveTable)).equal).toBe(true);
  });
});

describe('REPORT_BATCH_ITEM_FAILURES=true on a trigger without ReportBatchItemFailures (a wrong declaration)', () => {
  test('the trigger skips the failed changes; the next batch shows it and the function logs one ERROR naming the setting', async () => {
    // Prepare: batches of three, so r1's later change comes in the batch after its failed one, and the cause is
    // fixed only after that second batch.
    const { masterTable, streamArn, slaveTable } = await rejectingPair();
    const fn = localReplicator({
      endpoint,
      slaveTable,
      logLevel: 'ERROR',
      env: { REPORT_BATCH_ITEM_FAILURES: 'true' },
    });
    const seen: Seen = { events: [], answers: [] };

    // Act
    const stats = await drain(streamArn, fixedAfter(2, fn, slaveTable, seen), {
      reportBatchItemFailures: false,
      batchSize: 3,
    });

    // Assess: the trigger moved past every failed change; r1 and r2 (not changed again) are missing on the slave.
    expect(stats).toMatchObject({ failuresIgnored: 3, recordsRedelivered: 0 });
    const comparison = await compare(masterTable, slaveTable);
    expect(comparison.missing.length).toBe(2);
    expect(comparison.missing.join(' ')).toMatch(/r1.*r2|r2.*r1/);
    const errors = fn
      .entries()
      .filter((entry) => entry.level === 'ERROR' && entry.trigger === 'ReportBatchItemFailures');
    expect(errors).toHaveLength(1);
    expect(String(errors[0]?.message)).toContain(
      'REPORT_BATCH_ITEM_FAILURES=true says the trigger has ReportBatchItemFailures on: turn it on, or set REPORT_BATCH_ITEM_FAILURES to false',
    );
  });
});
