/**
 * `staleBuildReason`, which jest's global setup uses to rebuild dist/ before the integration tests run the bundle:
 * checked on a throw-away project folder whose file times the tests set.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUILD_OUTPUTS, staleBuildReason } from '../../harness/bundle';

let root: string;

/** Writes `path` (relative to the project) with its modification time `secondsAgo` seconds in the past. */
function file(path: string, secondsAgo: number): void {
  const full = join(root, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, '');
  const time = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, time, time);
}

beforeEach(() => {
  // Prepare: sources from 100 s ago, every output built 50 s ago.
  root = mkdtempSync(join(tmpdir(), 'stale-build-'));
  file('src/zip/index.ts', 100);
  file('src/replicator/deep/planner.ts', 100);
  file('scripts/build.mjs', 100);
  file('package.json', 100);
  for (const output of BUILD_OUTPUTS) file(output, 50);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

test('a build newer than every source is current', () => {
  // Act + Assess
  expect(staleBuildReason(root)).toBeUndefined();
});

test('a source changed after the build, however deep under src/, makes it stale', () => {
  // Prepare
  file('src/replicator/deep/planner.ts', 10);

  // Act + Assess
  expect(staleBuildReason(root)).toBe(
    `${join('src', 'replicator', 'deep', 'planner.ts')} changed after the last build`,
  );
});

test('a source changed after only one of the outputs was written makes it stale', () => {
  // Prepare: index.js rebuilt after the change, the CLI bundle not.
  file('src/zip/index.ts', 20);
  file('dist/index.js', 10);

  // Act + Assess
  expect(staleBuildReason(root)).toBe(`${join('src', 'zip', 'index.ts')} changed after the last build`);
});

test('a changed build script or package.json makes it stale', () => {
  // Prepare
  file('scripts/build.mjs', 10);

  // Act + Assess
  expect(staleBuildReason(root)).toBe(`${join('scripts', 'build.mjs')} changed after the last build`);
});

test('a missing output makes it stale', () => {
  // Prepare
  rmSync(join(root, 'dist', 'dynamo-replicator.zip'));

  // Act + Assess
  expect(staleBuildReason(root)).toBe('dist/dynamo-replicator.zip does not exist');
});
