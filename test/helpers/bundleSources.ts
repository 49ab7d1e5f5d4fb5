/** The source files a bundle is built from, for tests that check what the code calls or reads. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from './bundle';

/**
 * `entry` (a path relative to `root`; default src/index.ts, the Lambda handler) and every file it imports
 * relatively, transitively: path → text.
 */
export function handlerSources(root: string = projectRoot(), entry: string = join('src', 'index.ts')): Map<string, string> {
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
