/**
 * The README's IAM policy grants exactly what the function calls: the AWS API operations the handler's code sends
 * (found in the source, and checked against what esbuild actually bundles), the stream reads Lambda's event source
 * mapping makes with the function's role, and the log writes of the Lambda runtime. A missing action breaks users'
 * functions; an extra one breaks least privilege. Either fails here, naming the action. The identity policies in
 * docs/ (a slave role in another account) may only allow actions from that same list.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../harness/bundle';
import { commandsInBundle } from '../../harness/bundleSources';
import { codeActions } from './templateEvaluation';

const root = projectRoot();

/** What Lambda's event source mapping calls with the function's role to read a DynamoDB stream. */
const STREAM_READ_ACTIONS = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
/** What the Lambda runtime calls with the function's role to write the function's logs. */
const LOG_ACTIONS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

interface PolicyStatement {
  Effect?: string;
  Action?: string | string[];
  Principal?: unknown;
}

/** Every action allowed by the identity policies in a document's JSON blocks (trust policies have a Principal). */
function policyActions(file: string): Set<string> {
  const markdown = readFileSync(join(root, file), 'utf8');
  const actions = new Set<string>();
  for (const [, block] of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    let document: { Statement?: PolicyStatement[] };
    try {
      document = JSON.parse(block ?? '') as { Statement?: PolicyStatement[] };
    } catch {
      continue;
    }
    for (const statement of document.Statement ?? []) {
      if (statement.Principal !== undefined || statement.Effect !== 'Allow') continue;
      for (const action of [statement.Action ?? []].flat()) actions.add(action);
    }
  }
  return actions;
}

/**
 * The DynamoDB operations esbuild puts into the bundle: their command classes are built by one shared factory,
 * `class extends F(…,"Operation",…){}`, the same F for every DynamoDB command.
 */
function dynamoDBCommandsInBundle(): Set<string> {
  return (
    commandsInBundle(join('src', 'zip', 'index.ts'), 'node22', ['BatchWriteItem']).get('BatchWriteItem') ?? new Set()
  );
}

describe('the IAM policy in the README', () => {
  test('allows exactly the actions the code calls, the stream reads of the trigger and the log writes', () => {
    // Prepare
    const { actions } = codeActions();
    const expected = [...actions, ...STREAM_READ_ACTIONS, ...LOG_ACTIONS].sort();

    // Act
    const granted = [...policyActions('README.md')].sort();

    // Assess
    expect({
      missing: expected.filter((a) => !granted.includes(a)),
      extra: granted.filter((a) => !expected.includes(a)),
    }).toEqual({
      missing: [],
      extra: [],
    });
    expect(actions.has('dynamodb:BatchWriteItem')).toBe(true);
  });

  test('the identity policies in docs/ allow only actions the function needs', () => {
    // Prepare
    const needed = new Set([...codeActions().actions, ...STREAM_READ_ACTIONS, ...LOG_ACTIONS]);
    const docs = readdirSync(join(root, 'docs'))
      .filter((name) => name.endsWith('.md'))
      .map((name) => join('docs', name));

    // Act
    const unneeded = docs.flatMap((file) =>
      [...policyActions(file)].filter((action) => !needed.has(action)).map((action) => `${file}: ${action}`),
    );

    // Assess
    expect(unneeded).toEqual([]);
    expect(policyActions(join('docs', 'cross-account.md'))).toEqual(
      new Set(['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']),
    );
  });

  test('the source scan finds every DynamoDB command esbuild bundles, except endpoint discovery, which is off', () => {
    // DescribeEndpoints comes with every DynamoDB client for endpoint discovery, which runs only when
    // AWS_ENABLE_ENDPOINT_DISCOVERY (or endpointDiscoveryEnabled) is set; the function never sets it.
    // Prepare
    const inSource = codeActions().operations.get('dynamodb') ?? new Set<string>();

    // Act
    const bundled = dynamoDBCommandsInBundle();

    // Assess
    expect([...bundled].sort()).toEqual([...inSource, 'DescribeEndpoints'].sort());
  });

  test("the original package's slave policy (PutItem, DeleteItem) is every call the slave's item-by-item path sends", () => {
    // The fallback of docs/guarantees.md#a-role-without-batchwriteitem: a role without BatchWriteItem replicates
    // only while the single-item path needs nothing else; the README's WriteTheSlave statement adds BatchWriteItem.
    // Prepare
    const slaveSource = readFileSync(join(root, 'src', 'shared', 'batchWriter.ts'), 'utf8');
    const readme = readFileSync(join(root, 'README.md'), 'utf8');

    // Act
    const sent = new Set([...slaveSource.matchAll(/new\s+(\w+)Command\s*\(/g)].map((match) => `dynamodb:${match[1]}`));
    const statement = /"Sid": "WriteTheSlave",[\s\S]*?"Action": (\[[^\]]*\])/.exec(readme)?.[1] ?? '[]';

    // Assess
    const original = ['dynamodb:PutItem', 'dynamodb:DeleteItem'];
    expect([...sent].sort()).toEqual([...original, 'dynamodb:BatchWriteItem'].sort());
    expect((JSON.parse(statement) as string[]).sort()).toEqual([...sent].sort());
  });
});
