/**
 * EXCLUDE_ATTRIBUTES as loadConfig reads it: what init can check (a comma list of distinct, non-empty names).
 * Excluding a key attribute is only known from the records' Keys, so it fails at run time: test/unit/replicator/
 * shaping.test.ts.
 */
import { loadConfig } from '../../../src/function/config';
import { ConfigError } from '../../../src/replicator/errors';

const SLAVE = { SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders' };

describe('loadConfig: EXCLUDE_ATTRIBUTES', () => {
  test('a comma list gives the attribute names, spaces around them ignored', () => {
    // Act
    const config = loadConfig({ ...SLAVE, EXCLUDE_ATTRIBUTES: ' ssn , email' });

    // Assess
    expect(config.excludeAttributes).toEqual(['ssn', 'email']);
  });

  test.each([undefined, '', '  '])('unset or blank (%j) excludes nothing', (value) => {
    // Act
    const config = loadConfig({ ...SLAVE, EXCLUDE_ATTRIBUTES: value });

    // Assess
    expect(config.excludeAttributes).toEqual([]);
  });

  test.each(['ssn,,email', 'ssn,', ',ssn', ' , '])('a list with an empty name (%j) is refused at init', (value) => {
    // Act
    const act = () => loadConfig({ ...SLAVE, EXCLUDE_ATTRIBUTES: value });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(`EXCLUDE_ATTRIBUTES: ${JSON.stringify(value)} has an empty name`);
  });

  test('a name listed twice is refused, reported with the other variables’ problems in one message', () => {
    // Act
    const act = () => loadConfig({ SLAVE_REGION: 'eu-west-1', EXCLUDE_ATTRIBUTES: 'ssn,email,ssn' });

    // Assess
    expect(act).toThrow('SLAVE_TABLE is not set');
    expect(act).toThrow('EXCLUDE_ATTRIBUTES: "ssn,email,ssn" lists ssn twice');
  });
});
