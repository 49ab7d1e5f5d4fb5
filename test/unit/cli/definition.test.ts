import type { TableDescription } from '@aws-sdk/client-dynamodb';
import { ToolError } from '../../../src/cli/errors';
import { definitionDifferences, tableDefinition } from '../../../src/cli/table/definition';
import { MASTER_REF, onDemandMaster, provisionedMaster, SLAVE_REF } from './definitionFixture';

/** The master's description with changes, as the slave's. */
function slaveLike(change: (description: TableDescription) => void): TableDescription {
  const description = provisionedMaster();
  change(description);
  return description;
}

describe('tableDefinition: what DescribeTable says', () => {
  it('reads billing, capacity, class, protection, stream, encryption and indexes of a provisioned table', () => {
    // Act
    const definition = tableDefinition(provisionedMaster(), MASTER_REF, { ttlAttribute: 'expiresAt' });

    // Assess
    expect(definition.billingMode).toBe('PROVISIONED');
    expect(definition.provisioned).toEqual({ read: 10, write: 20 });
    expect(definition.onDemand).toBeUndefined();
    expect(definition.tableClass).toBe('STANDARD_INFREQUENT_ACCESS');
    expect(definition.deletionProtection).toBe(true);
    expect(definition.stream).toBe('NEW_IMAGE');
    expect(definition.encryption).toEqual({ kind: 'AWS_OWNED' });
    expect(definition.ttlAttribute).toBe('expiresAt');
    expect(definition.globalIndexes.map((index) => [index.name, index.projection, index.provisioned])).toEqual([
      ['byCustomer', { type: 'INCLUDE', nonKeyAttributes: ['total', 'currency'] }, { read: 5, write: 6 }],
      ['byStatus', { type: 'KEYS_ONLY', nonKeyAttributes: [] }, { read: 7, write: 8 }],
    ]);
    expect(definition.localIndexes.map((index) => index.name)).toEqual(['byPlacedAt']);
  });

  it('reads an on-demand table: limits set (above 0) only, no capacity from the zeros DynamoDB reports', () => {
    // Act
    const definition = tableDefinition(onDemandMaster(), MASTER_REF);

    // Assess
    expect(definition.billingMode).toBe('PAY_PER_REQUEST');
    expect(definition.provisioned).toBeUndefined();
    expect(definition.onDemand).toEqual({ maxRead: 100 });
    expect(definition.globalIndexes[0]?.onDemand).toEqual({ maxRead: 50, maxWrite: 60 });
    expect(definition.globalIndexes[0]?.provisioned).toBeUndefined();
    expect(definition.tableClass).toBe('STANDARD');
    expect(definition.deletionProtection).toBe(false);
  });

  it('reads a KMS key from the SSE description', () => {
    // Prepare
    const arn = 'arn:aws:kms:us-east-1:111122223333:key/abc';

    // Act
    const definition = tableDefinition(
      { ...provisionedMaster(), SSEDescription: { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: arn } },
      MASTER_REF,
    );

    // Assess
    expect(definition.encryption).toEqual({ kind: 'KMS', keyArn: arn });
  });

  it('a description without a key schema is an error naming the table', () => {
    // Act
    const read = () => tableDefinition({ TableName: 'Orders' }, MASTER_REF);

    // Assess
    expect(read).toThrow(ToolError);
    expect(read).toThrow('table Orders in us-east-1: DescribeTable returned no key schema');
  });
});

describe('definitionDifferences: what a replica must share with its master', () => {
  const master = tableDefinition(provisionedMaster(), MASTER_REF, { ttlAttribute: 'expiresAt' });

  it('none for the same definition, also with other capacity, billing, class, protection, stream and tags', () => {
    // Prepare
    const slave = tableDefinition(
      slaveLike((description) => {
        description.BillingModeSummary = { BillingMode: 'PAY_PER_REQUEST' };
        description.TableClassSummary = undefined;
        description.DeletionProtectionEnabled = false;
        description.StreamSpecification = undefined;
      }),
      SLAVE_REF,
      { ttlAttribute: 'expiresAt', tags: [{ Key: 'other', Value: 'tag' }] },
    );

    // Act
    const differences = definitionDifferences(master, slave);

    // Assess
    expect(differences).toEqual([]);
  });

  it('names a missing index, another projection, other index keys and an index on the slave only', () => {
    // Prepare
    const slave = tableDefinition(
      slaveLike((description) => {
        const [byCustomer, byStatus] = description.GlobalSecondaryIndexes ?? [];
        if (!byCustomer || !byStatus) throw new Error('fixture without GSIs');
        byCustomer.Projection = { ProjectionType: 'INCLUDE', NonKeyAttributes: ['total'] };
        byStatus.KeySchema = [{ AttributeName: 'customer', KeyType: 'HASH' }];
        description.GlobalSecondaryIndexes?.push({ ...byStatus, IndexName: 'extra' });
        description.LocalSecondaryIndexes = [];
      }),
      SLAVE_REF,
      { ttlAttribute: 'expiresAt' },
    );

    // Act
    const differences = definitionDifferences(master, slave);

    // Assess
    expect(differences).toEqual([
      'global secondary index byCustomer: projection INCLUDE [currency, total] on the master, INCLUDE [total] on the slave',
      'global secondary index byStatus: keys status (S) on the master, customer (S) on the slave',
      'global secondary index extra exists on the slave only',
      'local secondary index byPlacedAt is missing on the slave',
    ]);
  });

  it('names another key schema, and a key type that differs', () => {
    // Prepare
    const slave = tableDefinition(
      slaveLike((description) => {
        description.AttributeDefinitions = description.AttributeDefinitions?.map((entry) =>
          entry.AttributeName === 'sk' ? { AttributeName: 'sk', AttributeType: 'S' } : entry,
        );
      }),
      SLAVE_REF,
      { ttlAttribute: 'expiresAt' },
    );

    // Act
    const differences = definitionDifferences(master, slave);

    // Assess
    expect(differences[0]).toBe('key schema: pk (S), sk (N) on the master, pk (S), sk (S) on the slave');
    expect(differences).toContain(
      'global secondary index byCustomer: keys customer (S), sk (N) on the master, customer (S), sk (S) on the slave',
    );
  });

  it('names a TTL attribute that is missing or another one', () => {
    // Prepare
    const without = tableDefinition(provisionedMaster(), SLAVE_REF);
    const other = tableDefinition(provisionedMaster(), SLAVE_REF, { ttlAttribute: 'ttl' });

    // Act
    const missing = definitionDifferences(master, without);
    const different = definitionDifferences(master, other);

    // Assess
    expect(missing).toEqual(['TTL attribute: expiresAt on the master, TTL off on the slave']);
    expect(different).toEqual(['TTL attribute: expiresAt on the master, ttl on the slave']);
  });
});
