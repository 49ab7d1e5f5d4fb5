/**
 * A shard split mid-stream under the stand-in event source mapping (harness/lambdaPoller.ts), on a synthetic stream
 * (test/helpers/syntheticStream), since DynamoDB Local never splits a shard: Lambda "processes a parent shard before
 * its children", so every record of the parent — also those written after its children appeared, while it was still
 * open — is delivered before any record of a child, and each item's changes arrive in order across the split.
 */
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import type { LambdaFunction } from '../../harness/lambdaFunction';
import { StreamPoller } from '../../harness/lambdaPoller';
import { MASTER_REGION } from '../../harness/replicator';
import { SyntheticStream } from '../helpers/syntheticStream';

/** A function that keeps the `pk=v` of every record it is given, in delivery order. */
function recordingFunction(): LambdaFunction & { delivered: string[] } {
  const delivered: string[] = [];
  const text = (value: unknown) => Object.values(value as Record<string, string>)[0];
  const label = (event: LambdaStreamEvent) =>
    event.Records.map((record) => `${text(record.dynamodb.Keys?.pk)}=${text(record.dynamodb.NewImage?.v)}`);
  return {
    delivered,
    async invoke(event) {
      delivered.push(...label(event));
      return { status: 'ok', payload: undefined };
    },
  };
}

test('a shard split mid-stream: the parent, still open when its children appear, is delivered to its end before either child', async () => {
  // Prepare: one shard with a1, b1, read once; then two children appear (a3 in one, b2 in the other) while the
  // parent is still open; the parent then gets a2 and closes.
  const stream = new SyntheticStream();
  stream.open('parent');
  stream.put('parent', 'a', 1);
  stream.put('parent', 'b', 1);
  const fn = recordingFunction();
  const poller = new StreamPoller({
    endpoint: 'http://127.0.0.1:1',
    region: MASTER_REGION,
    streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/Master/stream/2026-12-06T00:00:00.000',
    source: stream,
    function: fn,
  });
  let beforeParentClosed: string[] = [];
  try {
    await poller.drain();
    stream.open('child-1', 'parent');
    stream.open('child-2', 'parent');
    stream.put('child-1', 'a', 3);
    stream.put('child-2', 'b', 2);

    // Act: a drain while the parent is open with children, then the rest of the parent, closed, then a drain.
    await poller.drain();
    beforeParentClosed = [...fn.delivered];
    stream.put('parent', 'a', 2);
    stream.closeShard('parent');
    await poller.drain();
  } finally {
    poller.close();
  }

  // Assess: nothing of a child while the parent was open; then the parent's last record before the children's.
  expect(beforeParentClosed).toEqual(['a=1', 'b=1']);
  expect(fn.delivered.slice(2, 3)).toEqual(['a=2']);
  expect(fn.delivered.slice(3).sort()).toEqual(['a=3', 'b=2']);
  expect(fn.delivered.filter((label) => label.startsWith('a='))).toEqual(['a=1', 'a=2', 'a=3']);
});
