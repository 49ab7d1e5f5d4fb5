import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../../src/cli/errors';
import { parseCommandLine, parseSegmentList } from '../../../src/cli/options';

const env = { isTTY: false, cpus: 2, cwd: '/work', writeProgress: (): void => undefined };

function backfill(argv: string[]) {
  const parsed = parseCommandLine(['backfill', ...argv], env);
  if (parsed.command !== 'backfill') throw new Error(`parsed as ${parsed.command}`);
  return parsed;
}

function verify(argv: string[]) {
  const parsed = parseCommandLine(['verify', ...argv], env);
  if (parsed.command !== 'verify') throw new Error(`parsed as ${parsed.command}`);
  return parsed;
}

describe('parseCommandLine: tables', () => {
  it('takes master and slave as region/table positionals', () => {
    const { config } = backfill(['us-east-1/Orders', 'eu-west-1/OrdersReplica']);
    expect(config.master).toEqual({ region: 'us-east-1', table: 'Orders' });
    expect(config.slave).toEqual({ region: 'eu-west-1', table: 'OrdersReplica' });
  });

  it('takes them from --from-*/--to-* options as well', () => {
    const { config } = verify([
      '--from-region',
      'us-east-1',
      '--from-table',
      'Orders',
      '--to-region',
      'eu-west-1',
      '--to-table',
      'Copy',
    ]);
    expect(config.master).toEqual({ region: 'us-east-1', table: 'Orders' });
    expect(config.slave).toEqual({ region: 'eu-west-1', table: 'Copy' });
  });

  it('mixes a positional master with a slave given by options', () => {
    const { config } = backfill(['us-east-1/Orders', '--to-region', 'eu-west-1', '--to-table', 'Copy']);
    expect(config.slave.table).toBe('Copy');
  });

  it.each([
    [['Orders', 'eu-west-1/Copy'], 'master "Orders" must be region/table'],
    [['us-east-1/Orders'], 'missing the slave table'],
    [['us-east-1/Orders', 'eu-west-1/Copy', 'extra/one'], 'expected at most two tables'],
    [['us-east-1/Orders', '--to-region', 'eu-west-1'], '--to-region and --to-table go together'],
    [['us-east-1/Orders', 'eu-west-1/ab'], 'is not a DynamoDB table name'],
    [['US_EAST/Orders', 'eu-west-1/Copy'], 'is not a region name'],
    [['us-east-1/Orders', 'eu-west-1/Copy', '--bogus'], "Unknown option '--bogus'"],
  ])('rejects %j with a usage error saying %s', (argv, message) => {
    expect(() => backfill(argv)).toThrow(UsageError);
    expect(() => backfill(argv)).toThrow(message);
  });
});

describe('parseCommandLine: segments, rates, modes', () => {
  it('defaults to every segment of a machine-sized count and watched writes, batched so 16 calls in flight', () => {
    const { config } = backfill(['us-east-1/Orders', 'eu-west-1/Copy']);
    expect(config.totalSegments).toBe(8);
    expect(config.segments).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(config.writeMode).toBe('watched');
    expect(config.concurrency).toBe(16);
    expect(config.progress.mode).toBe('lines');
  });

  it('picks segments for one process of a split run and names its own state file', () => {
    const { config } = backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--total-segments', '16', '--segment', '4-6,9']);
    expect(config.totalSegments).toBe(16);
    expect(config.segments).toEqual([4, 5, 6, 9]);
    expect(config.stateFile).toBe('/work/backfill-us-east-1.Orders-to-eu-west-1.Copy-seg4-6_9of16.state.json');
  });

  it('requires --total-segments with --segment, since every process must agree on it', () => {
    expect(() => backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--segment', '1'])).toThrow(
      '--segment needs --total-segments',
    );
  });

  it('rejects a segment outside the count and disagreeing counts', () => {
    expect(() => backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--total-segments', '4', '--segment', '4'])).toThrow(
      'out of range',
    );
    expect(() => backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--segments', '4', '--total-segments', '8'])).toThrow(
      'disagree',
    );
  });

  it('reads rate caps, batch mode and its own default concurrency', () => {
    const { config } = backfill([
      'us-east-1/Orders',
      'eu-west-1/Copy',
      '--max-wcu',
      '250',
      '--max-items-per-second',
      '12.5',
      '--write-mode',
      'batch',
    ]);
    expect(config.maxWcu).toBe(250);
    expect(config.maxItemsPerSecond).toBe(12.5);
    expect(config.maxRcu).toBeUndefined();
    expect(config.writeMode).toBe('batch');
    expect(config.concurrency).toBe(16);
  });

  it('reads checked mode, which batches its calls and so needs fewer in flight', () => {
    const { config } = backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--write-mode', 'checked']);
    expect(config.writeMode).toBe('checked');
    expect(config.concurrency).toBe(16);
  });

  it('reads conditional mode, which writes item by item and so keeps 64 calls in flight', () => {
    const { config } = backfill(['us-east-1/Orders', 'eu-west-1/Copy', '--write-mode', 'conditional']);
    expect(config.writeMode).toBe('conditional');
    expect(config.concurrency).toBe(64);
  });

  it.each([
    [['--max-wcu', '0'], '--max-wcu must be a positive number'],
    [['--concurrency', 'many'], '--concurrency must be a whole number'],
    [['--write-mode', 'fast'], '--write-mode must be watched, conditional, checked or batch'],
    [['--progress', 'fancy'], '--progress must be auto, bar, lines or none'],
  ])('rejects %j', (argv, message) => {
    expect(() => backfill(['us-east-1/Orders', 'eu-west-1/Copy', ...argv])).toThrow(message);
  });

  it('verify reads --repair, --sample and --recheck-delay', () => {
    const parsed = verify([
      'us-east-1/Orders',
      'eu-west-1/Copy',
      '--repair',
      '--sample',
      '3',
      '--recheck-delay',
      '0',
      '--json',
      '--quiet',
    ]);
    expect(parsed.json).toBe(true);
    expect(parsed.config).toMatchObject({ repair: true, sampleSize: 3, recheckDelayMs: 0, concurrency: 16 });
    expect(parsed.config.progress.mode).toBe('none');
  });

  it('--help of each command shows its text with examples', () => {
    const main = parseCommandLine(['--help'], env);
    const ofBackfill = parseCommandLine(['backfill', '--help'], env);
    expect(main.command === 'help' && main.text).toContain('dynamo-replicator backfill     <master> <slave>');
    expect(ofBackfill.command === 'help' && ofBackfill.text).toContain('Examples:');
  });

  it('rejects an unknown command', () => {
    expect(() => parseCommandLine(['copy'], env)).toThrow('unknown command "copy"');
  });
});

