/**
 * Hostile and malformed input, each case with its exact outcome, through the BUILT bundle against DynamoDB Local:
 * what the handler returned or threw, the reason it logged for each failed record, and what the slave holds.
 *
 * The rule every case checks: a bad record fails by itself (its sequence number in `batchItemFailures`, a reason
 * that says what is wrong) or the whole invocation fails with a clear error — never a silent skip, never a crash that
 * loses the batch-mates' writes, never a wrong item on the slave. Unit tests cover the same shapes with mocks; here
 * the real bundle writes to a real DynamoDB, so the slave's contents are the proof.
 */
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { loadHandler } from '../../harness/bundle';
import { fakeContext } from '../../harness/context';
import { startFaultProxy } from '../../harness/faultProxy';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { imageOf, insertRecord, keyOf, modifyRecord, seq, stream, streamEvent } from '../../harness/records';
import {
  failedSequenceNumbers,
  loadReplicator,
  MASTER_REGION,
  replicatorEnv,
  SLAVE_REGION,
  type ThrownReport,
  thrownReport,
} from '../../harness/replicator';
import { createTable, type Item, scanAll, uniqueTableName, waitForActive } from '../../harness/tables';
import type { StreamRecord } from '../../src/replicator/types';
import type { StreamImage } from '../../src/shared/item';
import { captureSettled } from '../helpers/captureOutput';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** What one invocation did. */
interface Outcome {
  /** Sequence numbers in `batchItemFailures`, when the handler returned. */
  readonly failed?: string[];
  /** The error, when the handler threw. */
  readonly thrown?: ThrownReport;
  /** Reason logged for each failed record, by sequence number. */
  readonly reasons: Record<string, unknown>;
  /** The slave's items, by partition key. */
  readonly slave: Item[];
}

/** Options of {@link invoke}. */
interface InvokeOptions {
  /** Slave table name (default: a new table with a string `pk`). */
  readonly slaveTable?: string;
  readonly slaveRegion?: string;
  /** Where the bundle sends its requests (default DynamoDB Local). */
  readonly via?: string;
}

async function newSlave(): Promise<string> {
  return (await createTable(slave, { name: uniqueTableName('bad-input-slave') })).name;
}

async function slaveItems(table: string, client = slave): Promise<Item[]> {
  const items = await scanAll(client, table);
  return items.sort((a, b) => String(a.pk?.S ?? a.pk?.N).localeCompare(String(b.pk?.S ?? b.pk?.N)));
}

/** Invokes a fresh bundle with `event` (anything: it is what is under test) and reads the outcome. */
async function invoke(event: unknown, options: InvokeOptions = {}): Promise<Outcome & { slaveTable: string }> {
  const slaveTable = options.slaveTable ?? (await newSlave());
  const handler = loadReplicator({
    endpoint: options.via ?? endpoint,
    slaveTable,
    slaveRegion: options.slaveRegion,
    logLevel: 'WARN',
  });
  const { result, error, output } = await captureSettled(() => handler(event as LambdaStreamEvent, fakeContext()));
  const reasons = Object.fromEntries(
    output.entries
      .filter((entry) => entry.message === 'record not replicated')
      .map((entry) => [String(entry.sequenceNumber), entry.reason]),
  );
  const items = await slaveItems(slaveTable).catch(() => []);
  return error === undefined
    ? { failed: failedSequenceNumbers(result), reasons, slave: items, slaveTable }
    : { thrown: thrownReport(error), reasons, slave: items, slaveTable };
}

/** A good INSERT of item `id` at position `n`; on the slave it becomes {@link goodItem}(`id`, `n`). */
function good(n: number, id: string): StreamRecord {
  return stream.insert(n, id, { v: { N: String(n) } });
}

function goodItem(id: string, n: number): Item {
  return { pk: { S: id }, v: { N: String(n) } };
}

