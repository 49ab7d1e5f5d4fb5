/**
 * loadConfig, the environments it refuses: every problem is reported, all at once, in one ConfigError whose message
 * says what to change. Accepted environments: config.test.ts.
 */
import { loadConfig } from '../../../src/function/config';
import { ConfigError } from '../../../src/replicator/errors';

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
        `SLAVES: entry ${JSON.stringify(entry)} is not of the form region/table, region/table@roleArn or a table ARN (e.g. eu-west-1/Orders)`,
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
      'SLAVES: entry "eu-west-1/Orders@" is not of the form region/table, region/table@roleArn or a table ARN (e.g. eu-west-1/Orders)',
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
