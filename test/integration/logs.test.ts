/**
 * Items may hold personal data, so attribute values must never reach the logs at INFO or above. A full run of the
 * BUILT zip under Lambda's own runtime client (local containers, harness/localLambda) — a real stream, puts,
 * updates, deletes, items the slave rejects, a malformed record and a batch that fails whole — is made with every
 * line the containers wrote kept (the function's, the runtime client's, the platform's), at INFO and at DEBUG. A marker is in
 * every non-key attribute (strings, sets, maps, lists, binary); item keys carry a different marker, which failure
 * lines must show (they name the item), proving the scan would see a value if one were logged.
 */
import { type AttributeValue, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { drainStream } from '../../harness/lambdaPoller';
import type { LocalLambda } from '../../harness/localLambda';
import { insertRecord, seq, streamEvent } from '../../harness/records';
import { MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import { createMasterTable, createTable, INDEX_ON_G_AS_STRING, uniqueTableName } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import type { CapturedOutput } from '../helpers/captureOutput';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = localEndpoint();
/** In every non-key attribute value. */
const MARKER = 'PII-7f3a9c-do-not-log';
/** In every key value: keys may be logged (they identify the item), values may not. */
const KEY_MARKER = 'KEY-5e1d';
/** The forms the marker could take in a log line: as text, and as the base64 and hex of its bytes. */
const MARKER_FORMS = [MARKER, Buffer.from(MARKER).toString('base64'), Buffer.from(MARKER).toString('hex')];

const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
const localReplicator = useLocalReplicators();

/** Every line the function's containers wrote: stdout (with the platform's lines) and stderr, and the JSON entries. */
function containerOutput(lambda: LocalLambda): CapturedOutput {
  const text = (stderr: boolean) =>
    lambda.logs
      .filter((line) => (line.source === 'stderr') === stderr)
      .map((line) => line.text)
      .join('\n');
  return { stdout: text(false), stderr: text(true), entries: lambda.entries() };
}

function key(i: number): Record<string, AttributeValue> {
  return { pk: { S: `${KEY_MARKER}-${i}` } };
}

/** Non-key attributes of every type that can hold the marker. */
function markedAttributes(i: number): Record<string, AttributeValue> {
  return {
    name: { S: `${MARKER} person ${i}` },
    tags: { SS: [`${MARKER}-a`, `${MARKER}-b`] },
    address: { M: { street: { S: MARKER }, lines: { L: [{ S: MARKER }, { N: String(i) }] } } },
    photo: { B: Buffer.from(MARKER) },
    scans: { BS: [Buffer.from(MARKER), Buffer.from(`${MARKER}${i}`)] },
  };
}

/** The lines of captured output that contain any of `forms` (by default: the marker in any form). */
function linesWithMarker(output: CapturedOutput, forms: readonly string[] = MARKER_FORMS): string[] {
  return `${output.stdout}\n${output.stderr}`.split('\n').filter((line) => forms.some((form) => line.includes(form)));
}

function messagesOf(output: CapturedOutput): string[] {
  const logged = output.entries.filter((entry) => entry.level !== undefined);
  return [...new Set(logged.map((entry) => `${String(entry.level)} ${String(entry.message)}`))].sort();
}

/**
 * One full run at `level`: a master with a NEW_AND_OLD_IMAGES stream (old images carry the marker too), a slave
 * that rejects items whose `g` is a number (its index wants a string), changes of every kind, the stream drained.
 */
async function fullRun(level: string): Promise<{ output: CapturedOutput; failuresReported: number }> {
  // Asking Powertools to log each event must not change anything: the handler never hands it the event.
  const masterTable = await createMasterTable(master, {
    name: uniqueTableName('logs-master'),
    streamViewType: 'NEW_AND_OLD_IMAGES',
  });
  const slaveTable = await createTable(slave, {
    name: uniqueTableName('logs-slave'),
    ...INDEX_ON_G_AS_STRING,
  });
  for (let i = 0; i < 12; i += 1) {
    const rejected: Record<string, AttributeValue> = i % 4 === 0 ? { g: { N: String(i) } } : {};
    await master.send(
      new PutItemCommand({ TableName: masterTable.name, Item: { ...key(i), ...markedAttributes(i), ...rejected } }),
    );
  }
  for (let i = 0; i < 12; i += 3) {
    await master.send(
      new UpdateItemCommand({
        TableName: masterTable.name,
        Key: key(i),
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': { S: `${MARKER} updated` } },
      }),
    );
  }
  for (let i = 1; i < 12; i += 5)
    await master.send(new DeleteItemCommand({ TableName: masterTable.name, Key: key(i) }));
  // Metrics on: their lines go to the same log, and must not carry values either.
  const lambda = localReplicator({
    endpoint,
    slaveTable: slaveTable.name,
    logLevel: level,
    env: { POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_LOGGER_LOG_EVENT: 'true' },
  });

  const stats = await drainStream({
    ...TEMPLATE_RESPONSE_TYPES,
    endpoint,
    region: MASTER_REGION,
    streamArn: masterTable.streamArn,
    function: lambda,
    batchSize: 10,
    maximumRetryAttempts: 1,
  });
  return { output: containerOutput(lambda), failuresReported: stats.failuresReported };
}

describe('attribute values never reach the logs', () => {
  test.each(['INFO', 'DEBUG'])(
    'a full run at %s: no line carries a value; failure lines carry the keys',
    async (level) => {
      // Act
      const { output, failuresReported } = await fullRun(level);

      // Assess
      expect(linesWithMarker(output)).toEqual([]);
      expect(failuresReported).toBeGreaterThan(0);
      const failureLines = output.entries.filter((entry) => entry.message === 'record not replicated');
      expect(failureLines.length).toBeGreaterThan(0);
      for (const line of failureLines) expect(JSON.stringify(line.keys)).toContain(KEY_MARKER);
      // The same scan finds the key marker, so it would find a value too.
      expect(linesWithMarker(output, [KEY_MARKER])).toHaveLength(failureLines.length);
      expect(output.entries.filter((entry) => entry.message === 'batch replicated').length).toBeGreaterThan(1);
      expect(output.entries.filter((entry) => entry._aws !== undefined).length).toBeGreaterThan(1);
    },
  );

  test('DEBUG shows the same kinds of line as INFO: the per-batch summary and the failures, no record contents', async () => {
    // Act
    const info = await fullRun('INFO');
    const debug = await fullRun('DEBUG');

    // Assess
    // The trigger gives a failing batch up after one retry and moves on; the next batch brings a later change of a
    // rejected item, so the function also says that a change it reported failed was not delivered again.
    expect(messagesOf(debug.output)).toEqual(messagesOf(info.output));
    expect(messagesOf(info.output)).toEqual([
      expect.stringMatching(/^ERROR changes this function reported failed were not delivered again: /),
      'ERROR record not replicated',
      'INFO batch replicated',
    ]);
  });

  test('a malformed value and a batch that fails whole: neither the logs nor the error Lambda would log carry a value', async () => {
    // Prepare: a value that is not a number (its text is the marker), and a slave whose key type no record matches.
    const slaveTable = await createTable(slave, { name: uniqueTableName('logs-slave'), partitionKeyType: 'N' });
    const records: StreamRecord[] = [
      insertRecord(seq(1), { pk: { S: `${KEY_MARKER}-1` } }, { pk: { S: `${KEY_MARKER}-1` }, n: { N: MARKER } }),
      insertRecord(
        seq(2),
        { pk: { S: `${KEY_MARKER}-2` } },
        { pk: { S: `${KEY_MARKER}-2` }, name: { S: MARKER }, photo: { B: Buffer.from(MARKER).toString('base64') } },
      ),
    ];
    const lambda = localReplicator({
      endpoint,
      slaveTable: slaveTable.name,
      logLevel: 'DEBUG',
      env: { POWERTOOLS_METRICS_DISABLED: 'false' },
    });

    // Act
    const invocation = await lambda.invoke(streamEvent(records) as unknown as LambdaStreamEvent);
    const output = containerOutput(lambda);

    // Assess: what crossed the Runtime API (errorType, errorMessage, trace) and the runtime client's own
    // Invoke Error line in the container's log carry no value either.
    expect(invocation).toMatchObject({ status: 'error', errorType: 'FullBatchFailureError' });
    expect(MARKER_FORMS.filter((form) => JSON.stringify(invocation).includes(form))).toEqual([]);
    expect(output.stdout).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"FullBatchFailureError"/);
    expect(linesWithMarker(output)).toEqual([]);
    expect(output.entries.filter((entry) => entry.message === 'record not replicated')).toHaveLength(2);
  });
});