describe('parseSegmentList', () => {
  it('accepts single numbers, ranges and lists, sorted and without duplicates', () => {
    expect(parseSegmentList('7,0-2,2', 8)).toEqual([0, 1, 2, 7]);
  });

  it('rejects backwards ranges and text', () => {
    expect(() => parseSegmentList('5-3', 8)).toThrow('runs backwards');
    expect(() => parseSegmentList('a', 8)).toThrow('is not a segment number or range');
  });
});

describe('parseCommandLine: --hooks and --exclude-attributes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hooks-options-'));
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return name;
  };
  const inDir = { ...env, cwd: dir };
  const parse = (command: 'backfill' | 'verify', argv: string[]) =>
    parseCommandLine([command, 'us-east-1/Orders', 'eu-west-1/Copy', ...argv], inDir);
  const hooksOf = (command: 'backfill' | 'verify', argv: string[]) => {
    const parsed = parse(command, argv);
    if (parsed.command !== 'backfill' && parsed.command !== 'verify') throw new Error(`parsed as ${parsed.command}`);
    return parsed.config;
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads filter and transform from a module relative to the working directory, for both commands', () => {
    // Arrange
    const module = write(
      'both.js',
      "exports.filter = (item) => item.tenant.S === 'a'; exports.transform = (item) => ({ ...item, seen: { BOOL: true } });",
    );

    // Act
    const backfillConfig = hooksOf('backfill', ['--hooks', module]);
    const verifyConfig = hooksOf('verify', ['--hooks', `./${module}`]);

    // Assess
    const item = { pk: { S: 'x' }, tenant: { S: 'a' } };
    expect(backfillConfig.hooks?.filter?.(item, undefined)).toBe(true);
    expect(backfillConfig.hooks?.filter?.({ ...item, tenant: { S: 'b' } }, undefined)).toBe(false);
    expect(verifyConfig.hooks?.transform?.(item, undefined)).toEqual({ ...item, seen: { BOOL: true } });
  });

  it('takes the hooks from default when the module exports them there, and only the one it has', () => {
    // Arrange
    const module = write('default.js', 'exports.default = { transform: (item) => item };');

    // Act
    const config = hooksOf('backfill', ['--hooks', join(dir, module)]);

    // Assess
    expect(config.hooks?.transform).toBeInstanceOf(Function);
    expect(config.hooks?.filter).toBeUndefined();
  });

  it('reads --exclude-attributes as a list of names, without duplicates', () => {
    expect(hooksOf('verify', ['--exclude-attributes', 'ssn, notes,ssn']).excludeAttributes).toEqual(['ssn', 'notes']);
    expect(hooksOf('backfill', []).hooks).toBeUndefined();
    expect(hooksOf('backfill', []).excludeAttributes).toBeUndefined();
  });

  it.each([
    [['--hooks', 'missing.js'], 'cannot load'],
    [['--hooks', 'neither'], 'exports neither filter nor transform'],
    [['--hooks', 'notFunction'], 'exports filter as a string; filter must be a function'],
    [['--hooks', 'throws'], 'cannot load'],
    [['--exclude-attributes', 'ssn,,notes'], 'has an empty name'],
  ])('rejects %j with a usage error saying %s', (argv, message) => {
    // Arrange
    write('neither.js', 'exports.other = () => true;');
    write('notFunction.js', "exports.filter = 'tenant = a';");
    write('throws.js', "throw new Error('broken module');");
    const [option, value = ''] = argv as [string, string];
    const args = option === '--hooks' && !value.endsWith('.js') ? [option, `${value}.js`] : argv;

    // Act
    const attempt = (): unknown => parse('backfill', args);

    // Assess
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(message);
  });
});

