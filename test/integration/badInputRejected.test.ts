/**
 * Bad input, continued (see badInput.test.ts): items and slaves DynamoDB rejects, and a configuration the function
 * refuses at init, through the BUILT bundle against DynamoDB Local (in this process; badInputFixture). A full-batch
 * failure is asserted as Lambda shows it: the errorType and errorMessage, and each record's reason in the log; a
 * refused configuration as an error at load naming every problem. Then the wiring: representative cases again
 * through the zip in local Lambda containers (the official runtime client), where the same outcomes cross the
 * Runtime API — a function error, a partial batch response, a refused configuration as an init error.
 */
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { startFaultProxy } from '../../harness/faultProxy';
import { initErrorLinePattern } from '../../harness/lambdaRuntime';
import { imageOf, insertRecord, keyOf, seq, streamEvent } from '../../harness/records';
import { loadReplicator, localReplicator, SLAVE_REGION } from '../../harness/replicator';
import { uniqueTableName, waitForActive } from '../../harness/tables';
import { captureSettled } from '../helpers/captureOutput';
import {
  BOTH_MATES,
  between,
  endpoint,
  good,
  insertWithValue,
  invoke,
  NO_RECORDS,
  newSlave,
  slave,
  slaveItems,
} from './badInputFixture';

describe('items and slaves DynamoDB rejects: the records fail with its message, nothing wrong lands', () => {
  test("a batch whose only item is over 400 KB fails whole with DynamoDB's message", async () => {
    // Prepare
    const slaveTable = await newSlave();
    const event = streamEvent([
      insertRecord(seq(1), keyOf('big'), imageOf('big', { blob: { S: 'x'.repeat(401 * 1024) } })),
    ]);

    // Act
    const outcome = await invoke(event, { slaveTable });

    // Assess
    expect(outcome.thrown).toEqual({
      name: 'FullBatchFailureError',
      message: 'All records failed processing. See individual errors below.',
    });
    expect(outcome.reasons).toEqual({
      [seq(1)]:
        `slave ${SLAVE_REGION}/${slaveTable}: ValidationException: Item size has exceeded the maximum allowed size`,
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
    });
    expect(outcome.reasons).toEqual({ [seq(1)]: reason, [seq(2)]: reason });
    expect(outcome.slave).toEqual([]);
  });

  test('a slave table that does not exist: every record fails, saying to create it or correct the variables', async () => {
    // Prepare
    const slaveTable = uniqueTableName('missing-slave');

    // Act
    const outcome = await invoke(streamEvent([good(1, 'a')]), { slaveTable });

    // Assess
    expect(outcome.thrown?.name).toBe('FullBatchFailureError');
    expect(outcome.reasons).toEqual({
      [seq(1)]:
        `slave ${SLAVE_REGION}/${slaveTable}: slave table ${slaveTable} not found in region ${SLAVE_REGION}: create it with the master's key schema (dynamo-replicator create-slave), or correct the slave's table and region (SLAVE_TABLE/SLAVE_REGION, SLAVES, or createReplicator's slaves) (ResourceNotFoundException: Cannot do operations on a non-existent table)`,
    });
    expect(outcome.slave).toBe('no such table');
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
    expect(outcome.thrown?.name).toBe('FullBatchFailureError');
    expect(outcome.reasons).toEqual({
      [seq(1)]:
        `slave eu-nowhere-9/${slaveTable}: slave table ${slaveTable} not found in region eu-nowhere-9: create it with the master's key schema (dynamo-replicator create-slave), or correct the slave's table and region (SLAVE_TABLE/SLAVE_REGION, SLAVES, or createReplicator's slaves) (ResourceNotFoundException: Cannot do operations on a non-existent table)`,
    });
    expect(await slaveItems(slaveTable)).toEqual([]);
  });

  test('access denied to every write: BatchWriteItem, then each item alone; every record fails, naming the actions the role needs', async () => {
    // Prepare: IAM's answer, from the fault proxy, to every write.
    const slaveTable = await newSlave();
    const proxy = await startFaultProxy({ upstream: endpoint, plan: () => 'accessDenied' });
    try {
      // Act
      const outcome = await invoke(streamEvent([good(1, 'a'), good(2, 'b')]), { slaveTable, via: proxy.endpoint });

      // Assess
      const reason = `slave ${SLAVE_REGION}/${slaveTable}: access denied: the function's role needs dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem on table ${slaveTable} in ${SLAVE_REGION} (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/replicator/dynamo-replicator is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:${SLAVE_REGION}:123456789012:table/${slaveTable} because no identity-based policy allows the dynamodb:PutItem action)`;
      expect(outcome.thrown?.name).toBe('FullBatchFailureError');
      expect(outcome.reasons).toEqual({ [seq(1)]: reason, [seq(2)]: reason });
      expect(outcome.slave).toEqual([]);
      expect(proxy.stats().byOperation).toEqual({ BatchWriteItem: 1, PutItem: 2 });
      expect(proxy.stats().faults.accessDenied).toBe(3);
    } finally {
      await proxy.stop();
    }
  });
});

