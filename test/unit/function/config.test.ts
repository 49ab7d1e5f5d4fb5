/**
 * loadConfig, the environments it accepts: one slave or many (SLAVES), roles and external ids, TTL deletes; and
 * sourceTableOf, which names the master from a stream ARN. Refused environments: config.problems.test.ts.
 */
import { loadConfig } from '../../../src/function/config';
import { DEFAULT_WRITE_CONCURRENCY } from '../../../src/function/settings';
import { sourceTableOf } from '../../../src/shared/tableRef';

describe('loadConfig: valid environments', () => {
  test('SLAVE_REGION and SLAVE_TABLE give one slave, the default concurrency, no excluded attributes and no partial responses', () => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders' });

    // Assess
    expect(config).toEqual({
      slaves: [{ region: 'eu-west-1', table: 'Orders' }],
      writeConcurrency: DEFAULT_WRITE_CONCURRENCY,
      replicateTtlDeletes: true,
      excludeAttributes: [],
      reportBatchItemFailures: false,
    });
  });

  test.each([
    ['true', true],
    [' TRUE ', true],
    ['false', false],
    ['', false],
  ])('REPORT_BATCH_ITEM_FAILURES=%j → reportBatchItemFailures %s', (value, expected) => {
    // Act
    const config = loadConfig({ SLAVE_REGION: 'eu-west-1', SLAVE_TABLE: 'Orders', REPORT_BATCH_ITEM_FAILURES: value });

    // Assess
    expect(config.reportBatchItemFailures).toBe(expected);
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
