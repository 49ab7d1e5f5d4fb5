/**
 * The permissions table for the operator tools (`dynamo-replicator create-slave|backfill|verify`) in docs/operations.md, section
 * "Permissions" of the command reference, names exactly the AWS API actions the CLI sends: every `new XCommand(` of @aws-sdk/client-dynamodb,
 * @aws-sdk/client-dynamodb-streams, @aws-sdk/client-kms (create-slave's DescribeKey) and @aws-sdk/client-s3 (the export's
 * objects) in the sources reachable from src/cli/main.ts appears in the table (a missing one
 * leaves operators with "access denied"), and every action in the table is sent by some CLI source (a stale one
 * asks for more than the tools need). Either fails here, naming the action. The source scan is checked against
 * what esbuild bundles into the CLI, and the checker is shown to fail on a copy of the document with an action
 * removed or added.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../harness/bundle';
import { commandsInBundle, handlerSources, importsOf } from '../../harness/bundleSources';

const root = projectRoot();
const CLI_ENTRY = join('src', 'cli', 'main.ts');
/** The document that holds the table, relative to the project root. */
const DOC = join('docs', 'operations.md');
const HEADING = '**Permissions** for the operator';
const STREAMS_PACKAGE = '@aws-sdk/client-dynamodb-streams';
const KMS_PACKAGE = '@aws-sdk/client-kms';
const S3_PACKAGE = '@aws-sdk/client-s3';
const CLIENT_PACKAGES = ['@aws-sdk/client-dynamodb', STREAMS_PACKAGE, KMS_PACKAGE, S3_PACKAGE];

/** One row of the permissions table: the table it is about and the actions named in each command's column. */
interface PermissionRow {
  readonly table: string;
  readonly actionsByColumn: ReadonlyMap<string, readonly string[]>;
}

