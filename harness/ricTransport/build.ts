/**
 * Bundles the JavaScript transport (harness/ricTransport: preload, rapidClient3/4, poster) into
 * `.cache/ric-transport/`, where the local Lambda's containers load it with `node --require`: they run plain Node 22
 * or 24, not this project's TypeScript toolchain. esbuild is a devDependency with prebuilt binaries, so nothing is
 * compiled.
 */
import { mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_NODE_BUNDLE } from '../bundle';

/** The files a container needs, by entry point. */
const ENTRIES = ['preload', 'rapidClient3', 'rapidClient4', 'poster'] as const;

/**
 * The preload of the transport under `<root>/.cache/ric-transport`, (re)built when a source is newer than its
 * bundles (each file replaced by a rename, so a container or a concurrent Jest worker never reads half of one).
 */
export function ensureTransport(root: string): string {
  const outdir = join(root, '.cache', 'ric-transport');
  const preload = join(outdir, 'preload.cjs');
  if (upToDate(join(root, 'harness', 'ricTransport'), outdir)) return preload;
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: ENTRIES.map((name) => join(root, 'harness', 'ricTransport', `${name}.ts`)),
    outdir,
    outExtension: { '.js': '.cjs' },
    ...LAMBDA_NODE_BUNDLE,
  });
  for (const file of result.outputFiles) {
    const partial = `${file.path}.${process.pid}`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  return preload;
}

/**
 * Whether every bundle is there and newer than every source (every local Lambda comes through here: a stat is
 * cheaper than a build).
 */
function upToDate(sources: string, outdir: string): boolean {
  try {
    const newestSource = Math.max(
      ...readdirSync(sources)
        .filter((name) => name.endsWith('.ts'))
        .map((name) => statSync(join(sources, name)).mtimeMs),
    );
    return ENTRIES.every((name) => statSync(join(outdir, `${name}.cjs`)).mtimeMs >= newestSource);
  } catch {
    return false;
  }
}

/** The bundle of the transport's native-shaped module for `line`'s client (its `require('./rapid-client.node')`). */
export function transportClient(root: string, line: 3 | 4): string {
  return join(root, '.cache', 'ric-transport', `rapidClient${line}.cjs`);
}
