/**
 * Loads the built Lambda bundle (`dist/index.js`) fresh, with a given environment, and returns its `handler`.
 *
 * The bundle reads its configuration once, when it is loaded, so each configuration needs a fresh copy. Deleting
 * the entry from `require.cache` does not work under Jest (its `require.cache` ignores deletes), so the file is
 * evaluated directly as a CommonJS module each time: the same in Jest, the demo and the benchmark. The bundle runs
 * in the caller's realm, so it sees the caller's `process.env` as Lambda code sees Lambda's.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import type { StreamHandler } from './lambdaFunction';

/** The repository root: the nearest folder above this file with the project's package.json. */
export function projectRoot(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && /"name":\s*"dynamo-replicator"/.test(readFileSync(manifest, 'utf8'))) return dir;
  }
  throw new Error(`no dynamo-replicator package.json above ${__dirname}`);
}

/**
 * esbuild's options for code a Lambda Node 22 process loads (the local transport, a user's bundled handler): one
 * CommonJS file, kept in memory (`outputFiles`), esbuild's own messages silenced.
 */
export const LAMBDA_NODE_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  write: false,
  logLevel: 'silent',
} as const;

/** Path of the built bundle. */
export function bundlePath(): string {
  return join(projectRoot(), 'dist', 'index.js');
}

/** What `node scripts/build.mjs` writes, relative to the project root. */
export const BUILD_OUTPUTS = [
  'dist/index.js',
  'dist/dynamo-replicator.zip',
  'dist/cli.js',
  'dist/library/index.js',
  'dist/types/library/index.d.ts',
  'dist/cdk/index.js',
  'dist/types/cdk/index.d.ts',
];
/**
 * What the build reads besides `src/`: the build script, the library's declaration settings and the installed
 * dependencies.
 */
const BUILD_INPUTS = ['scripts/build.mjs', 'tsconfig.library.json', 'package.json', 'package-lock.json'];

/**
 * Why the built files under `root` are out of date, or `undefined` when they are current: an output is missing, or a
 * file under `src/` (or the build script, package.json, package-lock.json) was changed after the oldest output.
 */
export function staleBuildReason(root: string = projectRoot()): string | undefined {
  let oldestOutput = Number.POSITIVE_INFINITY;
  for (const output of BUILD_OUTPUTS) {
    const path = join(root, output);
    if (!existsSync(path)) return `${output} does not exist`;
    oldestOutput = Math.min(oldestOutput, statSync(path).mtimeMs);
  }
  const inputs = [
    ...filesUnder(join(root, 'src')),
    ...BUILD_INPUTS.map((input) => join(root, input)).filter((path) => existsSync(path)),
  ];
  const newer = inputs.find((path) => statSync(path).mtimeMs > oldestOutput);
  return newer === undefined ? undefined : `${relative(root, newer)} changed after the last build`;
}

function filesUnder(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Sets `env` in `process.env` (an `undefined` value removes the variable), evaluates the bundle and returns its
 * handler. The variables stay set afterwards: the AWS SDK reads some of them (endpoint, credentials) only when the
 * first request is made, not at load time.
 */
export function loadHandler(env: Record<string, string | undefined>, path = bundlePath()): StreamHandler {
  const { handler } = loadExports(env, path);
  if (typeof handler !== 'function') throw new Error(`${path} does not export a handler function`);
  return handler as StreamHandler;
}

/** Sets `env` as {@link loadHandler} does, evaluates the bundle at `path` and returns all it exports, unchecked. */
export function loadExports(env: Record<string, string | undefined>, path = bundlePath()): Record<string, unknown> {
  if (!existsSync(path)) throw new Error(`${path} does not exist: run npm run build first`);
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  const module = { exports: {} as Record<string, unknown> };
  const evaluate = new Function(
    'exports',
    'require',
    'module',
    '__filename',
    '__dirname',
    `${readFileSync(path, 'utf8')}\n//# sourceURL=${path}`,
  ) as (exports: object, require: NodeRequire, module: object, filename: string, dirname: string) => void;
  evaluate(module.exports, createRequire(path), module, path, dirname(path));
  return module.exports;
}
