/**
 * The construct as the package ships it: `require('dynamo-replicator/cdk')` and its ES module import resolve through
 * package.json "exports" to the built entry; TypeScript finds its declarations under each module resolution a CDK app
 * uses (package.json "typesVersions" for node10, "exports" for node16), and a strict CDK app type-checks against them
 * (one compile: the declarations are the same files under either resolution); `npm pack` carries what the construct
 * needs (its entry, its types and the function's zip it deploys) without adding it to the library's bundle.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
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

/** An app folder whose node_modules holds this package and its peers, as a CDK app's does; removed by `remove`. */
function appFolder(): { folder: string; remove: () => void } {
  const folder = mkdtempSync(join(tmpdir(), 'cdk-types-'));
  mkdirSync(join(folder, 'node_modules'));
  for (const [name, target] of [
    ['dynamo-replicator', ROOT],
    ['aws-cdk-lib', join(ROOT, 'node_modules', 'aws-cdk-lib')],
    ['constructs', join(ROOT, 'node_modules', 'constructs')],
    ['@types', join(ROOT, 'node_modules', '@types')],
  ] as const) {
    symlinkSync(target, join(folder, 'node_modules', name), 'dir');
  }
  return { folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

describe('the types of dynamo-replicator/cdk in a CDK app', () => {
  test.each([
    ['node10', ts.ModuleResolutionKind.Node10, ts.ModuleKind.CommonJS],
    ['node16', ts.ModuleResolutionKind.Node16, ts.ModuleKind.Node16],
  ])(
    'TypeScript with moduleResolution %s finds the declarations of dynamo-replicator/cdk and of the library',
    (_name, moduleResolution, module) => {
      // Prepare
      const app = appFolder();
      const options: ts.CompilerOptions = { moduleResolution, module };
      const resolved = (specifier: string) =>
        ts.resolveModuleName(specifier, join(app.folder, 'app.ts'), options, ts.sys).resolvedModule?.resolvedFileName;

      // Act
      let found: Array<string | undefined>;
      try {
        found = ['dynamo-replicator/cdk', 'dynamo-replicator'].map(resolved);
      } finally {
        app.remove();
      }

      // Assess
      expect(found).toEqual([join(ROOT, 'dist/types/cdk/index.d.ts'), join(ROOT, 'dist/types/library/index.d.ts')]);
    },
  );

  test('TypeScript (strict, moduleResolution node16) types a CDK app that uses DynamoReplicator and createReplicator', () => {
    // Prepare
    const app = appFolder();
    writeFileSync(
      join(app.folder, 'app.ts'),
      "import { App, Stack } from 'aws-cdk-lib';\n" +
        "import { DynamoReplicator, type DynamoReplicatorProps } from 'dynamo-replicator/cdk';\n" +
        "import { createReplicator } from 'dynamo-replicator';\n" +
        "const props: DynamoReplicatorProps = { master: 'arn', slaves: [{ region: 'eu-west-1', tableName: 'Copy' }] };\n" +
        "const made = new DynamoReplicator(new Stack(new App()), 'Replica', props);\n" +
        'export const used = [made.function.functionArn, made.failureQueue.queueUrl, made.dashboard, createReplicator];\n',
    );
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--skipLibCheck', '--types', 'node', '--module', 'node16'];

    // Act
    const compile = () =>
      execFileSync(process.execPath, [tsc, ...flags, '--moduleResolution', 'node16', 'app.ts'], {
        cwd: app.folder,
        encoding: 'utf8',
      });

    // Assess
    try {
      expect(compile).not.toThrow();
    } finally {
      app.remove();
    }
  });
});
