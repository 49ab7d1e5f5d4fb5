/**
 * Slaves named by table ARN, in the zip's environment and the library's options alike: an ARN carries its region (so
 * SLAVE_REGION may be left out), a region that contradicts it is refused naming both, a malformed ARN names what is
 * wrong, and one table listed under two spellings is refused.
 */
import { loadConfig } from '../../../src/function/config';
import { checkOptions } from '../../../src/library/options';
import { ConfigError } from '../../../src/replicator/errors';

const REPLICA_ARN = 'arn:aws:dynamodb:eu-west-1:444455556666:table/Replica';
const ROLE_IN_444 = 'arn:aws:iam::444455556666:role/Writer';
const ROLE_IN_111 = 'arn:aws:iam::111122223333:role/Writer';

/** The problems of the ConfigError `act` throws (fails the test when it returns). */
function problemsOf(act: () => unknown): readonly string[] {
  try {
    act();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('a slave named by its table ARN', () => {
  test('SLAVE_TABLE as an ARN without SLAVE_REGION gives the ARN as the table, in the ARN’s region', () => {
    // Act
    const config = loadConfig({ SLAVE_TABLE: REPLICA_ARN });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: REPLICA_ARN }]);
  });

  test('SLAVE_REGION equal to the ARN’s region is accepted', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: REPLICA_ARN });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: REPLICA_ARN }]);
  });

  test('SLAVE_REGION contradicting the ARN is an init error naming both regions', () => {
    // Act
    const problems = problemsOf(() => loadConfig({ SLAVE_REGION: 'us-east-1', SLAVE_TABLE: REPLICA_ARN }));

    // Assess
    expect(problems).toEqual([
      `SLAVE_REGION is us-east-1 but SLAVE_TABLE is a table in eu-west-1 (${REPLICA_ARN}): give the table's own region, or leave SLAVE_REGION out`,
    ]);
  });

  test.each([
    ['arn:aws:dynamodb:eu-west-1:444455556666', 'it has 4 of the 5 colons'],
    ['arn:aws:s3:eu-west-1:444455556666:table/Replica', 'it is an ARN of s3, not of a DynamoDB table'],
    ['arn:aws:dynamodb:eu-west-1:4444:table/Replica', '"4444" is not a 12-digit account id'],
    ['arn:aws:dynamodb:eu-west-1:444455556666:index/Replica', '"index/Replica" is not table/<name>'],
    ['arn:aws:dynamodb:eu-west-1:444455556666:table/Re plica', '"Re plica" is not a DynamoDB table name'],
    ['arn:azure:dynamodb:eu-west-1:444455556666:table/Replica', '"azure" is not an AWS partition'],
    [`${REPLICA_ARN}/stream/2024-05-01T12:00:00.000`, 'it names stream "2024-05-01T12:00:00.000" of table Replica'],
  ])('the malformed ARN %j names what is wrong: %s', (arn, what) => {
    // Act
    const problems = problemsOf(() => loadConfig({ SLAVE_TABLE: arn }));

    // Assess
    expect(problems).toEqual([expect.stringContaining(`SLAVE_TABLE: "${arn}" is not a DynamoDB table ARN: ${what}`)]);
  });

  test('an ARN with a bad region names the region, not a missing SLAVE_REGION', () => {
    // Act
    const problems = problemsOf(() => loadConfig({ SLAVE_TABLE: 'arn:aws:dynamodb:EU:444455556666:table/Replica' }));

    // Assess
    expect(problems).toEqual([expect.stringContaining('"EU" is not a region name')]);
  });
});

