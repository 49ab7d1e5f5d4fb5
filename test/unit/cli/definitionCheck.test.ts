process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DefinitionAccess } from '../../../src/cli/table/definitionAccess';
import { definitionWarnings } from '../../../src/cli/verify/definitionCheck';
import { awsError, unitClient } from '../../helpers/sdkMocks';
import { describeProvisionedMaster, MASTER_REF, provisionedMaster, SLAVE_REF } from './definitionFixture';

describe('verify: definition warnings', () => {
  const mock = mockClient(DynamoDBClient);
  const accessOf = () => ({
    master: new DefinitionAccess(MASTER_REF, unitClient(MASTER_REF.region)),
    slave: new DefinitionAccess(SLAVE_REF, unitClient(SLAVE_REF.region)),
  });

  beforeEach(() => {
    mock.reset();
    describeProvisionedMaster(mock);
  });

  it('none for the same indexes (non-key attributes in another order) and TTL', async () => {
    // Prepare
    const slave = provisionedMaster();
    const [byCustomer] = slave.GlobalSecondaryIndexes ?? [];
    if (byCustomer) byCustomer.Projection = { ProjectionType: 'INCLUDE', NonKeyAttributes: ['currency', 'total'] };
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).resolves({ Table: slave });
    mock
      .on(DescribeTimeToLiveCommand, { TableName: 'OrdersReplica' })
      .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLING', AttributeName: 'expiresAt' } });
    const { master, slave: slaveAccess } = accessOf();

    // Act
    const warnings = await definitionWarnings(master, slaveAccess);

    // Assess
    expect(warnings).toEqual([]);
  });

  it('TTL that may not be read: a warning naming dynamodb:DescribeTimeToLive, the indexes still compared', async () => {
    // Prepare: an older operator policy without DescribeTimeToLive on the slave; the slave lacks byStatus
    const slave = provisionedMaster();
    slave.GlobalSecondaryIndexes = slave.GlobalSecondaryIndexes?.slice(0, 1);
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).resolves({ Table: slave });
    mock
      .on(DescribeTimeToLiveCommand, { TableName: 'OrdersReplica' })
      .rejects(awsError('AccessDeniedException', 'not authorized'));
    const { master, slave: slaveAccess } = accessOf();

    // Act
    const warnings = await definitionWarnings(master, slaveAccess);

    // Assess
    expect(warnings).toEqual([
      'table definitions differ: global secondary index byStatus is missing on the slave',
      'TTL attributes not compared: your credentials need the IAM action dynamodb:DescribeTimeToLive on both tables',
    ]);
  });
});
