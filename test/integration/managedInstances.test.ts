/**
 * Lambda Managed Instances: with `AWS_LAMBDA_MAX_CONCURRENCY` set, one container serves several invocations at once
 * in one process, so whatever the function keeps per invocation (the logger's request id, the response) must not
 * leak between them. The BUILT zip runs under the official runtime client with AWS_LAMBDA_MAX_CONCURRENCY=4; rounds
 * of four batches of different items are invoked at once, their BatchWriteItem calls held at a proxy until all four
 * have arrived (so the four really are in flight together), and then: the slave holds exactly the items, each
 * invocation answered for itself, and each log line's `function_request_id` is the request id of the invocation
 * that wrote it (Powertools scopes its per-invocation state with @aws/lambda-invoke-store in this mode).
 */
import { type HoldingProxy, startHoldingProxy } from '../../harness/holdingProxy';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { imageOf, insertRecord, keyOf, modifyRecord, seq, streamEvent } from '../../harness/records';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import { createTable, type Item, scanAll, uniqueTableName } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = localEndpoint();
const { slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
const localReplicator = useLocalReplicators();
const AT_ONCE = 4;
const ROUNDS = 3;

let proxy: HoldingProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/**
 * Batch `b` of round `r`: `3 + 2b` new items of its own and a change to its first one, so every batch has a different
 * number of records (the `records` field of its summary line says which batch wrote it).
 */
function batch(round: number, b: number): { records: StreamRecord[]; items: Item[] } {
  const ids = Array.from({ length: 3 + 2 * b }, (_, i) => `r${round}-b${b}-i${i}`);
  const base = round * 1000 + b * 100;
  const records = ids.map((id, i) => insertRecord(seq(base + i), keyOf(id), imageOf(id, { v: { N: String(i) } })));
  const first = ids[0] as string;
  records.push(modifyRecord(seq(base + 99), keyOf(first), imageOf(first, { v: { S: 'changed' } })));
  const items: Item[] = ids.map((id, i) => ({ pk: { S: id }, v: i === 0 ? { S: 'changed' } : { N: String(i) } }));
  return { records, items };
}

/**
 * Lets the first `passFirst` BatchWriteItem calls through, then holds every one until `AT_ONCE` of them have arrived
 * and lets the group through together.
 */
function groupsOfWrites(passFirst: number): (action: string) => Promise<void> {
  let passed = 0;
  let arrived = 0;
  let release: () => void = () => {};
  let group = new Promise<void>((resolve) => {
    release = resolve;
  });
  return (action) => {
    if (action !== 'BatchWriteItem') return Promise.resolve();
    if (passed < passFirst) {
      passed += 1;
      return Promise.resolve();
    }
    arrived += 1;
    const mine = group;
    if (arrived % AT_ONCE === 0) {
      release();
      group = new Promise<void>((resolve) => {
        release = resolve;
      });
    }
    return mine;
  };
}

describe('Managed Instances: several invocations at once in one container', () => {
  test('concurrent batches of different items: the slave is exact, and every log line carries its own invocation’s request id', async () => {
    // Prepare
    const slaveTable = await createTable(slave, { name: uniqueTableName('mi-slave') });
    // A container's first BatchWriteItem to a slave goes out alone (it asks whether the role may call it; the
    // slave's other calls wait for its answer): a first batch lets it through before the groups are held.
    const hold = groupsOfWrites(1);
    proxy = await startHoldingProxy(endpoint, { beforeForward: (request) => hold(request.action) });
    const lambda = localReplicator(
      { endpoint: proxy.endpoint, slaveTable: slaveTable.name, logLevel: 'INFO' },
      { maxConcurrency: AT_ONCE, timeoutMs: 30_000 },
    );
    const first = batch(ROUNDS, 0);
    const warm = await lambda.invoke(streamEvent(first.records) as unknown as LambdaStreamEvent);

    // Act: rounds of four batches invoked at once.
    const expected: Item[] = [...first.items];
    const runs: Array<{ requestId: string; records: number; payload: unknown }> = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const batches = Array.from({ length: AT_ONCE }, (_, b) => batch(round, b));
      const invocations = await Promise.all(
        batches.map((one) => lambda.invoke(streamEvent(one.records) as unknown as LambdaStreamEvent)),
      );
      invocations.forEach((invocation, b) => {
        expect(invocation.status).toBe('ok');
        runs.push({
          requestId: invocation.requestId,
          records: batches[b]?.records.length ?? -1,
          payload: invocation.status === 'ok' ? invocation.payload : invocation.errorMessage,
        });
      });
      expected.push(...batches.flatMap((one) => one.items));
    }

    // Assess: one container served everything, and the slave holds exactly the batches' final items.
    expect(warm).toMatchObject({ status: 'ok', payload: { batchItemFailures: [] } });
    expect(lambda.stats).toMatchObject({
      invocations: AT_ONCE * ROUNDS + 1,
      coldStarts: 1,
      timeouts: 0,
      initErrors: 0,
    });
    const byKey = (a: Item, b: Item) => String(a.pk?.S).localeCompare(String(b.pk?.S));
    expect((await scanAll(slave, slaveTable.name)).sort(byKey)).toEqual([...expected].sort(byKey));
    for (const run of runs) expect(run.payload).toEqual({ batchItemFailures: [] });
    // Each summary line is its invocation's: the request id it carries is the one whose batch had that many records.
    const summaries = (
      await lambda.settledEntries((entry) => entry.message === 'batch replicated', AT_ONCE * ROUNDS + 1)
    ).filter((entry) => entry.function_request_id !== warm.requestId);
    expect(summaries).toHaveLength(AT_ONCE * ROUNDS);
    for (const round of Array.from({ length: ROUNDS }, (_, r) => r)) {
      const roundRuns = runs.slice(round * AT_ONCE, (round + 1) * AT_ONCE);
      const roundIds = new Set(roundRuns.map((run) => run.requestId));
      for (const line of summaries.filter((entry) => roundIds.has(String(entry.function_request_id)))) {
        const owner = roundRuns.find((run) => run.requestId === line.function_request_id);
        expect(line.records).toBe(owner?.records);
        expect(line.puts).toBe((owner?.records ?? 0) - 1);
      }
    }
    expect(new Set(summaries.map((line) => line.function_request_id))).toEqual(
      new Set(runs.map((run) => run.requestId)),
    );
  });
});
