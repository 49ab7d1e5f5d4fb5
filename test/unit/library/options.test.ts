/**
 * The library's options as createReplicator checks them: valid options become the function's configuration with the
 * zip's defaults, and every problem of invalid options is reported in one ConfigError, naming the option.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { checkOptions } from '../../../src/library/options';
import { ConfigError } from '../../../src/replicator/errors';

/** The ConfigError `checkOptions(options)` throws (fails the test when it returns). */
function problemsOf(options: unknown): readonly string[] {
  try {
    checkOptions(options);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError, checkOptions returned');
}

describe('checkOptions: valid options', () => {
  test('{ region, table } (the original package’s options) give one slave and the zip’s defaults', () => {
    // Act
    const checked = checkOptions({ region: 'eu-west-1', table: 'Orders' });

    // Assess
    expect(checked.config).toEqual({
      slaves: [{ region: 'eu-west-1', table: 'Orders' }],
      writeConcurrency: 200,
      replicateTtlDeletes: true,
      excludeAttributes: [],
      reportBatchItemFailures: false,
    });
    expect(checked.hooks).toBeUndefined();
    expect(checked.logger).toBeUndefined();
  });

  test('slaves with roles, the settings, a logger and hooks are all taken', () => {
    // Prepare
    const logger = new Logger({ logLevel: 'SILENT' });
    const roleArn = 'arn:aws:iam::123456789012:role/Writer';

    // Act
    const checked = checkOptions({
      slaves: [
        { region: 'eu-west-1', table: 'Orders' },
        { region: 'ap-southeast-2', table: 'Orders', roleArn, externalId: 'ext-1' },
      ],
      replicateTtlDeletes: false,
      writeConcurrency: 8,
      logger,
      filter: () => true,
      excludeAttributes: ['ssn'],
      reportBatchItemFailures: true,
    });

    // Assess
    expect(checked.config).toEqual({
      slaves: [
        { region: 'eu-west-1', table: 'Orders' },
        { region: 'ap-southeast-2', table: 'Orders', roleArn, externalId: 'ext-1' },
      ],
      writeConcurrency: 8,
      replicateTtlDeletes: false,
      excludeAttributes: ['ssn'],
      reportBatchItemFailures: true,
    });
    expect(checked.logger).toBe(logger);
    expect(checked.hooks?.filter).toEqual(expect.any(Function));
    expect(checked.hooks?.transform).toBeUndefined();
  });
});

describe('checkOptions: every problem in one ConfigError', () => {
  test('no options at all: one problem saying what to pass', () => {
    // Act
    const problems = problemsOf(undefined);

    // Assess
    expect(problems).toEqual(['options: expected an object such as { region, table } or { slaves: [...] }']);
  });

  test('empty options name both region and table', () => {
    // Act
    const problems = problemsOf({});

    // Assess
    expect(problems).toEqual([
      "region is not set (the slave table's region, e.g. eu-west-1)",
      'table is not set (the name or ARN of the slave table)',
    ]);
  });

  test('problems of every option are reported together, each naming its option', () => {
    // Act
    const problems = problemsOf({
      slaves: [
        { region: 'EU', table: 'x' },
        'eu-west-1/Orders',
        { region: 'eu-west-1', table: 'Orders', externalId: 'e1' },
      ],
      table: 'Orders',
      replicateTtlDeletes: 'yes',
      writeConcurrency: 0,
      logger: console,
      filter: 'status = open',
      transform: 1,
      excludeAttributes: 'ssn',
      tabel: 'Orders',
    });

    // Assess
    expect(problems).toEqual([
      'unknown option(s) tabel',
      'slaves is given together with table: use one form or the other',
      'slaves[0].region: "EU" is not an AWS region name (expected a name like eu-west-1)',
      'slaves[0].table: "x" is not a valid DynamoDB table name (3 to 255 characters: letters, digits, _ . -)',
      'slaves[1]: expected an object { region, table, roleArn?, externalId? }',
      'slaves[2].externalId is set without slaves[2].roleArn',
      'writeConcurrency: 0 is not a whole number from 1 to 1000',
      'replicateTtlDeletes: "yes" is not true or false',
      'excludeAttributes: "ssn" is not a list of attribute names',
      'logger: expected a Powertools Logger (from @aws-lambda-powertools/logger)',
      'filter: expected a function',
      'transform: expected a function',
    ]);
  });

  test('a slave listed twice, an empty slaves list, a bad role and a concurrency given as text are refused', () => {
    // Act
    const twice = problemsOf({
      slaves: [
        { region: 'eu-west-1', table: 'Orders' },
        { region: 'eu-west-1', table: 'Orders' },
      ],
    });
    const empty = problemsOf({ slaves: [] });
    const role = problemsOf({ region: 'eu-west-1', table: 'Orders', roleArn: 'Writer' });
    const concurrency = problemsOf({ region: 'eu-west-1', table: 'Orders', writeConcurrency: '8' });

    // Assess
    expect(twice).toEqual(['slaves: eu-west-1/Orders is listed twice']);
    expect(empty).toEqual(['slaves: expected a non-empty array of { region, table, roleArn?, externalId? }']);
    expect(role).toEqual(['roleArn: "Writer" is not an IAM role ARN (expected arn:aws:iam::<account>:role/<name>)']);
    expect(concurrency).toEqual(['writeConcurrency: "8" is not a whole number from 1 to 1000']);
  });

  test('the ConfigError’s message holds every problem', () => {
    // Act
    let caught: unknown;
    try {
      checkOptions({ region: 'nowhere', table: 'x', excludeAttributes: ['ssn', 'ssn'] });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(ConfigError);
    const { message, problems } = caught as ConfigError;
    expect(problems).toHaveLength(3);
    for (const problem of problems) expect(message).toContain(problem);
    expect(message).toContain('excludeAttributes: ["ssn","ssn"] lists ssn twice');
  });
});
