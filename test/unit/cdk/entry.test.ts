/**
 * The construct as the package ships it: `require('dynamo-replicator/cdk')` and its ES module import resolve through
 * package.json "exports" to the built entry, and `npm pack` carries what the construct needs (its entry, its types
 * and the function's zip it deploys) without adding it to the library's bundle.
 */
import { execFileSync } from 'node:child_process';
import { projectRoot } from '../../../harness/bundle';

const ROOT = projectRoot();

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }).trim();
}

describe('the dynamo-replicator/cdk entry', () => {
  test('require and import of dynamo-replicator/cdk give the DynamoReplicator class', () => {
    // Act
    const required = node(['-e', "console.log(typeof require('dynamo-replicator/cdk').DynamoReplicator)"]);
    const imported = node([
      '--input-type=module',
      '-e',
      "import { DynamoReplicator } from 'dynamo-replicator/cdk'; console.log(typeof DynamoReplicator)",
    ]);

    // Assess
    expect([required, imported]).toEqual(['function', 'function']);
  });

  test("npm pack carries the construct's entry, its types and the function's zip, and the library does not load aws-cdk-lib", () => {
    // Act
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const [packed] = JSON.parse(output.slice(output.indexOf('['))) as Array<{ files: Array<{ path: string }> }>;
    const files = packed?.files.map((file) => file.path) ?? [];
    const library = node([
      '-e',
      "require('dynamo-replicator'); console.log(Object.keys(require.cache).filter((p) => p.includes('aws-cdk-lib')).length)",
    ]);

    // Assess
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/cdk/index.js',
        'dist/cdk/index.mjs',
        'dist/types/cdk/index.d.ts',
        'dist/types/cdk/dynamoReplicator.d.ts',
        'dist/types/cdk/props.d.ts',
        'dist/dynamo-replicator.zip',
      ]),
    );
    expect(library).toBe('0');
  });
});
