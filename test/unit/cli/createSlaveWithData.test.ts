/**
 * create-slave --with-data with the SDK mocked (ExportTableToPointInTime and ImportTable exist in no local engine):
 * the dry run prints every request, a master an import cannot copy (LSIs) or without point-in-time recovery or a
 * stream is refused with exit 2 and the fix, a real run exports, waits, imports, waits and then sets what ImportTable
 * cannot, a rerun waits for the export its state file names instead of starting another, and a rerun after a crash
 * among the settings sends only those the slave does not have yet.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeContinuousBackupsCommand,
  DescribeExportCommand,
  DescribeImportCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ExportTableToPointInTimeCommand,
  ImportTableCommand,
  ListTagsOfResourceCommand,
  type TableDescription,
  type Tag,
  TagResourceCommand,
  type TagResourceCommandInput,
  UpdateContinuousBackupsCommand,
  UpdateTableCommand,
  type UpdateTableCommandInput,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { type CreateSlaveConfig, runCreateSlave } from '../../../src/cli/createSlave/createSlave';
import { main } from '../../../src/cli/main';
import { awsError } from '../../helpers/sdkMocks';
import { MASTER_ARN, provisionedMaster } from './definitionFixture';

const SLAVE_ARN = 'arn:aws:dynamodb:eu-west-1:111122223333:table/OrdersReplica';
const EXPORT_ARN = `${MASTER_ARN}/export/01700000000000-abcdef12`;
const IMPORT_ARN = `${SLAVE_ARN}/import/01700000000001-12345678`;
const EXPORT_TIME = new Date('2026-06-01T10:00:00Z');
const mock = mockClient(DynamoDBClient);
let folder: string;
let slave: FakeSlave;

/** The provisioned master without its LSI, with a size, point-in-time recovery and tags. */
function master(overrides: Partial<TableDescription> = {}): TableDescription {
  const { LocalSecondaryIndexes: _, ...rest } = provisionedMaster();
  return { ...rest, ItemCount: 1_200_000, TableSizeBytes: 3_400_000_000, ...overrides };
}

function describeMaster(description: TableDescription, pitr = 'ENABLED'): void {
  mock.on(DescribeTableCommand, { TableName: 'Orders' }).resolves({ Table: description });
  mock
    .on(DescribeTimeToLiveCommand, { TableName: 'Orders' })
    .resolves({ TimeToLiveDescription: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } });
  mock.on(DescribeContinuousBackupsCommand, { TableName: 'Orders' }).resolves({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: pitr === 'ENABLED' ? 'ENABLED' : 'DISABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: pitr as 'ENABLED' },
    },
  });
  mock
    .on(ListTagsOfResourceCommand, { ResourceArn: MASTER_ARN })
    .resolves({ Tags: [{ Key: 'team', Value: 'orders' }] });
}

function config(overrides: Partial<CreateSlaveConfig> = {}): CreateSlaveConfig {
  return {
    master: { region: 'us-east-1', table: 'Orders' },
    slave: { region: 'eu-west-1', table: 'OrdersReplica' },
    overrides: { tags: true },
    dryRun: false,
    progress: { mode: 'none', write: () => undefined, intervalMs: 250 },
    pollMs: 1,
    withData: {
      target: { bucket: { bucket: 'exports', prefix: 'orders' } },
      stateFile: join(folder, 'import.state.json'),
      pollMs: 1,
    },
    ...overrides,
  };
}

/** The slave of {@link importedSlave}; the test sets `crashAt`. */
interface FakeSlave {
  imported: boolean;
  ttl: boolean;
  pitr: boolean;
  tags: Tag[];
  update: UpdateTableCommandInput;
  crashAt?: string;
}

/**
 * The slave as DynamoDB keeps it from its import on: the settings sent so far, refusing to enable TTL or a stream
 * twice as DynamoDB does, and crashing once at `crashAt` after the change was applied (the answer never came back).
 */