/** `bad` at position 2 between good records 1 (item a) and 3 (item b). */
function between(bad: unknown): LambdaStreamEvent {
  return streamEvent([good(1, 'a'), bad as StreamRecord, good(3, 'b')]) as unknown as LambdaStreamEvent;
}

/** An INSERT of item `c` at position 2 whose new image has `v` = `value` (a malformed attribute value). */
function insertWithValue(value: unknown): StreamRecord {
  return insertRecord(seq(2), keyOf('c'), { ...keyOf('c'), v: value } as StreamImage);
}

const BOTH_MATES = [goodItem('a', 1), goodItem('b', 3)];
const MISSING_SEQUENCE_NUMBER =
  '1 failed record(s) have no dynamodb.SequenceNumber, so they cannot be reported individually; failing the whole batch so that Lambda retries it';
const NO_RECORDS =
  'event has no Records array: this function must be triggered by a DynamoDB stream (event source mapping)';

describe('events that are not a DynamoDB Streams batch: the invocation fails, nothing is written', () => {
  test.each<[string, unknown]>([
    ['an event without Records', {}],
    ['Records that is an object', { Records: { 0: good(1, 'a') } }],
    ['Records that is a string', { Records: 'INSERT' }],
    ['a null event', null],
  ])('%s', async (_, event) => {
    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.thrown).toEqual({ name: 'InvalidEventError', message: NO_RECORDS, recordErrors: [] });
    expect(outcome.slave).toEqual([]);
  });

  test('an empty batch returns no failures and writes nothing', async () => {
    // Act
    const outcome = await invoke({ Records: [] });

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([]);
  });

  test("a batch with one record from the slave's own stream is refused whole, before any write", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const arn = `arn:aws:dynamodb:${SLAVE_REGION}:123456789012:table/${slaveTable}/stream/2024-05-01T12:00:00.000`;
    const looping = stream.insert(2, 'c', undefined, { eventSourceARN: arn });

    // Act
    const outcome = await invoke(between(looping), { slaveTable });

    // Assess
    expect(outcome.thrown).toEqual({
      name: 'ReplicationLoopError',
      message: `the trigger's stream (${arn}) belongs to the slave table ${SLAVE_REGION}/${slaveTable} itself: a table cannot replicate onto itself; attach the master table's stream, or correct SLAVE_REGION/SLAVE_TABLE`,
      recordErrors: [],
    });
    expect(outcome.slave).toEqual([]);
  });

  test("a stream of a table with the slave's name in another region is not a loop, and is replicated", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${slaveTable}/stream/2024-05-01T12:00:00.000`;

    // Act
    const outcome = await invoke(streamEvent([stream.insert(1, 'a', { v: { N: '1' } }, { eventSourceARN: arn })]), {
      slaveTable,
    });

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([goodItem('a', 1)]);
  });
});

describe('a malformed record fails alone, with what is wrong; its batch-mates land', () => {
  test.each<[string, unknown, string]>([
    [
      'a SequenceNumber that is not digits',
      { ...insertRecord('abc', keyOf('c'), imageOf('c')) },
      'record has no valid dynamodb.SequenceNumber (a string of digits)',
    ],
    [
      'no Keys',
      {
        ...stream.insert(2, 'c'),
        dynamodb: { SequenceNumber: seq(2), NewImage: imageOf('c') },
      },
      'record has no dynamodb.Keys',
    ],
    ['empty Keys', insertRecord(seq(2), {}, imageOf('c')), 'record has empty dynamodb.Keys'],
    [
      'an unknown eventName',
      { ...stream.insert(2, 'c'), eventName: 'UPSERT' },
      'unknown eventName "UPSERT": expected INSERT, MODIFY or REMOVE (is the trigger a DynamoDB stream?)',
    ],
    [
      'no eventName',
      { ...stream.insert(2, 'c'), eventName: undefined },
      'unknown eventName undefined: expected INSERT, MODIFY or REMOVE (is the trigger a DynamoDB stream?)',
    ],
    [
      'an unknown type tag',
      insertWithValue({ X: '1' }),
      'invalid attribute value at dynamodb.NewImage.v: unknown type tag "X"',
    ],
    [
      'two type tags in one value',
      insertWithValue({ S: 'a', N: '1' }),
      'invalid attribute value at dynamodb.NewImage.v: expected exactly one type tag, found S, N',
    ],
    [
      'N that is not a number',
      insertWithValue({ N: '12abc' }),
      'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
    ],
    [
      'N given as a JSON number',
      insertWithValue({ N: 12 }),
      'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
    ],
    [
      'invalid base64 in B',
      insertWithValue({ B: 'not base64!' }),
      'invalid attribute value at dynamodb.NewImage.v: B must be a base64 string',
    ],
    [
      'invalid base64 in one BS member',
      insertWithValue({ BS: ['AAEC', '***'] }),
      'invalid attribute value at dynamodb.NewImage.v[1]: B must be a base64 string',
    ],
    [
      'NULL that is false',
      insertWithValue({ NULL: false }),
      'invalid attribute value at dynamodb.NewImage.v: NULL must be true',
    ],
    [
      'a bad value deep inside a map and a list',
      insertWithValue({ M: { list: { L: [{ S: 'fine' }, { N: 'x' }] } } }),
      'invalid attribute value at dynamodb.NewImage.v.list[1]: N must be a number written as a string',
    ],
    [
      'invalid base64 in a binary key',
      insertRecord(
        seq(2),
        { pk: { B: '%%%' } } as unknown as StreamImage,
        { pk: { B: '%%%' } } as unknown as StreamImage,
      ),
      'invalid attribute value at dynamodb.Keys.pk: B must be a base64 string',
    ],
    [
      'a NewImage without the key attributes',
      insertRecord(seq(2), keyOf('c'), { v: { N: '1' } }),
      'NewImage lacks the key attribute(s) pk given in Keys',
    ],
    [
      'a NewImage whose key differs from Keys',
      insertRecord(seq(2), keyOf('c'), imageOf('d')),
      'NewImage key attributes differ from the record Keys',
    ],
  ])('%s', async (_, bad, reason) => {
    // Prepare
    const sequenceNumber = String((bad as StreamRecord).dynamodb?.SequenceNumber);

    // Act
    const outcome = await invoke(between(bad));

    // Assess
    expect(outcome.failed).toEqual([sequenceNumber]);
    expect(outcome.reasons).toEqual({ [sequenceNumber]: reason });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });

  test.each<[string, unknown]>([
    ['a record without a dynamodb section', { eventID: 'x', eventName: 'INSERT', eventSource: 'aws:dynamodb' }],
    [
      'a record without a SequenceNumber',
      { ...stream.insert(2, 'c'), dynamodb: { Keys: keyOf('c'), NewImage: imageOf('c') } },
    ],
    ['a null record', null],
  ])(
    '%s cannot be reported by sequence number: the batch-mates are written and the invocation fails, so Lambda retries the batch',
    async (_, bad) => {
      // Act
      const outcome = await invoke(between(bad));

      // Assess
      expect(outcome.thrown).toEqual({ name: 'InvalidEventError', message: MISSING_SEQUENCE_NUMBER, recordErrors: [] });
      expect(outcome.slave).toEqual(BOTH_MATES);
    },
  );

  test("a malformed change holds back the item's later changes and keeps its earlier one", async () => {
    // Prepare: item a changes three times, the second change is malformed; item b changes once after.
    const event = streamEvent([
      good(1, 'a'),
      modifyRecord(seq(2), keyOf('a'), { ...keyOf('a'), v: { N: 'two' } } as unknown as StreamImage),
      stream.modify(3, 'a', { v: { N: '3' } }),
      good(4, 'b'),
    ]);

    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.failed).toEqual([seq(2), seq(3)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]: 'invalid attribute value at dynamodb.NewImage.v: N must be a number written as a string',
      [seq(3)]:
        `not applied: an earlier change to the same item (sequence number ${seq(2)}) failed in this batch; it will be retried after it`,
    });
    expect(outcome.slave).toEqual([goodItem('a', 1), goodItem('b', 4)]);
  });
});

describe('records without a new image (KEYS_ONLY stream): the item is read from the master', () => {
  test("the master's current item is copied, and an item the master no longer has is deleted", async () => {
    // Prepare: a master in us-east-1 with item a; the slave has a stale b that the master deleted.
    const masterTable = (await createTable(master, { name: uniqueTableName('bad-input-master') })).name;
    await master.send(new PutItemCommand({ TableName: masterTable, Item: { pk: { S: 'a' }, now: { S: 'current' } } }));
    const slaveTable = await newSlave();
    await slave.send(new PutItemCommand({ TableName: slaveTable, Item: { pk: { S: 'b' }, stale: { BOOL: true } } }));
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${masterTable}/stream/2024-05-01T12:00:00.000`;
    const event = streamEvent([
      stream.keysOnlyInsert(1, 'a', { eventSourceARN: arn }),
      stream.keysOnlyInsert(2, 'b', { eventSourceARN: arn }),
    ]);

    // Act
    const outcome = await invoke(event, { slaveTable });

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([{ pk: { S: 'a' }, now: { S: 'current' } }]);
  });

  test('when the master table named by eventSourceARN does not exist, its records fail with that reason', async () => {
    // Prepare
    const missing = uniqueTableName('missing-master');
    const arn = `arn:aws:dynamodb:${MASTER_REGION}:123456789012:table/${missing}/stream/2024-05-01T12:00:00.000`;

    // Act
    const outcome = await invoke(between(stream.keysOnlyInsert(2, 'c', { eventSourceARN: arn })));

    // Assess
    expect(outcome.failed).toEqual([seq(2)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]:
        `master ${MASTER_REGION}/${missing}: master table ${missing} not found in region ${MASTER_REGION} (ResourceNotFoundException: Cannot do operations on a non-existent table)`,
    });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });
});