describe('parseCommandLine: create-slave', () => {
  const createSlave = (argv: string[]) => {
    const parsed = parseCommandLine(['create-slave', 'us-east-1/Orders', 'eu-west-1/OrdersReplica', ...argv], env);
    if (parsed.command !== 'create-slave') throw new Error(`parsed as ${parsed.command}`);
    return parsed;
  };

  it('copies the master by default: tags on, no stream, no overrides, no dry run', () => {
    // Act
    const { config, json } = createSlave([]);

    // Assess
    expect(config.master).toEqual({ region: 'us-east-1', table: 'Orders' });
    expect(config.slave).toEqual({ region: 'eu-west-1', table: 'OrdersReplica' });
    expect(config.overrides).toEqual({ tags: true });
    expect(config.dryRun).toBe(false);
    expect(json).toBe(false);
  });

  it('reads the overrides, --no-tags, --dry-run and --json', () => {
    // Act
    const { config, json } = createSlave([
      '--billing-mode',
      'PROVISIONED',
      '--read-capacity',
      '5',
      '--write-capacity',
      '9',
      '--kms-key',
      'alias/replica',
      '--stream',
      'NEW_AND_OLD_IMAGES',
      '--no-tags',
      '--dry-run',
      '--json',
    ]);

    // Assess
    expect(config.overrides).toEqual({
      billingMode: 'PROVISIONED',
      readCapacity: 5,
      writeCapacity: 9,
      kmsKey: 'alias/replica',
      stream: 'NEW_AND_OLD_IMAGES',
      tags: false,
    });
    expect(config.dryRun).toBe(true);
    expect(json).toBe(true);
  });

  it.each([
    [['--billing-mode', 'ON_DEMAND'], '--billing-mode must be PAY_PER_REQUEST or PROVISIONED, got "ON_DEMAND"'],
    [['--stream', 'NEW'], '--stream must be one of NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY, got "NEW"'],
    [['--read-capacity', '0'], '--read-capacity must be between 1 and'],
    [['--kms-key', ' '], '--kms-key needs a key ARN, id or alias'],
    [['--segments', '4'], "Unknown option '--segments'"],
  ])('refuses %p with a usage error', (argv, message) => {
    // Act
    const parse = () => createSlave(argv);

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(message);
  });

  it('--help gives the create-slave text, and the overview lists the command', () => {
    // Act
    const own = parseCommandLine(['create-slave', '--help'], env);
    const overview = parseCommandLine(['--help'], env);

    // Assess
    expect(own.command === 'help' && own.text).toContain('Usage: dynamo-replicator create-slave <master> <slave>');
    expect(overview.command === 'help' && overview.text).toContain('dynamo-replicator create-slave <master> <slave>');
  });
});

describe('parseCommandLine: credentials per side', () => {
  const TABLES = ['us-east-1/Orders', 'eu-west-1/Copy'];
  const ROLE = 'arn:aws:iam::210987654321:role/replica-operator';

  it('gives the master the --from-* role and the slave the --to-* profile, and leaves unset sides out', () => {
    // Act
    const withBoth = verify([...TABLES, '--from-role-arn', ROLE, '--from-external-id', 'ext-42', '--to-profile', 'dr']);
    const plain = backfill(TABLES);

    // Assess
    expect(withBoth.config.masterAccess).toEqual({ roleArn: ROLE, externalId: 'ext-42' });
    expect(withBoth.config.slaveAccess).toEqual({ profile: 'dr' });
    expect(plain.config).not.toHaveProperty('masterAccess');
    expect(plain.config).not.toHaveProperty('slaveAccess');
  });

  it('names every problem of both sides in one usage error', () => {
    // Act
    const parse = () =>
      backfill([
        ...TABLES,
        '--from-external-id',
        'ext-42',
        '--to-role-arn',
        'arn:aws:iam::21098765:role/short-account',
        '--to-profile',
        'dr',
      ]);

    // Assess
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow('3 problems with the credentials options');
    expect(parse).toThrow('--from-external-id is sent when assuming a role: it needs --from-role-arn');
    expect(parse).toThrow('--to-role-arn and --to-profile both say whose credentials reach the slave');
    expect(parse).toThrow('--to-role-arn: "arn:aws:iam::21098765:role/short-account" is not an IAM role ARN');
  });

  it.each([
    [['--to-external-id', 'x'], '--to-external-id: must be 2 to 1224 characters'],
    [['--from-profile', ' '], '--from-profile: the profile name is empty'],
  ])('rejects %j with a usage error saying %s', (argv, message) => {
    expect(() => verify([...TABLES, ...argv])).toThrow(message);
  });
});
