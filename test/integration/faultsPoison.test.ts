import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { insertRecord, keyOf, modifyRecord, seq, streamEvent } from '../../harness/records';
import { failedSequenceNumbers, SLAVE_REGION } from '../../harness/replicator';
import { createTable, scanAll, uniqueTableName } from '../../harness/tables';
import type { StreamAttributeValue, StreamImage } from '../../src/shared/item';
import { useFaultSetup } from './faultsFixture';

const { slave, localReplicator, startProxy } = useFaultSetup();

describe('one poison item in a batch of good ones', () => {
  const POISON_CASES: Array<[string, StreamImage, string]> = [
    [
      'an item over 400 KB',
      { pk: { S: 'poison' }, blob: { S: 'x'.repeat(401 * 1024) } },
      'Item size has exceeded the maximum allowed size',
    ],
    ['a key of the wrong type for the slave', { pk: { N: '7' }, v: { S: 'number key' } }, 'Type mismatch for key'],
  ];

  test.each(POISON_CASES)(
    "%s: only its records fail, with DynamoDB's message, and every other item lands",
    async (_, poisonImage, message) => {
      // Prepare: 60 good items and a poison item changed twice, its last state being the poison.
      const slaveTable = await createTable(slave, { name: uniqueTableName('poison-slave') });
      const running = await startProxy();
      const poisonKeys: StreamImage = { pk: poisonImage.pk as StreamAttributeValue };
      const records = [
        ...Array.from({ length: 30 }, (_, i) =>
          insertRecord(seq(i * 2), keyOf(`good-${i}`), { ...keyOf(`good-${i}`), v: { N: String(i) } }),
        ),
        insertRecord(seq(61), poisonKeys, { ...poisonKeys, v: { S: 'small' } }),
        ...Array.from({ length: 30 }, (_, i) =>
          insertRecord(seq(100 + i), keyOf(`good-${30 + i}`), { ...keyOf(`good-${30 + i}`), n: { N: String(i) } }),
        ),
        modifyRecord(seq(200), poisonKeys, poisonImage),
      ];
      const replicator = localReplicator({
        endpoint: running.endpoint,
        slaveTable: slaveTable.name,
        logLevel: 'ERROR',
      });

      // Act
      const invocation = await replicator.invoke(streamEvent(records) as unknown as LambdaStreamEvent);

      // Assess: the answer and the container's log lines of this invocation.
      expect(invocation.status).toBe('ok');
      const payload = invocation.status === 'ok' ? invocation.payload : undefined;
      expect(failedSequenceNumbers(payload)).toEqual([seq(61), seq(200)]);
      const failureLines = replicator
        .entries(invocation.requestId)
        .filter((entry) => entry.message === 'record not replicated');
      expect(failureLines.map((line) => [line.sequenceNumber, line.reason])).toEqual([
        [seq(61), expect.stringContaining(message)],
        [seq(200), expect.stringContaining(message)],
      ]);
      const landed = (await scanAll(slave, slaveTable.name)).map((item) => item.pk?.S).sort();
      expect(landed).toEqual(Array.from({ length: 60 }, (_, i) => `good-${i}`).sort());
      // The split: ceil(61 / 25) batch calls, then single writes for the rejected call's items only.
      const { byOperation } = running.stats();
      expect(byOperation.BatchWriteItem).toBe(3);
      expect(byOperation.PutItem).toBeGreaterThan(1);
      expect(byOperation.PutItem).toBeLessThanOrEqual(25);
    },
  );
});

describe('a slave that always throttles', () => {
  test("the handler stops retrying within the invocation's time and reports every record failed with the reason", async () => {
    // Prepare
    const slaveTable = await createTable(slave, { name: uniqueTableName('throttled-slave') });
    const running = await startProxy(() => 'provisionedThroughputExceeded');
    const records = Array.from({ length: 40 }, (_, i) =>
      insertRecord(seq(i), keyOf(`item-${i}`), { ...keyOf(`item-${i}`), v: { N: String(i) } }),
    );
    // A 6 s timeout: room for retries after the first calls however slow a loaded machine makes them (with 3 s, an
    // invocation made only its first two calls before its budget ran out, on a loaded machine).
    const replicator = localReplicator(
      { endpoint: running.endpoint, slaveTable: slaveTable.name, logLevel: 'ERROR' },
      { timeoutMs: 6000 },
    );

    // Act
    const invocation = await replicator.invoke(streamEvent(records) as unknown as LambdaStreamEvent);

    // Assess: all 40 failed, so the function failed (Lambda retries the batch) before its timeout, as a function
    // error; what crossed the Runtime API is the error's type and message, and each record's reason is in the log.
    expect(invocation).toMatchObject({
      status: 'error',
      errorType: 'FullBatchFailureError',
      errorMessage: 'All records failed processing. See individual errors below.',
    });
    expect(replicator.stats).toMatchObject({ timeouts: 0, containersKilled: 0 });
    const reasons = replicator
      .entries(invocation.requestId)
      .filter((entry) => entry.message === 'record not replicated')
      .map((entry) => String(entry.reason));
    expect(reasons).toHaveLength(40);
    for (const reason of reasons) {
      expect(reason).toContain(
        `slave ${SLAVE_REGION}/${slaveTable.name}: not written before the invocation's time budget ran out; last answer: `,
      );
    }
    // It kept trying until then: every request was answered with throttling, more than one per call.
    const { faults, requests } = running.stats();
    expect(faults.provisionedThroughputExceeded).toBe(requests);
    expect(requests).toBeGreaterThan(Math.ceil(40 / 25));
    expect(await scanAll(slave, slaveTable.name)).toEqual([]);
  });
});