describe('items and slaves DynamoDB rejects: the records fail with its message, nothing wrong lands', () => {
  test("a batch whose only item is over 400 KB fails whole with DynamoDB's message", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const event = streamEvent([stream.insert(1, 'big', { blob: { S: 'x'.repeat(401 * 1024) } })]);

    // Act
    const outcome = await invoke(event, { slaveTable });

    // Assess
    expect(outcome.thrown).toEqual({
      name: 'FullBatchFailureError',
      message: 'All records failed processing. See individual errors below.',
      recordErrors: [
        `slave ${SLAVE_REGION}/${slaveTable}: ValidationException: Item size has exceeded the maximum allowed size`,
      ],
    });
    expect(outcome.slave).toEqual([]);
  });

  test('an empty string as a key value fails that record alone', async () => {
    // Prepare
    const bad = insertRecord(seq(2), { pk: { S: '' } }, { pk: { S: '' }, v: { N: '2' } });
    const slaveTable = await newSlave();

    // Act
    const outcome = await invoke(between(bad), { slaveTable });

    // Assess
    expect(outcome.failed).toEqual([seq(2)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]:
        `slave ${SLAVE_REGION}/${slaveTable}: ValidationException: One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk`,
    });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });

  test.each<[string, 'S' | 'N', string, string]>([
    ['a slave whose key has another name', 'S', 'id', 'One of the required keys was not given a value'],
    [
      'a slave whose key has another type',
      'N',
      'pk',
      'One or more parameter values were invalid: Type mismatch for key',
    ],
  ])("%s: every record fails with DynamoDB's message", async (_, type, keyName, message) => {
    // Prepare
    const slaveTable = uniqueTableName('wrong-schema-slave');
    await slave.send(
      new CreateTableCommand({
        TableName: slaveTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: keyName, AttributeType: type }],
        KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
      }),
    );
    await waitForActive(slave, slaveTable);

    // Act
    const outcome = await invoke(streamEvent([good(1, 'a'), good(2, 'b')]), { slaveTable });

    // Assess
    const reason = `slave ${SLAVE_REGION}/${slaveTable}: ValidationException: ${message}`;
    expect(outcome.thrown).toEqual({
      name: 'FullBatchFailureError',
      message: 'All records failed processing. See individual errors below.',
      recordErrors: [reason, reason],
    });
    expect(outcome.slave).toEqual([]);
  });

  test('a slave table that does not exist: every record fails, saying to create it or correct the variables', async () => {
    // Prepare
    const slaveTable = uniqueTableName('missing-slave');

    // Act
    const outcome = await invoke(streamEvent([good(1, 'a')]), { slaveTable });

    // Assess
    expect(outcome.thrown?.recordErrors).toEqual([
      `slave ${SLAVE_REGION}/${slaveTable}: table ${slaveTable} not found in region ${SLAVE_REGION}: create it with the master's key schema, or correct SLAVE_TABLE/SLAVE_REGION (Cannot do operations on a non-existent table)`,
    ]);
  });

  test('a well-formed region that does not exist is accepted by the configuration, and every record fails naming it', async () => {
    // Decision: a region name is checked for form only (new regions appear; a list in the code would go stale). In
    // AWS the SDK would then fail to resolve dynamodb.<region>.amazonaws.com; DynamoDB Local answers for any region,
    // with an empty database, so here the table is "not found in region eu-nowhere-9". Either way the records fail
    // with the region in the message, and nothing is written anywhere else.
    // Prepare: a table of that name exists in the real slave region, and must stay untouched.
    const slaveTable = await newSlave();

    // Act
    const outcome = await invoke(streamEvent([good(1, 'a')]), { slaveTable, slaveRegion: 'eu-nowhere-9' });

    // Assess
    expect(outcome.thrown?.recordErrors).toEqual([
      `slave eu-nowhere-9/${slaveTable}: table ${slaveTable} not found in region eu-nowhere-9: create it with the master's key schema, or correct SLAVE_TABLE/SLAVE_REGION (Cannot do operations on a non-existent table)`,
    ]);
    expect(await slaveItems(slaveTable)).toEqual([]);
  });

  test('access denied: every record fails, naming the actions the role needs', async () => {
    // Prepare: IAM's answer, from the fault proxy, to every write.
    const slaveTable = await newSlave();
    const proxy = await startFaultProxy({ upstream: endpoint, plan: () => 'accessDenied' });
    try {
      // Act
      const outcome = await invoke(streamEvent([good(1, 'a'), good(2, 'b')]), { slaveTable, via: proxy.endpoint });

      // Assess
      const reason = `slave ${SLAVE_REGION}/${slaveTable}: access denied: the function's role needs dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem on table ${slaveTable} in ${SLAVE_REGION} (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/replicator/dynamo-replicator is not authorized to perform: dynamodb:BatchWriteItem on resource: ${slaveTable} because no identity-based policy allows the dynamodb:BatchWriteItem action)`;
      expect(outcome.thrown?.name).toBe('FullBatchFailureError');
      expect(outcome.thrown?.recordErrors).toEqual([reason, reason]);
      expect(outcome.slave).toEqual([]);
      expect(proxy.stats().faults.accessDenied).toBe(1);
    } finally {
      await proxy.stop();
    }
  });
});

