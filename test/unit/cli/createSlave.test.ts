process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import {
  CreateTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTagsOfResourceCommand,
  type TableDescription,
  TagResourceCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { type CreateSlaveConfig, runCreateSlave } from '../../../src/cli/createSlave/createSlave';
import { ToolError } from '../../../src/cli/errors';
import { main } from '../../../src/cli/main';
import { awsError } from '../../helpers/sdkMocks';
import { describeProvisionedMaster, MASTER_ARN, provisionedMaster } from './definitionFixture';

const SLAVE_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/OrdersReplica';
const TAGS = [{ Key: 'team', Value: 'orders' }];

function config(overrides: Partial<CreateSlaveConfig> = {}, write: (text: string) => void = () => undefined) {
  return {
    master: { region: 'us-east-1', table: 'Orders' },
    slave: { region: 'eu-west-1', table: 'OrdersReplica' },
    endpoint: 'http://127.0.0.1:9',
    overrides: { tags: true },
    dryRun: false,
    progress: { mode: 'none' as const, write, intervalMs: 250 },
    pollMs: 1,
    ...overrides,
  };
}

/** The slave on its way: not found yet, table and indexes CREATING, table ACTIVE with an index CREATING, ACTIVE. */
function slaveStates(): TableDescription[] {
  const active = { ...provisionedMaster(), TableName: 'OrdersReplica', TableArn: SLAVE_ARN };
  const withIndexes = (table: string, index: string): TableDescription => ({
    ...active,
    TableStatus: table as TableDescription['TableStatus'],
    GlobalSecondaryIndexes: active.GlobalSecondaryIndexes?.map((entry, at) => ({
      ...entry,
      IndexStatus: (at === 0 ? index : 'ACTIVE') as 'ACTIVE',
    })),
  });
  return [withIndexes('CREATING', 'CREATING'), withIndexes('ACTIVE', 'CREATING'), active];
}

describe('create-slave with the SDK mocked: the requests it sends', () => {
  const mock = mockClient(DynamoDBClient);
  const sentNames = (): string[] => mock.calls().map((call) => (call.args[0] as object).constructor.name);

  beforeEach(() => {
    mock.reset();
    describeProvisionedMaster(mock);
    mock.on(DescribeContinuousBackupsCommand).resolves({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED', RecoveryPeriodInDays: 7 },
      },
    });
    mock.on(ListTagsOfResourceCommand, { ResourceArn: MASTER_ARN }).resolves({ Tags: TAGS });
    const [creating, indexCreating, active] = slaveStates();
    mock
      .on(DescribeTableCommand, { TableName: 'OrdersReplica' })
      .rejectsOnce(awsError('ResourceNotFoundException', 'Requested resource not found'))
      .resolvesOnce({ Table: creating })
      .resolvesOnce({ Table: indexCreating })
      .resolves({ Table: active });
    mock.on(CreateTableCommand).resolves({ TableDescription: { ...creating, TableArn: SLAVE_ARN } });
    mock.on(UpdateTimeToLiveCommand).resolves({});
    mock.on(UpdateContinuousBackupsCommand).resolves({});
    mock.on(TagResourceCommand).resolves({});
  });

  it('reads the master, creates, waits for table and indexes ACTIVE, then sets TTL, PITR and tags in that order', async () => {
    // Act
    const summary = await runCreateSlave(config());

    // Assess
    expect(summary.outcome).toBe('created');
    expect(sentNames().slice(4)).toEqual([
      'DescribeTableCommand', // the slave: not found
      'CreateTableCommand',
      'DescribeTableCommand', // CREATING
      'DescribeTableCommand', // an index CREATING
      'DescribeTableCommand', // ACTIVE
      'UpdateTimeToLiveCommand',
      'UpdateContinuousBackupsCommand',
      'TagResourceCommand',
    ]);
    expect(sentNames().slice(0, 4).sort()).toEqual([
      'DescribeContinuousBackupsCommand',
      'DescribeTableCommand',
      'DescribeTimeToLiveCommand',
      'ListTagsOfResourceCommand',
    ]);
    expect(mock.commandCalls(UpdateTimeToLiveCommand)[0]?.args[0].input).toEqual({
      TableName: 'OrdersReplica',
      TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
    });
    expect(mock.commandCalls(UpdateContinuousBackupsCommand)[0]?.args[0].input).toEqual({
      TableName: 'OrdersReplica',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 },
    });
    expect(mock.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ ResourceArn: SLAVE_ARN, Tags: TAGS });
    expect(mock.commandCalls(CreateTableCommand)[0]?.args[0].input.TableName).toBe('OrdersReplica');
    expect(summary.requests.map((request) => request.action)).toEqual([
      'CreateTable',
      'UpdateTimeToLive',
      'UpdateContinuousBackups',
      'TagResource',
    ]);
  });

  it('shows the wait on a terminal and ends its line; prints nothing when not a terminal', async () => {
    // Prepare
    const onTerminal: string[] = [];
    const inLog: string[] = [];
    const terminal = { mode: 'bar' as const, write: (text: string) => onTerminal.push(text), intervalMs: 250 };

    // Act
    await runCreateSlave(config({ progress: terminal }));
    mock.resetHistory();
    mock
      .on(DescribeTableCommand, { TableName: 'OrdersReplica' })
      .rejectsOnce(awsError('ResourceNotFoundException', 'not found'))
      .resolvesOnce({ Table: slaveStates()[0] })
      .resolves({ Table: slaveStates()[2] });
    await runCreateSlave(config({ progress: { mode: 'lines', write: (text) => inLog.push(text), intervalMs: 1 } }));

    // Assess
    expect(onTerminal[0]).toMatch(
      /^\rcreate-slave: waiting for eu-west-1\/OrdersReplica: table CREATING, indexes 1\/2 ACTIVE/,
    );
    expect(onTerminal[1]).toMatch(/table ACTIVE, indexes 1\/2 ACTIVE/);
    expect(onTerminal.at(-1)).toBe('\n');
    expect(inLog).toEqual([]);
  });

  it('--no-tags neither reads nor writes tags; a dry run sends no write and shows the ARN placeholder', async () => {
    // Act
    const noTags = await runCreateSlave(config({ overrides: { tags: false } }));
    mock.resetHistory();
    mock
      .on(DescribeTableCommand, { TableName: 'OrdersReplica' })
      .rejects(awsError('ResourceNotFoundException', 'not found'));
    const dryRun = await runCreateSlave(config({ dryRun: true }));

    // Assess
    expect(noTags.requests.map((request) => request.action)).not.toContain('TagResource');
    expect(dryRun.outcome).toBe('would-create');
    expect(dryRun.requests.at(-1)).toEqual({
      action: 'TagResource',
      input: { ResourceArn: '<ARN of the new table>', Tags: TAGS },
    });
    expect(sentNames()).not.toContain('CreateTableCommand');
    expect(sentNames()).not.toContain('UpdateTimeToLiveCommand');
    expect(sentNames()).not.toContain('TagResourceCommand');
  });

  it('an endpoint without backups or tagging APIs: warnings, and no requests for them', async () => {
    // Prepare: DynamoDB Local answers so
    mock.on(DescribeContinuousBackupsCommand).rejects(awsError('UnknownOperationException', 'unknown operation'));
    mock.on(ListTagsOfResourceCommand).rejects(awsError('UnknownOperationException', 'Tagging is not supported'));

    // Act
    const summary = await runCreateSlave(config());

    // Assess
    expect(summary.outcome).toBe('created');
    expect(summary.requests.map((request) => request.action)).toEqual(['CreateTable', 'UpdateTimeToLive']);
    expect(summary.warnings).toEqual([
      expect.stringContaining(
        'point-in-time recovery not copied: the endpoint does not implement DescribeContinuousBackups',
      ),
      expect.stringContaining('tags not copied: the endpoint does not implement ListTagsOfResource'),
    ]);
  });

  it.each([
    ['CreateTable', CreateTableCommand, 'OrdersReplica in region eu-west-1'],
    ['UpdateTimeToLive', UpdateTimeToLiveCommand, 'OrdersReplica in region eu-west-1'],
    ['UpdateContinuousBackups', UpdateContinuousBackupsCommand, 'OrdersReplica in region eu-west-1'],
    ['TagResource', TagResourceCommand, 'OrdersReplica in region eu-west-1'],
    ['DescribeContinuousBackups', DescribeContinuousBackupsCommand, 'Orders in region us-east-1'],
    ['ListTagsOfResource', ListTagsOfResourceCommand, 'Orders in region us-east-1'],
  ] as const)('access denied on %s: the message names the IAM action and the table', async (action, command, where) => {
    // Prepare
    mock.on(command as typeof CreateTableCommand).rejects(awsError('AccessDeniedException', 'not authorized'));

    // Act
    const error = await runCreateSlave(config()).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );

    // Assess
    expect(error).toBeInstanceOf(ToolError);
    expect((error as Error).message).toContain(
      `your credentials need the IAM action dynamodb:${action} on table ${where}`,
    );
  });

  it('Ctrl-C while waiting for ACTIVE stops with a message saying what was not set; none before CreateTable', async () => {
    // Prepare: the table stays CREATING until the run is interrupted on the second look
    const controller = new AbortController();
    let looks = 0;
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).callsFake(async () => {
      looks += 1;
      if (looks === 1) throw awsError('ResourceNotFoundException', 'not found');
      if (looks === 3) controller.abort();
      return { Table: slaveStates()[0] };
    });
    const aborted = new AbortController();
    aborted.abort();

    // Act
    const waiting = await runCreateSlave(config(), controller.signal).catch((error: unknown) => error);
    mock.resetHistory();
    looks = 0;
    const early = await runCreateSlave(config(), aborted.signal).catch((error: unknown) => error);

    // Assess
    expect(String(waiting)).toContain('interrupted while eu-west-1/OrdersReplica was being created (table CREATING');
    expect(String(waiting)).toContain('TTL, point-in-time recovery and tags were not set');
    expect(String(early)).toContain('interrupted before eu-west-1/OrdersReplica was created; nothing changed');
    expect(mock.commandCalls(CreateTableCommand)).toHaveLength(0);
  });

  it('a dry run as text shows each request with its input', async () => {
    // Prepare
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).rejects(awsError('ResourceNotFoundException', 'x'));
    const out: string[] = [];
    const io = { stdout: (text: string) => out.push(text), stderr: () => undefined, isTTY: false, cwd: '/tmp' };

    // Act
    const code = await main(
      [
        'create-slave',
        'us-east-1/Orders',
        'eu-west-1/OrdersReplica',
        '--dry-run',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ],
      io,
    );

    // Assess
    const text = out.join('');
    expect(code).toBe(0);
    expect(text).toContain('dry run, nothing created; the requests it would send:');
    expect(text).toContain('  CreateTable {\n    "TableName": "OrdersReplica",');
    expect(text).toContain('  UpdateTimeToLive {');
    expect(text).toContain('"ResourceArn": "<ARN of the new table>"');
    expect(mock.commandCalls(CreateTableCommand)).toHaveLength(0);
  });

  it('a write the endpoint does not implement stops with a ToolError naming the API', async () => {
    // Prepare: the master reports PITR, but the slave's endpoint has no backups API
    mock.on(UpdateContinuousBackupsCommand).rejects(awsError('UnknownOperationException', 'unknown operation'));

    // Act
    const error = await runCreateSlave(config()).catch((thrown: unknown) => thrown);

    // Assess
    expect(error).toBeInstanceOf(ToolError);
    expect(String(error)).toContain(
      'the endpoint of eu-west-1/OrdersReplica does not implement UpdateContinuousBackups',
    );
  });

  it('a missing master is named, and nothing is created', async () => {
    // Prepare
    mock.on(DescribeTableCommand, { TableName: 'Orders' }).rejects(awsError('ResourceNotFoundException', 'not found'));

    // Act
    const run = runCreateSlave(config());

    // Assess
    await expect(run).rejects.toThrow('the master table Orders was not found in region us-east-1');
    expect(sentNames()).not.toContain('CreateTableCommand');
  });
});

