/**
 * The slave table's resource-based policies in docs/cross-account.md allow exactly what is sent to the slave: the
 * function's statement the write actions the template's role is given for a slave by ARN (held to the code by the
 * template's own contract tests), and the operator tools' statement every action of the slave row's backfill, verify
 * and verify --repair columns of the permissions table in docs/operations.md (held to the CLI's code by
 * toolPermissions.test.ts). Each is a statement whose principal is a role and whose resource is the slave table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../harness/bundle';
import { evaluate, list, statementsOf } from './templateEvaluation';

const root = projectRoot();

interface ResourceStatement {
  Sid?: string;
  Principal?: { AWS?: string };
  Action?: string | string[];
  Resource?: string;
}

/** The statements of cross-account.md's JSON blocks that name a principal and a table: resource-based policies. */
function tableStatements(): Map<string, ResourceStatement> {
  const markdown = readFileSync(join(root, 'docs', 'cross-account.md'), 'utf8');
  const statements = new Map<string, ResourceStatement>();
  for (const [, block] of markdown.matchAll(/```json\n([\s\S]*?)```/g)) {
    const document = JSON.parse(block ?? '{}') as { Statement?: ResourceStatement[] };
    for (const statement of document.Statement ?? []) {
      if (statement.Principal?.AWS?.includes(':role/') && statement.Resource?.includes(':table/')) {
        statements.set(statement.Sid ?? '', statement);
      }
    }
  }
  return statements;
}

/** The actions of the slave row of the operator permissions table, in the columns of backfill and verify. */
function toolSlaveActions(): string[] {
  const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
  const row = doc.split('\n').find((line) => line.startsWith('| slave |'));
  if (!row) throw new Error('docs/operations.md has no "| slave |" row');
  const [, , , backfill, verify, repair] = row.split('|');
  const actions = [backfill, verify, repair].flatMap((cell) =>
    [...(cell ?? '').matchAll(/`([A-Z][A-Za-z]+)`/g)].map((match) => `dynamodb:${match[1]}`),
  );
  return [...new Set(actions)].sort();
}

describe('the slave table’s resource-based policies in docs/cross-account.md', () => {
  test('the function’s statement allows exactly the write actions the template grants on a slave by ARN', () => {
    // Prepare
    const granted = statementsOf(evaluate('slave by table ARN (another account, its resource-based policy)'))
      .filter((statement) => statement.Sid === 'WriteTheSlave')
      .flatMap((statement) => list(statement.Action));

    // Act
    const documented = list(tableStatements().get('ReplicatorWrites')?.Action ?? []);

    // Assess
    expect(granted.length).toBeGreaterThan(0);
    expect([...documented].sort()).toEqual([...granted].sort());
  });

  test('the operator tools’ statement allows exactly the slave row of backfill and verify in the permissions table', () => {
    // Act
    const documented = list(tableStatements().get('OperatorTools')?.Action ?? []);

    // Assess
    expect(toolSlaveActions()).toContain('dynamodb:Scan');
    expect([...documented].sort()).toEqual(toolSlaveActions());
  });
});