describe('duplicates and order', () => {
  test('the same batch delivered twice leaves the same slave as once', async () => {
    // Prepare
    const slaveTable = await newSlave();
    const event = streamEvent([
      good(1, 'a'),
      stream.modify(2, 'a', { v: { N: '2' } }),
      good(3, 'b'),
      stream.remove(4, 'b'),
    ]);

    // Act
    const first = await invoke(event, { slaveTable });
    const second = await invoke(event, { slaveTable });

    // Assess
    expect(first.failed).toEqual([]);
    expect(second.failed).toEqual([]);
    expect(second.slave).toEqual([goodItem('a', 2)]);
  });

  test('the same record twice in one batch is applied once, without failure', async () => {
    // Act
    const outcome = await invoke(streamEvent([good(1, 'a'), good(1, 'a'), good(2, 'b')]));

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([goodItem('a', 1), goodItem('b', 2)]);
  });

  test('records out of sequence order within a batch are applied in sequence order', async () => {
    // Prepare: a's last change (seq 30) comes first in the array; b is deleted (seq 40) before it is inserted (seq 35).
    const event = streamEvent([
      stream.modify(30, 'a', { v: { N: '30' } }),
      stream.remove(40, 'b'),
      stream.insert(10, 'a', { v: { N: '10' } }),
      stream.insert(35, 'b', { v: { N: '35' } }),
      stream.modify(20, 'a', { v: { N: '20' } }),
    ]);

    // Act
    const outcome = await invoke(event);

    // Assess
    expect(outcome.failed).toEqual([]);
    expect(outcome.slave).toEqual([goodItem('a', 30)]);
  });
});

