/**
 * The settings described once (src/function/settings.ts) for the zip's environment and the library's options: each
 * setting answers a bad value with the same reason from either side, naming the variable or the option, and takes
 * the same default when not given.
 */
import { readSettings } from '../../../src/function/settings';

/** The reason of the one problem `given` has, without the name and the value it starts with. */
function reasonOf(from: 'environment' | 'options', given: Record<string, unknown>): string {
  const problems: string[] = [];
  readSettings(from, given, problems);
  expect(problems).toHaveLength(1);
  const [name = ''] = Object.keys(given);
  const problem = problems[0] as string;
  expect(problem.startsWith(`${name}: ${JSON.stringify(given[name])} `)).toBe(true);
  return problem.slice(`${name}: ${JSON.stringify(given[name])} `.length);
}

describe('readSettings', () => {
  test('nothing given: the environment and the options take the same defaults', () => {
    // Act
    const fromEnvironment = readSettings('environment', {}, []);
    const fromOptions = readSettings('options', {}, []);

    // Assess
    expect(fromEnvironment).toEqual(fromOptions);
    expect(fromOptions).toEqual({
      writeConcurrency: 200,
      replicateTtlDeletes: true,
      excludeAttributes: [],
      reportBatchItemFailures: false,
    });
  });

  test.each<[string, string, string, unknown]>([
    ['WRITE_CONCURRENCY', '0', 'writeConcurrency', 0],
    ['WRITE_CONCURRENCY', '2.5', 'writeConcurrency', 2.5],
    ['REPLICATE_TTL_DELETES', 'maybe', 'replicateTtlDeletes', 'maybe'],
    ['REPORT_BATCH_ITEM_FAILURES', 'yes', 'reportBatchItemFailures', 'yes'],
    ['EXCLUDE_ATTRIBUTES', 'ssn,,email', 'excludeAttributes', ['ssn', '', 'email']],
    ['EXCLUDE_ATTRIBUTES', 'ssn,email,ssn', 'excludeAttributes', ['ssn', 'email', 'ssn']],
  ])('%s=%j and %s: %j are refused for the same reason', (variable, text, option, value) => {
    // Act
    const fromEnvironment = reasonOf('environment', { [variable]: text });
    const fromOptions = reasonOf('options', { [option]: value });

    // Assess
    expect(fromEnvironment).toBe(fromOptions);
  });

  test('the environment reads text: a comma-separated list, true/false in any case, a number', () => {
    // Act
    const settings = readSettings(
      'environment',
      {
        EXCLUDE_ATTRIBUTES: ' ssn , email ',
        REPLICATE_TTL_DELETES: 'FALSE',
        REPORT_BATCH_ITEM_FAILURES: ' True ',
        WRITE_CONCURRENCY: ' 8 ',
      },
      [],
    );

    // Assess
    expect(settings).toEqual({
      writeConcurrency: 8,
      replicateTtlDeletes: false,
      excludeAttributes: ['ssn', 'email'],
      reportBatchItemFailures: true,
    });
  });
});