describe('create-slave with the SDK mocked: an existing slave', () => {
  const mock = mockClient(DynamoDBClient);
  const io = (out: string[], err: string[]) => ({
    stdout: (text: string) => out.push(text),
    stderr: (text: string) => err.push(text),
    isTTY: false,
    cwd: '/tmp',
  });
  const argv = ['create-slave', 'us-east-1/Orders', 'eu-west-1/OrdersReplica', '--endpoint-url', 'http://127.0.0.1:9'];

  beforeEach(() => {
    mock.reset();
    mock.on(DescribeTableCommand, { TableName: 'Orders' }).resolves({ Table: provisionedMaster() });
    mock
      .on(DescribeTimeToLiveCommand)
      .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });
    mock.on(DescribeContinuousBackupsCommand).resolves({});
    mock.on(ListTagsOfResourceCommand).resolves({ Tags: [] });
  });

  it('that matches: exit 0 "already matches", nothing sent but reads', async () => {
    // Prepare
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).resolves({ Table: provisionedMaster() });
    const out: string[] = [];

    // Act
    const code = await main(argv, io(out, []));

    // Assess
    expect(code).toBe(0);
    expect(out.join('')).toContain('already matches the master');
    expect(mock.commandCalls(CreateTableCommand)).toHaveLength(0);
    expect(mock.commandCalls(UpdateTimeToLiveCommand)).toHaveLength(0);
  });

  it('that differs: exit 2 listing each difference, nothing changed; --json gives them as a list', async () => {
    // Prepare: the slave lacks the byStatus index and TTL
    const slave = provisionedMaster();
    slave.GlobalSecondaryIndexes = slave.GlobalSecondaryIndexes?.slice(0, 1);
    mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).resolves({ Table: slave });
    mock.on(DescribeTimeToLiveCommand, { TableName: 'OrdersReplica' }).resolves({});
    const out: string[] = [];
    const json: string[] = [];

    // Act
    const code = await main(argv, io(out, []));
    const jsonCode = await main([...argv, '--json'], io(json, []));

    // Assess
    expect(code).toBe(2);
    expect(jsonCode).toBe(2);
    expect(out.join('')).toContain('DIFFERS from the master; nothing changed');
    expect(out.join('')).toContain('  - global secondary index byStatus is missing on the slave');
    expect(out.join('')).toContain('  - TTL attribute: expiresAt on the master, TTL off on the slave');
    expect(JSON.parse(json.join('')).differences).toEqual([
      'global secondary index byStatus is missing on the slave',
      'TTL attribute: expiresAt on the master, TTL off on the slave',
    ]);
    expect(mock.commandCalls(CreateTableCommand)).toHaveLength(0);
  });
});