/** The cells of one markdown table line, `\|` inside a cell kept as text. */
function cellsOf(line: string): string[] {
  return line
    .trim()
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/**
 * The rows of the table that follows the line containing {@link HEADING}. Actions are the backticked words that
 * look like API operations (`DescribeTable`); other backticked text (ARNs, option values) is not an action.
 */
function permissionRows(doc: string): PermissionRow[] {
  const lines = doc.split('\n');
  const headingAt = lines.findIndex((line) => line.includes(HEADING));
  if (headingAt < 0) throw new Error(`${DOC} has no line containing ${HEADING}`);
  let at = headingAt + 1;
  while (at < lines.length && (lines[at] ?? '').trim() === '') at += 1;
  const tableLines: string[] = [];
  while (at < lines.length && (lines[at] ?? '').trim().startsWith('|')) tableLines.push(lines[at++] ?? '');
  const [header, separator, ...body] = tableLines;
  if (header === undefined || separator === undefined || !/^[\s|:-]+$/.test(separator) || body.length === 0) {
    throw new Error(`no markdown table with rows after the line containing ${HEADING}`);
  }
  const columns = cellsOf(header);
  return body.map((line) => {
    const [table = '', ...cells] = cellsOf(line);
    const actionsByColumn = new Map<string, string[]>();
    cells.forEach((cell, index) => {
      const actions = [...cell.matchAll(/`([^`]*)`/g)]
        .map(([, text]) => text ?? '')
        .filter((text) => /^[A-Z][A-Za-z]+$/.test(text));
      actionsByColumn.set(columns[index + 1] ?? `column ${index + 2}`, actions);
    });
    return { table, actionsByColumn };
  });
}

/** Every action the table names, in any row and column. */
function tableActions(rows: readonly PermissionRow[]): Set<string> {
  return new Set(rows.flatMap((row) => [...row.actionsByColumn.values()].flat()));
}

/** The operations the CLI's sources send, per client package: `new XCommand(` → X. */
function operationsInCliCode(): Map<string, Set<string>> {
  const operations = new Map<string, Set<string>>(CLIENT_PACKAGES.map((name) => [name, new Set<string>()]));
  for (const [file, text] of handlerSources(root, CLI_ENTRY)) {
    const imports = importsOf(text);
    for (const [, operation] of text.matchAll(/new\s+(\w+)Command\s*\(/g)) {
      const from = imports.get(`${operation}Command`) ?? 'no import';
      const sent = operations.get(from);
      if (!sent)
        throw new Error(`${file}: new ${operation}Command( from ${from}: say where ${DOC} lists its permission`);
      sent.add(operation ?? '');
    }
  }
  return operations;
}

/** What the document's table lacks of what is `sent`, and what it names that is never sent. */
function compareTable(doc: string, sent: ReadonlySet<string>): { missing: string[]; extra: string[] } {
  const named = tableActions(permissionRows(doc));
  return {
    missing: [...sent].filter((a) => !named.has(a)).sort(),
    extra: [...named].filter((a) => !sent.has(a)).sort(),
  };
}

/**
 * The operations of each client package esbuild puts into the CLI bundle (built as scripts/build.mjs builds
 * dist/cli.js): a package's command classes are built by one shared factory, `class extends F(…,"Operation",…){}`;
 * `known` is an operation of the package that identifies its factory.
 */
function commandsInCliBundle(): Map<string, Set<string>> {
  const bundled = commandsInBundle(CLI_ENTRY, 'node20', ['BatchWriteItem', 'GetRecords', 'DescribeKey', 'GetObject']);
  return new Map([
    ['@aws-sdk/client-dynamodb', bundled.get('BatchWriteItem') ?? new Set<string>()],
    [STREAMS_PACKAGE, bundled.get('GetRecords') ?? new Set<string>()],
    [KMS_PACKAGE, bundled.get('DescribeKey') ?? new Set<string>()],
    [S3_PACKAGE, bundled.get('GetObject') ?? new Set<string>()],
  ]);
}

describe('the operator permissions table in docs/operations.md', () => {
  const doc = readFileSync(join(root, DOC), 'utf8');
  const operations = operationsInCliCode();
  const sent = new Set([...operations.values()].flatMap((set) => [...set]));

  test('names exactly the DynamoDB, DynamoDB Streams, KMS and S3 actions the CLI sends, the stream reads on the master, the S3 reads on the export bucket', () => {
    // Prepare
    const rows = permissionRows(doc);

    // Act
    const difference = compareTable(doc, sent);

    // Assess
    expect(difference).toEqual({ missing: [], extra: [] });
    expect(rows.map((row) => row.table)).toEqual(['master', 'slave', 'export bucket']);
    expect([...(rows[0]?.actionsByColumn.keys() ?? [])]).toEqual([
      'create-slave',
      'backfill',
      'verify',
      'verify --repair adds',
    ]);
    // create-slave reads the master's definition (and asks KMS about its key) and writes only the slave's
    expect(rows[0]?.actionsByColumn.get('create-slave')).toEqual([
      'DescribeTable',
      'DescribeTimeToLive',
      'DescribeContinuousBackups',
      'ListTagsOfResource',
      'DescribeKey',
      'ExportTableToPointInTime',
      'DescribeExport',
    ]);
    expect([...(operations.get(KMS_PACKAGE) ?? [])]).toEqual(['DescribeKey']);
    expect(rows[1]?.actionsByColumn.get('create-slave')).toEqual(
      expect.arrayContaining([
        'CreateTable',
        'UpdateTimeToLive',
        'UpdateContinuousBackups',
        'TagResource',
        'ImportTable',
        'DescribeImport',
        'UpdateTable',
      ]),
    );
    const streamActions = [...(operations.get(STREAMS_PACKAGE) ?? [])].sort();
    expect(streamActions).toEqual(['DescribeStream', 'GetRecords', 'GetShardIterator']);
    const onlyOnMasterBackfill = rows.flatMap((row) =>
      [...row.actionsByColumn].flatMap(([column, actions]) =>
        actions.filter((a) => streamActions.includes(a)).map((a) => `${row.table}/${column}/${a}`),
      ),
    );
    expect(onlyOnMasterBackfill.sort()).toEqual(streamActions.map((a) => `master/backfill/${a}`));
    // the export's objects are read by backfill --from-export, on the export bucket's row only
    const s3Actions = [...(operations.get(S3_PACKAGE) ?? [])].sort();
    expect(s3Actions).toEqual(['GetObject']);
    const s3Cells = rows.flatMap((row) =>
      [...row.actionsByColumn].flatMap(([column, actions]) =>
        actions.filter((a) => s3Actions.includes(a)).map((a) => `${row.table}/${column}/${a}`),
      ),
    );
    expect(s3Cells).toEqual(['export bucket/backfill/GetObject']);
  });

  test('the checker names an action removed from a copy of the document as missing, and one added as extra', () => {
    // Prepare: DescribeStream out of, UpdateItem into the table's lines only (the rest of the document untouched)
    const lines = doc.split('\n');
    const headingAt = lines.findIndex((line) => line.includes(HEADING));
    const edit = (change: (line: string) => string): string =>
      lines.map((line, index) => (index > headingAt && line.trim().startsWith('|') ? change(line) : line)).join('\n');
    const withoutDescribeStream = edit((line) => line.replace(/`DescribeStream`,\s*/g, ''));
    const withUpdateItem = edit((line) => line.replace(/^\| slave \| /, '| slave | `UpdateItem`, '));
    const named = tableActions(permissionRows(doc)); // what the table names now, so this case is about the checker only

    // Act
    const afterRemoving = compareTable(withoutDescribeStream, named);
    const afterAdding = compareTable(withUpdateItem, named);

    // Assess
    expect(named.has('DescribeStream')).toBe(true);
    expect(afterRemoving).toEqual({ missing: ['DescribeStream'], extra: [] });
    expect(afterAdding).toEqual({ missing: [], extra: ['UpdateItem'] });
    expect(() => compareTable(doc.replace(HEADING, '**Rights** for the operator'), sent)).toThrow(HEADING);
    // The same edits against what the CLI code sends: the check that guards the real table catches them too
    expect(compareTable(withoutDescribeStream, sent)).toEqual({ missing: ['DescribeStream'], extra: [] });
    expect(compareTable(withUpdateItem, sent)).toEqual({ missing: [], extra: ['UpdateItem'] });
  });

  test("the S3 client is in the CLI's bundle only: neither the function's zip nor the library contains it", () => {
    // Act
    const inZip = () => commandsInBundle(join('src', 'zip', 'index.ts'), 'node22', ['GetObject']);
    const inLibrary = () => commandsInBundle(join('src', 'library', 'index.ts'), 'node20', ['GetObject']);

    // Assess
    expect(inZip).toThrow(/no GetObject command class found/);
    expect(inLibrary).toThrow(/no GetObject command class found/);
    expect(commandsInCliBundle().get(S3_PACKAGE)?.has('GetObject')).toBe(true);
  });

  test('the source scan finds every command esbuild bundles into the CLI, except endpoint discovery, which is off', () => {
    // DescribeEndpoints comes with every DynamoDB client for endpoint discovery, which runs only when
    // AWS_ENABLE_ENDPOINT_DISCOVERY (or endpointDiscoveryEnabled) is set; the tools' clients never set it.
    // Prepare
    const inSource = operations;

    // Act
    const bundled = commandsInCliBundle();

    // Assess
    expect([...(bundled.get('@aws-sdk/client-dynamodb') ?? [])].sort()).toEqual(
      [...(inSource.get('@aws-sdk/client-dynamodb') ?? []), 'DescribeEndpoints'].sort(),
    );
    expect([...(bundled.get(STREAMS_PACKAGE) ?? [])].sort()).toEqual([...(inSource.get(STREAMS_PACKAGE) ?? [])].sort());
    expect([...(bundled.get(KMS_PACKAGE) ?? [])].sort()).toEqual([...(inSource.get(KMS_PACKAGE) ?? [])].sort());
    // S3's client sends CreateSession itself, for S3 Express directory buckets only; an export bucket is not one
    expect([...(bundled.get(S3_PACKAGE) ?? [])].sort()).toEqual(
      [...(inSource.get(S3_PACKAGE) ?? []), 'CreateSession'].sort(),
    );
  });
});
