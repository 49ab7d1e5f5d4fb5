/**
 * When the stand-in event source mapping (harness/lambdaPoller.ts) ends a batch, against DynamoDB Local with a real
 * stream, as "Using Lambda with DynamoDB" describes it: at BatchSize, at 6 MB of event, or when the batching window
 * has passed, the window counted from when the mapping started gathering the batch (after the previous invocation
 * ended), not from when the records were read.
 */
import { type AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { type PollerOptions, StreamPoller } from '../../harness/lambdaPoller';
import { MASTER_REGION } from '../../harness/replicator';
import { createMasterTable, uniqueTableName } from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const clients = useRegionClients(MASTER_REGION, 'eu-west-1');

/** A master with a NEW_IMAGE stream holding one record per value of `items`, written in that order. */
async function streamOf(items: Array<{ pk: string; big?: string }>): Promise<string> {
  const table = await createMasterTable(clients.master, { name: uniqueTableName('esm-limits') });
  for (const { pk, big } of items) {
    const item: Record<string, AttributeValue> =
      big === undefined ? { pk: { S: pk } } : { pk: { S: pk }, big: { S: big } };
    await clients.master.send(new PutItemCommand({ TableName: table.name, Item: item }));
  }
  return table.streamArn;
}

/** A function that keeps each event with when it started and ended, and takes `ms` per invocation. */
function slowFunction(ms: number): LambdaFunction & {
  calls: Array<{ event: LambdaStreamEvent; started: number; ended: number }>;
} {
  const calls: Array<{ event: LambdaStreamEvent; started: number; ended: number }> = [];
  return {
    calls,
    async invoke(event) {
      const started = Date.now();
      await new Promise((resolve) => setTimeout(resolve, ms));
      calls.push({ event, started, ended: Date.now() });
      return { status: 'ok', payload: undefined };
    },
  };
}

async function drainOnce(streamArn: string, options: Partial<PollerOptions>): Promise<void> {
  const poller = new StreamPoller({ endpoint: localEndpoint(), region: MASTER_REGION, streamArn, ...options });
  try {
    await poller.drain();
  } finally {
    poller.close();
  }
}

test('a batch ends at 6 MB of event, well below BatchSize: 20 records of 380 KB arrive in two invocations, in order', async () => {
  // Prepare: 20 items of about 380 KB each (7.6 MB in all).
  const names = Array.from({ length: 20 }, (_, i) => `big-${String(i).padStart(2, '0')}`);
  const streamArn = await streamOf(names.map((pk) => ({ pk, big: 'x'.repeat(380_000) })));
  const fn = slowFunction(0);

  // Act
  await drainOnce(streamArn, { function: fn, batchSize: 100 });

  // Assess: every event within 6 MB, the first as full as 6 MB allows, all records once and in order.
  const sizes = fn.calls.map(({ event }) => Buffer.byteLength(JSON.stringify(event)));
  expect(sizes.every((size) => size <= 6 * 1024 * 1024)).toBe(true);
  expect(fn.calls.map(({ event }) => event.Records.length)).toEqual([16, 4]);
  const delivered = fn.calls.flatMap(({ event }) =>
    event.Records.map((record) => JSON.stringify(record.dynamodb.Keys)),
  );
  expect(delivered).toEqual(names.map((pk) => JSON.stringify({ pk: { S: pk } })));
});

test('the batching window starts when the previous invocation ends: a record read while the slot was busy still waits for more', async () => {
  // Prepare: 3 records read at once; batches of 2; a 1 s window; each invocation takes 1.5 s.
  const streamArn = await streamOf([{ pk: 'a' }, { pk: 'b' }, { pk: 'c' }]);
  const fn = slowFunction(1500);

  // Act
  await drainOnce(streamArn, { function: fn, batchSize: 2, maximumBatchingWindowInSeconds: 1 });

  // Assess: the full batch went at once; the last record, read 1.5 s earlier, was gathered for another window.
  expect(fn.calls.map(({ event }) => event.Records.length)).toEqual([2, 1]);
  expect(fn.calls[1].started - fn.calls[0].ended).toBeGreaterThanOrEqual(950);
});
