/**
 * Bundles the JavaScript transport (harness/ricTransport: preload, rapidClient3/4, poster) into `.cache/ric-transport/`,
 * where the local Lambda's containers load it with `node --require`: they run plain Node 22 or 24, not this
 * project's TypeScript toolchain. esbuild is a devDependency with prebuilt binaries, so nothing is compiled.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { LAMBDA_NODE_BUNDLE } from '../bundle';

/** The files a container needs, by entry point. */
const ENTRIES = ['preload', 'rapidClient3', 'rapidClient4', 'poster'] as const;

/**
 * The preload of the transport under `<root>/.cache/ric-transport`, (re)written when its bundle differs from the
 * sources' (each file replaced by a rename, so a container or a concurrent Jest worker never reads half of one).
 */
export function ensureTransport(root: string): string {
  const outdir = join(root, '.cache', 'ric-transport');
  mkdirSync(outdir, { recursive: true });
  const result = buildSync({
    entryPoints: ENTRIES.map((name) => join(root, 'harness', 'ricTransport', `${name}.ts`)),
    outdir,
    outExtension: { '.js': '.cjs' },
    ...LAMBDA_NODE_BUNDLE,
  });
  for (const file of result.outputFiles) {
    if (readOrEmpty(file.path) === file.text) continue;
    const partial = `${file.path}.${process.pid}`;
    writeFileSync(partial, file.contents);
    renameSync(partial, file.path);
  }
  return join(outdir, 'preload.cjs');
}

/** The bundle of the transport's native-shaped module for `line`'s client (its `require('./rapid-client.node')`). */
export function transportClient(root: string, line: 3 | 4): string {
  return join(root, '.cache', 'ric-transport', `rapidClient${line}.cjs`);
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