function importedSlave(): FakeSlave {
  const slave: FakeSlave = {
    imported: false,
    ttl: false,
    pitr: false,
    tags: [],
    update: { TableName: 'OrdersReplica' },
  };
  let crashed = false;
  const apply = (action: string, change: () => void): object => {
    change();
    if (action === slave.crashAt && !crashed) {
      crashed = true;
      throw new Error(`the operator's machine died before ${action} answered`);
    }
    return {};
  };
  const refuse = (message: string) => awsError('ValidationException', message);
  mock.on(ImportTableCommand).callsFake(() => {
    slave.imported = true;
    return { ImportTableDescription: { ImportArn: IMPORT_ARN, ImportStatus: 'IN_PROGRESS' } };
  });
  mock.on(DescribeTableCommand, { TableName: 'OrdersReplica' }).callsFake(() => {
    if (!slave.imported) throw awsError('ResourceNotFoundException', 'Requested resource not found');
    const { DeletionProtectionEnabled, TableClass, StreamSpecification } = slave.update;
    const table = { TableName: 'OrdersReplica', TableArn: SLAVE_ARN, TableStatus: 'ACTIVE' as const };
    const stream = StreamSpecification ? { StreamSpecification, LatestStreamArn: `${SLAVE_ARN}/stream/1` } : {};
    return {
      Table: {
        ...table,
        DeletionProtectionEnabled,
        TableClassSummary: { TableClass: TableClass ?? 'STANDARD' },
        ...stream,
      },
    };
  });
  mock.on(DescribeTimeToLiveCommand, { TableName: 'OrdersReplica' }).callsFake(() => ({
    TimeToLiveDescription: slave.ttl
      ? { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' }
      : { TimeToLiveStatus: 'DISABLED' },
  }));
  mock.on(DescribeContinuousBackupsCommand, { TableName: 'OrdersReplica' }).callsFake(() => ({
    ContinuousBackupsDescription: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: slave.pitr ? 'ENABLED' : 'DISABLED' },
    },
  }));
  mock.on(ListTagsOfResourceCommand, { ResourceArn: SLAVE_ARN }).callsFake(() => ({ Tags: slave.tags }));
  mock.on(UpdateTimeToLiveCommand).callsFake(() => {
    if (slave.ttl) throw refuse('TimeToLive is already enabled');
    return apply('UpdateTimeToLive', () => (slave.ttl = true));
  });
  mock.on(UpdateContinuousBackupsCommand).callsFake(() => apply('UpdateContinuousBackups', () => (slave.pitr = true)));
  mock
    .on(TagResourceCommand)
    .callsFake((input: TagResourceCommandInput) => apply('TagResource', () => slave.tags.push(...(input.Tags ?? []))));
  mock.on(UpdateTableCommand).callsFake((input: UpdateTableCommandInput) => {
    if (input.StreamSpecification && slave.update.StreamSpecification)
      throw refuse('Table already has an enabled stream');
    return apply('UpdateTable', () => Object.assign(slave.update, input));
  });
  return slave;
}

const sent = (): string[] => mock.calls().map((call) => (call.args[0] as object).constructor.name);
const inputOf = (name: string): Record<string, unknown> =>
  mock.calls().find((call) => (call.args[0] as object).constructor.name === name)?.args[0].input as Record<
    string,
    unknown
  >;

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['create-slave', 'us-east-1/Orders', 'eu-west-1/OrdersReplica', ...args], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false,
    cwd: folder,
  });
  return { code, stdout, stderr };
}

beforeEach(() => {
  mock.reset();
  folder = mkdtempSync(join(tmpdir(), 'with-data-'));
  slave = importedSlave();
  mock
    .on(ExportTableToPointInTimeCommand)
    .resolves({ ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'IN_PROGRESS' } });
  mock
    .on(DescribeExportCommand)
    .resolvesOnce({ ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'IN_PROGRESS' } })
    .resolves({ ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'COMPLETED', ExportTime: EXPORT_TIME } });
  mock
    .on(DescribeImportCommand)
    .resolvesOnce({ ImportTableDescription: { ImportArn: IMPORT_ARN, ImportStatus: 'IN_PROGRESS' } })
    .resolves({
      ImportTableDescription: { ImportArn: IMPORT_ARN, ImportStatus: 'COMPLETED', ImportedItemCount: 1200 },
    });
});

afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('create-slave --with-data', () => {
  test('--dry-run prints every request, the export and the import among them, and sends only the reads', async () => {
    // Prepare
    describeMaster(master());

    // Act
    const result = await cli(['--with-data', '--export-bucket', 's3://exports/orders', '--dry-run']);

    // Assess
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const actions = [...result.stdout.matchAll(/^ {2}(\w+) \{/gm)].map((match) => match[1]);
    expect(actions).toEqual([
      'DescribeTable',
      'DescribeContinuousBackups',
      'ExportTableToPointInTime',
      'ImportTable',
      'UpdateTimeToLive',
      'UpdateContinuousBackups',
      'TagResource',
      'UpdateTable',
    ]);
    expect(result.stdout).toContain('"ExportFormat": "DYNAMODB_JSON"');
    expect(result.stdout).toContain('"ExportType": "FULL_EXPORT"');
    expect(result.stdout).toContain('"S3KeyPrefix": "orders/AWSDynamoDB/<EXPORT_ID>/data/"');
    expect(result.stdout).toContain('"InputCompressionType": "GZIP"');
    expect(result.stdout).toContain('"DeletionProtectionEnabled": true');
    expect(result.stdout).toContain('the master holds about 1200000 items, 3.40 GB');
    expect(sent().filter((name) => !/^(Describe|List)/.test(name))).toEqual([]);
  });

  test('a master with an LSI is refused with exit 2, naming the index and pointing to create-slave + backfill', async () => {
    // Prepare
    describeMaster(provisionedMaster());

    // Act
    const result = await cli(['--with-data', '--export-bucket', 's3://exports/orders', '--dry-run']);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /local secondary indexes \(byPlacedAt\), and ImportTable cannot create them: run create-slave without --with-data, then backfill/,
    );
  });

  test('a master without point-in-time recovery or a stream is refused with both fixes in one message', async () => {
    // Prepare
    describeMaster(master({ StreamSpecification: { StreamEnabled: false } }), 'DISABLED');

    // Act
    const run = runCreateSlave(config());

    // Assess
    await expect(run).rejects.toThrow(
      /point-in-time recovery is off .*PointInTimeRecoveryEnabled=true.*; the master .* has no stream/,
    );
    expect(sent()).not.toContain('ExportTableToPointInTimeCommand');
  });

  test('exports, waits, imports with the same ClientToken, waits, then sets what ImportTable cannot; prints the deadline', async () => {
    // Prepare
    describeMaster(master());
    let progress = '';
    const progressOptions = { mode: 'lines' as const, write: (text: string) => (progress += text), intervalMs: 1 };

    // Act
    const summary = await runCreateSlave(config({ progress: progressOptions }));

    // Assess
    expect(sent().filter((name) => !/^(Describe|List)/.test(name))).toEqual([
      'ExportTableToPointInTimeCommand',
      'ImportTableCommand',
      'UpdateTimeToLiveCommand',
      'UpdateContinuousBackupsCommand',
      'TagResourceCommand',
      'UpdateTableCommand',
    ]);
    const exportInput = inputOf('ExportTableToPointInTimeCommand');
    const importInput = inputOf('ImportTableCommand');
    expect(exportInput).toMatchObject({ TableArn: MASTER_ARN, S3Bucket: 'exports', S3Prefix: 'orders' });
    expect(importInput).toMatchObject({
      ClientToken: exportInput.ClientToken,
      S3BucketSource: { S3Bucket: 'exports', S3KeyPrefix: 'orders/AWSDynamoDB/01700000000000-abcdef12/data/' },
      TableCreationParameters: { TableName: 'OrdersReplica', BillingMode: 'PROVISIONED' },
    });
    expect(inputOf('UpdateTableCommand')).toEqual({
      TableName: 'OrdersReplica',
      DeletionProtectionEnabled: true,
      TableClass: 'STANDARD_INFREQUENT_ACCESS',
    });
    expect(summary.withData).toMatchObject({
      exportArn: EXPORT_ARN,
      importArn: IMPORT_ARN,
      importedItems: 1200,
      deadline: '2026-06-02T09:00:00.000Z',
      late: true,
    });
    expect(summary.warnings.join()).toMatch(/the import finished after 2026-06-02T09:00:00.000Z.*run backfill/);
    expect(progress).toContain('attach the function with TRIM_HORIZON before 2026-06-02T09:00:00.000Z');
    expect(existsSync(join(folder, 'import.state.json'))).toBe(false);
  });

  test('a rerun waits for the export its state file names, and imports with its ClientToken, starting no export', async () => {
    // Prepare
    describeMaster(master());
    const stateFile = join(folder, 'import.state.json');
    const state = {
      format: 'dynamo-replicator/create-slave-import@1',
      master: 'us-east-1/Orders',
      slave: 'eu-west-1/OrdersReplica',
      clientToken: 'token-1',
      exportArn: EXPORT_ARN,
    };
    writeFileSync(stateFile, JSON.stringify(state));

    // Act
    await runCreateSlave(config());

    // Assess
    expect(sent()).not.toContain('ExportTableToPointInTimeCommand');
    expect(inputOf('DescribeExportCommand')).toEqual({ ExportArn: EXPORT_ARN });
    expect(inputOf('ImportTableCommand')).toMatchObject({ ClientToken: 'token-1' });
  });

  test('a failed export is named with its reason, and its state file removed so that a rerun starts anew', async () => {
    // Prepare
    describeMaster(master());
    mock.on(DescribeExportCommand).resolves({
      ExportDescription: {
        ExportArn: EXPORT_ARN,
        ExportStatus: 'FAILED',
        FailureCode: 'S3AccessDenied',
        FailureMessage: 'no access',
      },
    });

    // Act
    const run = runCreateSlave(config());

    // Assess
    await expect(run).rejects.toThrow(
      /exporting us-east-1\/Orders .* FAILED: S3AccessDenied: no access; the state file .* is removed/,
    );
    expect(existsSync(join(folder, 'import.state.json'))).toBe(false);
    expect(sent()).not.toContain('ImportTableCommand');
  });

  test('an interrupted run keeps the export in the state file', async () => {
    // Prepare
    describeMaster(master());
    mock
      .on(DescribeExportCommand)
      .resolves({ ExportDescription: { ExportArn: EXPORT_ARN, ExportStatus: 'IN_PROGRESS' } });
    const controller = new AbortController();
    controller.abort();

    // Act
    const run = runCreateSlave(config(), controller.signal);

    // Assess
    await expect(run).rejects.toThrow(
      /interrupted while waiting: exporting .* is IN_PROGRESS; run the same command again/,
    );
    const state = JSON.parse(readFileSync(join(folder, 'import.state.json'), 'utf8')) as Record<string, unknown>;
    expect(state).toMatchObject({ exportArn: EXPORT_ARN });
  });

  test.each(['UpdateTimeToLive', 'UpdateContinuousBackups', 'TagResource', 'UpdateTable'])(
    'a rerun after a crash at %s, once it was applied, sends only the settings the slave lacks, and ends with all of them',
    async (crashAt) => {
      // Prepare
      describeMaster(master());
      slave.crashAt = crashAt;
      const withStream = config({ overrides: { tags: true, stream: 'NEW_AND_OLD_IMAGES' } });
      await expect(runCreateSlave(withStream)).rejects.toThrow(`died before ${crashAt} answered`);
      const settings = ['UpdateTimeToLive', 'UpdateContinuousBackups', 'TagResource', 'UpdateTable'];
      const sentBefore = sent().filter((name) => settings.includes(name.replace(/Command$/, '')));
      mock.resetHistory();

      // Act
      const summary = await runCreateSlave(withStream);

      // Assess
      const resent = sent().filter((name) => settings.includes(name.replace(/Command$/, '')));
      expect(summary.outcome).toBe('created');
      expect([...sentBefore, ...resent]).toEqual(settings.map((name) => `${name}Command`));
      expect(sent()).not.toContain('ImportTableCommand');
      expect(slave).toMatchObject({ ttl: true, pitr: true, tags: [{ Key: 'team', Value: 'orders' }] });
      expect(slave.update).toMatchObject({
        DeletionProtectionEnabled: true,
        TableClass: 'STANDARD_INFREQUENT_ACCESS',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      });
      expect(existsSync(join(folder, 'import.state.json'))).toBe(false);
    },
  );
});
