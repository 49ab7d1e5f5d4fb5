/**
 * The layout held to the code: folders say who uses the code, so the imports between them must follow
 * docs/development.md — the function's parts (src/function, shared by the zip's entry src/zip and the library
 * src/library) and the CLI's never import each other, the CLI does not reach into the replication core nor the
 * library, nothing imports the zip's entry, src/shared imports neither side, the CDK construct (src/cdk, which deploys the built zip) imports only src/shared and nothing imports
 * it, and harness/ (shared by tests and scripts) imports neither tests nor scripts. Source and test files stay under 400 lines. A move that breaks one of these fails here, naming the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { projectRoot } from '../../harness/bundle';

const ROOT = projectRoot();

/** Folders, and the folders their files must not import from. */
const FORBIDDEN: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['src/zip', ['src/cli', 'src/library', 'src/cdk']],
  ['src/function', ['src/zip', 'src/cli', 'src/library', 'src/cdk']],
  ['src/replicator', ['src/zip', 'src/function', 'src/cli', 'src/library', 'src/cdk']],
  ['src/cli', ['src/zip', 'src/function', 'src/replicator', 'src/library', 'src/cdk']],
  ['src/library', ['src/zip', 'src/cli', 'src/cdk']],
  ['src/shared', ['src/zip', 'src/function', 'src/replicator', 'src/cli', 'src/library', 'src/cdk']],
  ['src/cdk', ['src/zip', 'src/function', 'src/replicator', 'src/cli', 'src/library']],
  ['harness', ['test', 'scripts']],
];

const MAX_LINES = 400;

function tsFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(folder, name));
}

/** The project-relative folders a file's relative imports point into. */
function importedPaths(file: string, text: string): string[] {
  return [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map(([, specifier]) =>
    relative(ROOT, resolve(ROOT, dirname(file), specifier ?? '')),
  );
}

/** `file → imported path` for every import that crosses a forbidden boundary, in `texts`. */
function violations(texts: ReadonlyMap<string, string>): string[] {
  const found: string[] = [];
  for (const [file, text] of texts) {
    const rule = FORBIDDEN.find(([folder]) => file.startsWith(`${folder}/`));
    if (!rule) continue;
    for (const target of importedPaths(file, text)) {
      if (rule[1].some((forbidden) => target === forbidden || target.startsWith(`${forbidden}/`))) {
        found.push(`${file} → ${target}`);
      }
    }
  }
  return found;
}

const sources = new Map(
  ['src', 'harness', 'scripts'].flatMap(tsFiles).map((file) => [file, readFileSync(join(ROOT, file), 'utf8')]),
);

describe('the code layout', () => {
  test('no import crosses a boundary of docs/development.md (Lambda ↔ CLI, CLI → core, shared → sides, CDK ↔ the rest, harness → tests)', () => {
    // Act
    const found = violations(sources);

    // Assess
    expect(found).toEqual([]);
  });

  test('the boundary check names a file of the CLI that imports the replication core, and one of shared/ that imports the CLI', () => {
    // Prepare: two copies of real files with one forbidden import each
    const cli = 'src/cli/main.ts';
    const shared = 'src/shared/key.ts';
    const texts = new Map([
      [cli, `${sources.get(cli)}\nimport { planBatch } from '../replicator/planner';\n`],
      [shared, `${sources.get(shared)}\nimport type { RunConfig } from '../cli/runConfig';\n`],
    ]);

    // Act
    const found = violations(texts);

    // Assess
    expect(found).toEqual([`${cli} → src/replicator/planner`, `${shared} → src/cli/runConfig`]);
  });

  test(`every file of src/, harness/, scripts/ and test/ has at most ${MAX_LINES} lines`, () => {
    // Prepare
    const tests = tsFiles('test').map((file) => [file, readFileSync(join(ROOT, file), 'utf8')] as const);

    // Act
    const long = [...sources, ...tests]
      .map(([file, text]) => ({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
      .filter(({ lines }) => lines > MAX_LINES);

    // Assess
    expect(sources.size).toBeGreaterThan(50);
    expect(tests.length).toBeGreaterThan(50);
    expect(long).toEqual([]);
  });
});