/** Configurations the function refuses at init, and every problem it names. */
const MISCONFIGURATIONS: ReadonlyArray<[string, Record<string, string | undefined>, string[]]> = [
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
      'SLAVES: entry "Orders" is not of the form region/table, region/table@roleArn or a table ARN (e.g. eu-west-1/Orders)',
      'SLAVES: eu-west-1/Orders is listed twice',
    ],
  ],
  [
    'a slave table ARN whose region contradicts SLAVE_REGION',
    { SLAVE_REGION: 'us-west-2', SLAVE_TABLE: 'arn:aws:dynamodb:eu-west-1:444455556666:table/Replica' },
    [
      "SLAVE_REGION is us-west-2 but SLAVE_TABLE is a table in eu-west-1 (arn:aws:dynamodb:eu-west-1:444455556666:table/Replica): give the table's own region, or leave SLAVE_REGION out",
    ],
  ],
  [
    'a malformed table ARN in SLAVES, and one table by name and by ARN',
    {
      SLAVE_REGION: undefined,
      SLAVE_TABLE: undefined,
      SLAVES:
        'arn:aws:dynamodb:eu-west-1:444455556666:table,eu-west-1/Replica,arn:aws:dynamodb:eu-west-1:444455556666:table/Replica',
    },
    [
      'SLAVES entry "arn:aws:dynamodb:eu-west-1:444455556666:table": "arn:aws:dynamodb:eu-west-1:444455556666:table" is not a DynamoDB table ARN: "table" is not table/<name> (expected arn:aws:dynamodb:<region>:<account>:table/<name>)',
      "SLAVES: eu-west-1/Replica and arn:aws:dynamodb:eu-west-1:444455556666:table/Replica may be the same table (a name without a role is in the function's own account, unknown here): list it once, or name both by ARN",
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
];

const misconfigured = (problems: string[]) => `dynamo-replicator is misconfigured: ${problems.join('; ')}`;

describe('invalid or missing configuration: init fails with every problem named', () => {
  test.each(MISCONFIGURATIONS)('%s', async (_, env, problems) => {
    // Act: a fresh copy of the bundle loaded with the configuration (its init).
    const { error, output } = await captureSettled(() =>
      loadReplicator({ endpoint, slaveTable: 'unused', logLevel: 'ERROR', env }),
    );

    // Assess: the error that Lambda would report at init, and the function's ERROR line with every problem.
    const message = misconfigured(problems);
    expect(error).toMatchObject({ name: 'ConfigError', message, problems });
    expect(output.entries).toEqual([expect.objectContaining({ level: 'ERROR', message, problems })]);
  });
});

describe('the wiring: the same outcomes through the zip in a local Lambda container', () => {
  test('an event without Records fails the invocation with InvalidEventError across the Runtime API', async () => {
    // Act
    const outcome = await invoke({}, { in: 'container' });

    // Assess
    expect(outcome.thrown).toEqual({ name: 'InvalidEventError', message: NO_RECORDS });
    expect(outcome.slave).toEqual([]);
  });

  test('a malformed record: its sequence number in the partial batch response, its reason in the container log', async () => {
    // Act
    const outcome = await invoke(between(insertWithValue({ X: '1' })), { in: 'container' });

    // Assess
    expect(outcome.failed).toEqual([seq(2)]);
    expect(outcome.reasons).toEqual({
      [seq(2)]: 'invalid attribute value at dynamodb.NewImage.v: unknown type tag "X"',
    });
    expect(outcome.slave).toEqual(BOTH_MATES);
  });

  test.each(
    MISCONFIGURATIONS.filter(([name]) =>
      [
        'nothing set',
        'SLAVES together with SLAVE_TABLE',
        'a slave table ARN whose region contradicts SLAVE_REGION',
      ].includes(name),
    ),
  )('a refused configuration (%s) is an init error: each invocation fails with it', async (_, env, problems) => {
    // Prepare
    const lambda = localReplicator({ endpoint, slaveTable: 'unused', logLevel: 'ERROR', env });
    const message = misconfigured(problems);
    try {
      // Act
      const invocation = await lambda.invoke(streamEvent([good(1, 'a')]));

      // Assess: thrown at init and posted to /runtime/init/error, so the invocation fails with it; the container's
      // log has the function's ERROR line with every problem, then the runtime client's own line for it.
      expect(invocation).toMatchObject({ status: 'error', errorType: 'ConfigError', errorMessage: message });
      expect(lambda.stats).toMatchObject({ initErrors: 1, coldStarts: 1 });
      expect(lambda.entries()).toEqual([expect.objectContaining({ level: 'ERROR', message, problems })]);
      const initErrorLines = lambda.logs
        .map((line) => initErrorLinePattern(lambda.runtime).exec(line.text)?.[1])
        .filter((json) => json !== undefined)
        .map((json) => JSON.parse(json) as Record<string, unknown>);
      expect(initErrorLines).toEqual([
        expect.objectContaining({ errorType: 'ConfigError', errorMessage: message, problems }),
      ]);
    } finally {
      await lambda.close();
    }
  });
});