describe('SLAVES with ARNs', () => {
  test('ARN entries mix with region/table entries, with or without a role, in the order given', () => {
    // Act
    const config = loadConfig({
      SLAVES: `${REPLICA_ARN}, eu-west-1/Other, ${REPLICA_ARN.replace('Replica', 'Third')}@${ROLE_IN_444}`,
    });

    // Assess
    expect(config.slaves).toEqual([
      { region: 'eu-west-1', table: REPLICA_ARN },
      { region: 'eu-west-1', table: 'Other' },
      { region: 'eu-west-1', table: `${REPLICA_ARN.replace('Replica', 'Third')}`, roleArn: ROLE_IN_444 },
    ]);
  });

  test('one table by name and by ARN is refused: a name without a role may be in the same account', () => {
    // Act
    const problems = problemsOf(() => loadConfig({ SLAVES: `eu-west-1/Replica,${REPLICA_ARN}` }));

    // Assess
    expect(problems).toEqual([
      `SLAVES: eu-west-1/Replica and ${REPLICA_ARN} may be the same table (a name without a role is in the function's own account, unknown here): list it once, or name both by ARN`,
    ]);
  });

  test('a name written through a role in the ARN’s account is the same table; in another account it is not', () => {
    // Act
    const same = problemsOf(() => loadConfig({ SLAVES: `eu-west-1/Replica@${ROLE_IN_444},${REPLICA_ARN}` }));
    const other = loadConfig({ SLAVES: `eu-west-1/Replica@${ROLE_IN_111},${REPLICA_ARN}` });

    // Assess
    expect(same).toEqual([expect.stringContaining('may be the same table')]);
    expect(other.slaves).toHaveLength(2);
  });

  test('two ARNs of same-named tables in two accounts are two slaves; one ARN twice is refused', () => {
    // Act
    const two = loadConfig({ SLAVES: `${REPLICA_ARN},${REPLICA_ARN.replace('444455556666', '111122223333')}` });
    const twice = problemsOf(() => loadConfig({ SLAVES: `${REPLICA_ARN},${REPLICA_ARN}` }));

    // Assess
    expect(two.slaves).toHaveLength(2);
    expect(twice).toEqual([`SLAVES: ${REPLICA_ARN} is listed twice`]);
  });

  test('a malformed ARN entry is named with its entry', () => {
    // Act
    const problems = problemsOf(() => loadConfig({ SLAVES: 'eu-west-1/Other,arn:aws:dynamodb:eu-west-1:1:table/X' }));

    // Assess
    expect(problems).toEqual([
      expect.stringContaining(
        'SLAVES entry "arn:aws:dynamodb:eu-west-1:1:table/X": "arn:aws:dynamodb:eu-west-1:1:table/X" is not a DynamoDB table ARN: "1" is not a 12-digit account id',
      ),
    ]);
  });
});

describe('createReplicator’s options with ARNs', () => {
  test('{ slaves: [{ table: arn }] } needs no region', () => {
    // Act
    const { config } = checkOptions({ slaves: [{ table: REPLICA_ARN }, { region: 'eu-west-1', table: 'Other' }] });

    // Assess
    expect(config.slaves).toEqual([
      { region: 'eu-west-1', table: REPLICA_ARN },
      { region: 'eu-west-1', table: 'Other' },
    ]);
  });

  test('a region contradicting the ARN, and the same table by name and ARN, are refused together', () => {
    // Act
    const problems = problemsOf(() =>
      checkOptions({
        slaves: [
          { region: 'us-east-1', table: REPLICA_ARN },
          { region: 'eu-west-1', table: 'Other' },
          { table: REPLICA_ARN.replace('Replica', 'Other') },
        ],
      }),
    );

    // Assess
    expect(problems).toEqual([
      `slaves[0].region is us-east-1 but slaves[0].table is a table in eu-west-1 (${REPLICA_ARN}): give the table's own region, or leave slaves[0].region out`,
      expect.stringContaining(
        `slaves: eu-west-1/Other and ${REPLICA_ARN.replace('Replica', 'Other')} may be the same table`,
      ),
    ]);
  });

  test('{ table: arn } alone (the single-slave form) is one slave', () => {
    // Act
    const { config } = checkOptions({ table: REPLICA_ARN });

    // Assess
    expect(config.slaves).toEqual([{ region: 'eu-west-1', table: REPLICA_ARN }]);
  });
});
