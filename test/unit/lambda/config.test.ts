import { DEFAULT_WRITE_CONCURRENCY, loadConfig } from '../../../src/lambda/config';
import { ConfigError } from '../../../src/replicator/errors';
import { sourceTableOf } from '../../../src/shared/tableRef';

/** How config messages spell the expected role ARN. */
const ROLE_FORM = 'arn:aws:iam::<account>:role/<name>';

/** The ConfigError `loadConfig(env)` throws (fails the test when it returns). */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, loadConfig returned');
}

describe('loadConfig: valid environments', () => {
  test('SLAVE_REGION and SLAVE_TABLE give one slave and the default concurrency', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders' });

    // Assess
    expect(config).toEqual({
      slaves: [{ region: 'eu-west-1', table: 'Orders' }],
      writeConcurrency: DEFAULT_WRITE_CONCURRENCY,
      replicateTtlDeletes: true,
    });
  });

  test('surrounding spaces in SLAVE_REGION and SLAVE_TABLE are ignored', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: ' us-gov-west-1 ', SLAVE_TABLE: ' my.table_v-2 ' });

    // Assess
    expect(config.slaves).toEqual([{ region: 'us-gov-west-1', table: 'my.table_v-2' }]);
  });

  // Every partition's region naming, as the SDK's partitions list them (standard, China, GovCloud, ISO, European
  // Sovereign Cloud).
  test.each([
    'us-east-1',
    'ap-southeast-5',
    'il-central-1',
    'mx-central-1',
    'cn-northwest-1',
    'us-gov-east-1',
    'us-iso-east-1',
    'us-isob-east-1',
    'eu-isoe-west-1',
    'us-isof-south-1',
    'eusc-de-east-1',
  ])('the region %s is accepted', (region) => {
    // Act
    const config = loadConfig({ SLAVE_REGION: region, SLAVE_TABLE: 'Orders' });

    // Assess
    expect(config.slaves).toEqual([{ region, table: 'Orders' }]);
  });

  test('SLAVES gives every slave in the order listed, spaces around entries ignored', () => {
    // Act
    const config = loadConfig({ SLAVES: 'eu-west-1/Orders, ap-southeast-2/Orders ,cn-north-1/OrdersCopy' });

    // Assess
    expect(config.slaves).toEqual([
      { region: 'eu-west-1', table: 'Orders' },
      { region: 'ap-southeast-2', table: 'Orders' },
      { region: 'cn-north-1', table: 'OrdersCopy' },
    ]);
  });

  test('SLAVES with empty SLAVE_REGION/SLAVE_TABLE (set but blank) is accepted', () => {
    // Act
    const config = loadConfig({ SLAVES: 'eu-west-1/Orders', SLAVE_REGION: '', SLAVE_TABLE: ' ' });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: 'Orders' }]);
  });

  test.each([
    ['1', 1],
    ['16', 16],
    ['1000', 1000],
    ['', DEFAULT_WRITE_CONCURRENCY],
  ])('WRITE_CONCURRENCY %j → %d', (value, expected) => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', WRITE_CONCURRENCY: value });

    // Assess
    expect(config.writeConcurrency).toBe(expected);
  });
});

describe('loadConfig: roles and TTL deletes', () => {
  const ROLE = 'arn:aws:iam::210987654321:role/replica-writer';

  test('SLAVE_ROLE_ARN gives the single slave that role', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', SLAVE_ROLE_ARN: ` ${ROLE} ` });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: 'Orders', roleArn: ROLE }]);
  });

  test('SLAVE_EXTERNAL_ID goes with the role', () => {
    // Act
    const config = loadConfig({
      SLAVE_REGION: 'eu-west-1',
      SLAVE_TABLE: 'Orders',
      SLAVE_ROLE_ARN: ROLE,
      SLAVE_EXTERNAL_ID: 'a1b2-c3=d4',
    });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: 'Orders', roleArn: ROLE, externalId: 'a1b2-c3=d4' }]);
  });

  test('region/table@roleArn entries in SLAVES: each slave its own role, or none; the external id only where a role is', () => {
    // Act
    const config = loadConfig({
      SLAVES: `eu-west-1/Orders@${ROLE}, us-west-2/Orders, ap-southeast-2/Copy@arn:aws-cn:iam::123456789012:role/path/writer`,
      SLAVE_EXTERNAL_ID: 'shared-id',
    });

    // Assess
    expect(config.slaves).toEqual([
      { region: 'eu-west-1', table: 'Orders', roleArn: ROLE, externalId: 'shared-id' },
      { region: 'us-west-2', table: 'Orders' },
      {
        region: 'ap-southeast-2',
        table: 'Copy',
        roleArn: 'arn:aws-cn:iam::123456789012:role/path/writer',
        externalId: 'shared-id',
      },
    ]);
  });

  test('a blank SLAVE_ROLE_ARN means no role', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', SLAVE_ROLE_ARN: '  ' });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: 'Orders' }]);
  });

  test.each([
    [undefined, true],
    ['', true],
    ['true', true],
    [' TRUE ', true],
    ['false', false],
    ['False', false],
  ])('REPLICATE_TTL_DELETES %j → %s', (value, expected) => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', REPLICATE_TTL_DELETES: value });

    // Assess
    expect(config.replicateTtlDeletes).toBe(expected);
  });
});