describe('invalid or missing configuration: loading the bundle fails with every problem named', () => {
  test.each<[string, Record<string, string | undefined>, string[]]>([
    [
      'nothing set',
      { SLAVE_REGION: undefined, SLAVE_TABLE: undefined },
      [
        'SLAVE_REGION is not set (the region of the slave table, e.g. eu-west-1)',
        'SLAVE_TABLE is not set (the name of the slave table)',
      ],
    ],
    [
      'a malformed region and table name',
      { SLAVE_REGION: 'Europe', SLAVE_TABLE: 'my table' },
      [
        'SLAVE_REGION: "Europe" is not an AWS region name (expected a name like eu-west-1)',
        'SLAVE_TABLE: "my table" is not a valid DynamoDB table name (3 to 255 characters: letters, digits, _ . -)',
      ],
    ],
    [
      'a region without its number',
      { SLAVE_REGION: 'eu-west', SLAVE_TABLE: 'Orders' },
      ['SLAVE_REGION: "eu-west" is not an AWS region name (expected a name like eu-west-1)'],
    ],
    [
      'SLAVES with a malformed and a repeated entry',
      { SLAVE_REGION: undefined, SLAVE_TABLE: undefined, SLAVES: 'eu-west-1/Orders,Orders,eu-west-1/Orders' },
      [
        'SLAVES: entry "Orders" is not of the form region/table or region/table@roleArn (e.g. eu-west-1/Orders)',
        'SLAVES: eu-west-1/Orders is listed twice',
      ],
    ],
    [
      'SLAVES together with SLAVE_TABLE',
      { SLAVE_REGION: undefined, SLAVE_TABLE: 'Orders', SLAVES: 'eu-west-1/Orders' },
      ['SLAVES is set together with SLAVE_REGION/SLAVE_TABLE: use one form or the other'],
    ],
    [
      'a zero WRITE_CONCURRENCY and a REPLICATE_TTL_DELETES that is not a boolean',
      { SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', WRITE_CONCURRENCY: '0', REPLICATE_TTL_DELETES: 'maybe' },
      [
        'WRITE_CONCURRENCY: "0" is not a whole number from 1 to 1000',
        'REPLICATE_TTL_DELETES: "maybe" is not true or false',
      ],
    ],
  ])('%s', async (_, env, problems) => {
    // Prepare
    const base = replicatorEnv({ endpoint, slaveTable: 'unused', logLevel: 'ERROR' });

    // Act
    const { error, output } = await captureSettled(() => loadHandler({ ...base, ...env }));

    // Assess: thrown at init, and logged at ERROR so it shows in the function's log.
    expect(error).toMatchObject({
      name: 'ConfigError',
      problems,
      message: `dynamo-replicator is misconfigured: ${problems.join('; ')}`,
    });
    expect(output.entries).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: `dynamo-replicator is misconfigured: ${problems.join('; ')}`,
        problems,
      }),
    ]);
  });
});
