/** The source files a bundle is built from, for tests that check what the code calls or reads. */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { projectRoot } from './bundle';

/**
 * `entry` (a path relative to `root`; default src/zip/index.ts, the Lambda handler) and every file it imports
 * relatively, transitively: path → text.
 */
export function handlerSources(
  root: string = projectRoot(),
  entry: string = join('src', 'zip', 'index.ts'),
): Map<string, string> {
  const sources = new Map<string, string>();
  const pending = [resolve(root, entry)];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (sources.has(file)) continue;
    const text = readFileSync(file, 'utf8');
    sources.set(file, text);
    for (const [, specifier] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const base = resolve(dirname(file), specifier ?? '');
      const candidate = [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path));
      if (!candidate) throw new Error(`cannot resolve ${specifier} imported by ${file}`);
      pending.push(candidate);
    }
  }
  return sources;
}

/**
 * The operations of AWS SDK commands esbuild bundles from `entry` (built minified, as scripts/build.mjs builds it),
 * one set per client package. A package's command classes are all built by one shared factory,
 * `class extends F(…,"Operation",…){}`; each of `known` (an operation of one package) identifies that package's
 * factory, and the answer maps it to every operation built by the same factory.
 */
export function commandsInBundle(
  entry: string,
  target: string,
  known: readonly string[],
  root: string = projectRoot(),
): Map<string, Set<string>> {
  const { outputFiles } = buildSync({
    entryPoints: [resolve(root, entry)],
    bundle: true,
    minify: true,
    write: false,
    platform: 'node',
    format: 'cjs',
    target,
    mainFields: ['module', 'main'],
    supported: { 'dynamic-import': false },
    logLevel: 'silent',
  });
  const code = outputFiles.map((file) => file.text).join('\n');
  const classes = [...code.matchAll(/class extends ([\w$]+)\([\w$]+,[\w$]+,"(\w+)",[\w$]+\)\{\}/g)];
  return new Map(
    known.map((operation) => {
      const factory = classes.find(([, , name]) => name === operation)?.[1];
      if (!factory)
        throw new Error(
          `no ${operation} command class found in the bundle of ${entry}: has the SDK changed how commands are built?`,
        );
      return [operation, new Set(classes.filter(([, builder]) => builder === factory).map(([, , name]) => name ?? ''))];
    }),
  );
}

/** Names imported from each package in one file (`type` imports and aliases resolved to the local name). */
export function importsOf(text: string): Map<string, string> {
  const packageOf = new Map<string, string>();
  for (const [, names, from] of text.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'([^']+)'/g)) {
    for (const raw of (names ?? '').split(',')) {
      const name = raw
        .replace(/^\s*type\s+/, '')
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) packageOf.set(name, from ?? '');
    }
  }
  return packageOf;
}
