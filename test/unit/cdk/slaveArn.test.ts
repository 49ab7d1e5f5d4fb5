/**
 * The CDK construct with a slave given by its table ARN (a table of another account whose resource-based policy
 * allows the function's role): the function is told the ARN without a region and the role may write exactly that
 * ARN, as deploy/template.json does with SlaveTableArn; and the props the function would refuse are refused.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DynamoReplicator } from '../../../src/cdk';
import type { DynamoReplicatorProps, SlaveTableProps } from '../../../src/cdk/props';

const STREAM = 'arn:aws:dynamodb:us-east-1:111122223333:table/Orders/stream/2024-05-01T12:00:00.000';
const REPLICA_ARN = 'arn:aws:dynamodb:eu-west-1:444455556666:table/OrdersReplica';

/** The stack synthesized with these slaves. */
function synthesize(slaves: readonly SlaveTableProps[]): Template {
  const stack = new Stack(new App({ analyticsReporting: false }), 'Orders', {
    env: { account: '111122223333', region: 'us-east-1' },
  });
  new DynamoReplicator(stack, 'Replica', { master: STREAM, slaves } as DynamoReplicatorProps);
  return Template.fromStack(stack);
}

/** The function's variables and the role's WriteTheSlave(s) resources. */
function wiring(template: Template): { variables: Record<string, unknown>; written: unknown } {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function')) as Array<{
    Properties: { Environment: { Variables: Record<string, unknown> } };
  }>;
  const [role] = Object.values(template.findResources('AWS::IAM::Role')) as Array<{
    Properties: { Policies: Array<{ PolicyDocument: { Statement: Array<{ Sid: string; Resource: unknown }> } }> };
  }>;
  const statements = role?.Properties.Policies.flatMap((policy) => policy.PolicyDocument.Statement) ?? [];
  return {
    variables: fn?.Properties.Environment.Variables ?? {},
    written: statements.find((statement) => statement.Sid.startsWith('WriteTheSlave'))?.Resource,
  };
}

describe('DynamoReplicator with a slave by table ARN', () => {
  test('one slave by ARN: SLAVE_TABLE is the ARN, no SLAVE_REGION, and the role writes that ARN', () => {
    // Act
    const { variables, written } = wiring(synthesize([{ tableArn: REPLICA_ARN }]));

    // Assess
    expect(variables.SLAVE_TABLE).toBe(REPLICA_ARN);
    expect(variables).not.toHaveProperty('SLAVE_REGION');
    expect(written).toBe(REPLICA_ARN);
  });

  test('an ARN beside a named slave: SLAVES lists the ARN, and the role writes both tables', () => {
    // Act
    const { variables, written } = wiring(
      synthesize([{ tableArn: REPLICA_ARN }, { region: 'eu-west-1', tableName: 'OrdersCopy' }]),
    );

    // Assess
    expect(variables.SLAVES).toBe(`${REPLICA_ARN},eu-west-1/OrdersCopy`);
    expect(written).toEqual([
      REPLICA_ARN,
      {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:111122223333:table/OrdersCopy']],
      },
    ]);
  });

  test.each([
    [
      'both tableName and tableArn',
      [{ region: 'eu-west-1', tableName: 'X1x', tableArn: REPLICA_ARN }],
      /give tableName \(with region\) or tableArn, one of them/,
    ],
    [
      'an ARN as tableName',
      [{ region: 'eu-west-1', tableName: REPLICA_ARN }],
      /tableName is an ARN: give it as tableArn/,
    ],
    ['a name as tableArn', [{ tableArn: 'OrdersReplica' }], /tableArn: "OrdersReplica" is not an ARN/],
    [
      'a region contradicting the ARN',
      [{ region: 'us-west-2', tableArn: REPLICA_ARN }],
      /region is us-west-2 but slave .* tableArn is a table in eu-west-1/,
    ],
    [
      'a malformed ARN',
      [{ tableArn: 'arn:aws:dynamodb:eu-west-1:4444:table/OrdersReplica' }],
      /"4444" is not a 12-digit account id/,
    ],
    [
      'one table by name and by ARN',
      [{ region: 'eu-west-1', tableName: 'OrdersReplica' }, { tableArn: REPLICA_ARN }],
      /is listed twice/,
    ],
  ])('refuses %s', (_case, slaves, message) => {
    // Act
    const act = () => synthesize(slaves);

    // Assess
    expect(act).toThrow(message);
  });
});
