// Runs a TypeScript script (scripts/*.ts) without a separate compile step: esbuild bundles it, with
// node_modules left external, into .cache/ and Node imports the result. Usage: node scripts/run.mjs <file.ts> [args…]

import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run.mjs <script.ts> [args…]');
  process.exit(2);
}
const outfile = resolve('.cache', `${basename(entry, '.ts')}.cjs`);
await build({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  packages: 'external',
  sourcemap: 'inline',
  logLevel: 'warning',
});
process.argv = [process.argv[0], outfile, ...args];
await import(pathToFileURL(outfile).href);