describe('loadConfig: every problem is reported, all in one ConfigError', () => {
  test('nothing set: SLAVE_REGION and SLAVE_TABLE are both named in one message', () => {
    // Act
    const error = configErrorOf({});

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('SLAVE_REGION is not set');
    expect(error.message).toContain('SLAVE_TABLE is not set');
  });

  test('blank values count as not set', () => {
    // Act
    const error = configErrorOf({ SLAVE_REGION: '  ', SLAVE_TABLE: '' });

    // Assess
    expect(error.problems).toHaveLength(2);
  });

  test('missing table and a bad WRITE_CONCURRENCY are reported together', () => {
    // Act
    const error = configErrorOf({ SLAVE_REGION: 'eu-west-1', WRITE_CONCURRENCY: 'lots' });

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.message).toContain('SLAVE_TABLE is not set');
    expect(error.message).toContain('WRITE_CONCURRENCY: "lots"');
  });

  test.each(['eu_west_1', 'EU-WEST-1', 'europe', 'arn:aws:dynamodb:eu-west-1', 'eu-west-1a'])(
    'a bad SLAVE_REGION %j is named with the variable',
    (region) => {
      // Act
      const error = configErrorOf({ SLAVE_REGION: region, SLAVE_TABLE: 'Orders' });

      // Assess
      expect(error.problems).toEqual([
        expect.stringContaining(`SLAVE_REGION: ${JSON.stringify(region)} is not an AWS region`),
      ]);
    },
  );

  test.each(['ab', 'has space', 'slash/name', 'x'.repeat(256), 'emoji✓'])('a bad SLAVE_TABLE %j is named', (table) => {
    // Act
    const error = configErrorOf({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: table });

    // Assess
    expect(error.problems).toEqual([expect.stringContaining('SLAVE_TABLE: ')]);
    expect(error.message).toContain('not a valid DynamoDB table name');
  });

  test('SLAVES together with SLAVE_REGION/SLAVE_TABLE is refused', () => {
    // Act
    const error = configErrorOf({ SLAVES: 'eu-west-1/Orders', SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders' });

    // Assess
    expect(error.message).toContain('use one form or the other');
  });

  test.each(['', ' ', ',', ' , '])('an empty SLAVES list %j is refused', (list) => {
    // Act
    const error = configErrorOf({ SLAVES: list });

    // Assess
    expect(error.problems).toEqual([expect.stringContaining('SLAVES: the list is empty')]);
  });

  test.each(['eu-west-1', 'eu-west-1/Orders/extra', '/Orders', 'eu-west-1/'])(
    'a malformed SLAVES entry %j is named',
    (entry) => {
      // Act
      const error = configErrorOf({ SLAVES: `us-east-1/Good,${entry}` });

      // Assess
      expect(error.problems).toEqual([
        `SLAVES: entry ${JSON.stringify(entry)} is not of the form region/table or region/table@roleArn (e.g. eu-west-1/Orders)`,
      ]);
    },
  );

  test('a bad region and a bad table inside SLAVES entries are each reported', () => {
    // Act
    const error = configErrorOf({ SLAVES: 'moon-1/Orders,eu-west-1/x' });

    // Assess
    expect(error.problems).toHaveLength(2);
    expect(error.problems[0]).toContain('"moon-1" is not an AWS region name');
    expect(error.problems[1]).toContain('"x" is not a valid DynamoDB table name');
  });

  test('a slave listed twice is refused', () => {
    // Act
    const error = configErrorOf({ SLAVES: 'eu-west-1/Orders, us-east-1/Orders, eu-west-1/Orders' });

    // Assess
    expect(error.problems).toEqual(['SLAVES: eu-west-1/Orders is listed twice']);
  });

  test.each([
    'eu-west-1/Orders@Writer',
    'eu-west-1/Orders@arn:aws:iam::12345:role/Writer',
    'eu-west-1/Orders@arn:aws:iam::123456789012:user/Writer',
  ])('a SLAVES entry with a malformed role %j is named, with the ARN form expected', (entry) => {
    // Act
    const error = configErrorOf({ SLAVES: entry });

    // Assess
    const roleArn = entry.slice(entry.indexOf('@') + 1);
    expect(error.problems).toEqual([
      `SLAVES entry ${JSON.stringify(entry)}: ${JSON.stringify(roleArn)} is not an IAM role ARN (expected ${ROLE_FORM})`,
    ]);
  });

  test('a SLAVES entry with an empty role after @ is malformed', () => {
    // Act
    const error = configErrorOf({ SLAVES: 'eu-west-1/Orders@' });

    // Assess
    expect(error.problems).toEqual([
      'SLAVES: entry "eu-west-1/Orders@" is not of the form region/table or region/table@roleArn (e.g. eu-west-1/Orders)',
    ]);
  });

  test.each(['arn:aws:iam::12345:role/Writer', 'Writer', 'arn:aws:iam::123456789012:user/Writer'])(
    'a malformed SLAVE_ROLE_ARN %j is named with the variable',
    (roleArn) => {
      // Act
      const error = configErrorOf({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', SLAVE_ROLE_ARN: roleArn });

      // Assess
      expect(error.problems).toEqual([
        `SLAVE_ROLE_ARN: ${JSON.stringify(roleArn)} is not an IAM role ARN (expected ${ROLE_FORM})`,
      ]);
    },
  );

  test('SLAVE_ROLE_ARN together with SLAVES is refused: roles then go into the SLAVES entries', () => {
    // Act
    const error = configErrorOf({
      SLAVES: 'eu-west-1/Orders',
      SLAVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/Writer',
    });

    // Assess
    expect(error.problems).toEqual([
      'SLAVE_ROLE_ARN is set together with SLAVES: give each slave its role in SLAVES as region/table@roleArn',
    ]);
  });

  test('SLAVE_EXTERNAL_ID without any role is refused', () => {
    // Act
    const error = configErrorOf({
      SLAVE_REGION: 'eu-west-1',
      SLAVE_TABLE: 'Orders',
      SLAVE_EXTERNAL_ID: 'shared-secret',
    });

    // Assess
    expect(error.problems).toEqual([
      'SLAVE_EXTERNAL_ID is set but no slave is written through a role (SLAVE_ROLE_ARN or region/table@roleArn)',
    ]);
  });

  test.each(['x', 'has space', 'a'.repeat(1225)])('a malformed SLAVE_EXTERNAL_ID %j is refused', (externalId) => {
    // Act
    const error = configErrorOf({
      SLAVE_REGION: 'eu-west-1',
      SLAVE_TABLE: 'Orders',
      SLAVE_ROLE_ARN: 'arn:aws:iam::123456789012:role/Writer',
      SLAVE_EXTERNAL_ID: externalId,
    });

    // Assess
    expect(error.problems).toEqual(['SLAVE_EXTERNAL_ID: must be 2 to 1224 characters of letters, digits and +=,.@:/-']);
  });

  test.each(['yes', '0', 'off', 'falsy'])('REPLICATE_TTL_DELETES %j is refused', (value) => {
    // Act
    const error = configErrorOf({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', REPLICATE_TTL_DELETES: value });

    // Assess
    expect(error.problems).toEqual([`REPLICATE_TTL_DELETES: ${JSON.stringify(value)} is not true or false`]);
  });

  test.each(['0', '-1', '1001', '2.5', 'ten', 'NaN'])('WRITE_CONCURRENCY %j is refused', (value) => {
    // Act
    const error = configErrorOf({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', WRITE_CONCURRENCY: value });

    // Assess
    expect(error.problems).toEqual([
      `WRITE_CONCURRENCY: ${JSON.stringify(value)} is not a whole number from 1 to 1000`,
    ]);
  });

  test('several problems in several variables all appear in one message', () => {
    // Act
    const error = configErrorOf({ SLAVES: 'bad,eu-west-1/ok-table,eu-west-1/ok-table', WRITE_CONCURRENCY: '0' });

    // Assess
    expect(error.problems).toHaveLength(3);
    expect(error.name).toBe('ConfigError');
    for (const problem of error.problems) expect(error.message).toContain(problem);
  });
});

describe('sourceTableOf', () => {
  test.each([
    ['arn:aws:dynamodb:us-east-1:123456789012:table/Orders/stream/2024-05-01T12:00:00.000', 'us-east-1', 'Orders'],
    [
      'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/Orders.v2/stream/2024-05-01T12:00:00.000',
      'cn-north-1',
      'Orders.v2',
    ],
    [
      'arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/my_table-1/stream/2024-05-01T12:00:00.000',
      'us-gov-west-1',
      'my_table-1',
    ],
    ['arn:aws:dynamodb:ddblocal:000000000000:table/Local/stream/2024-05-01T12:00:00.000', 'ddblocal', 'Local'],
    [
      'arn:aws-eusc:dynamodb:eusc-de-east-1:123456789012:table/Orders/stream/2024-05-01T12:00:00.000',
      'eusc-de-east-1',
      'Orders',
    ],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/Orders', 'eu-west-1', 'Orders'],
  ])('%s → region %s, table %s', (arn, region, table) => {
    // Act
    const source = sourceTableOf(arn);

    // Assess
    expect(source).toEqual({ region, table });
  });

  test.each([
    'arn:aws:kinesis:us-east-1:123456789012:stream/Orders',
    'arn:aws:sqs:us-east-1:123456789012:queue',
    'not an arn',
    '',
  ])('%j is not a DynamoDB stream → undefined', (arn) => {
    // Act
    const source = sourceTableOf(arn);

    // Assess
    expect(source).toBeUndefined();
  });
});
