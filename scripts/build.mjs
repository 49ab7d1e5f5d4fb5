// Builds the Lambda bundle and its upload-ready zip, the operator CLI, and the library the npm package exports.
//   dist/index.js (+ .map): src/zip/index.ts bundled by esbuild — minified, CommonJS, target node22 — exporting `handler`,
//   so the console's default handler setting `index.handler` works.
//   dist/dynamo-replicator.zip: index.js at the zip's root. Written by fflate with fixed timestamps and modes, so the
//   same sources always give the same bytes (a zip CLI may be missing, and stamps the build time into the file).
//   dist/cli.js: the operator CLI (package.json "bin").
//   dist/library/index.js: src/library/index.ts for `require('dynamo-replicator')` (package.json "main"), CommonJS,
//   target node20, its dependencies left as require()s so a user's install resolves @aws-sdk/* and Powertools from the
//   package's dependencies; dist/types/: its declarations (package.json "types"), by tsc -p tsconfig.library.json.
//   dist/library/index.mjs: the same for `import` (package.json "exports"): Node imports a CommonJS module whose
//   module.exports is a function as a default export only, so the named exports are declared here, read from the
//   built CommonJS module itself so that the two cannot drift.
//   dist/cdk/index.js and index.mjs: src/cdk/index.ts for `require('dynamo-replicator/cdk')` and its import (package.json
//   "exports"), the same way as the library but apart from it, with aws-cdk-lib and constructs left to the user's
//   install, so that neither the library nor the zip grows; its declarations in dist/types/cdk/.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const dist = 'dist';
const bundle = join(dist, 'index.js');
const zipPath = join(dist, 'dynamo-replicator.zip');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

/** What both bundles share: one minified CommonJS file with its source map and every dependency inside. */
const common = {
  bundle: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  platform: 'node',
  format: 'cjs',
  // Powertools and the SDK ship ESM and CJS; prefer the module entry points so esbuild can tree-shake them.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  // The SDK loads node:http and node:async_hooks with import(). Lambda runs that fine, but a CommonJS bundle that is
  // evaluated in a vm context (Jest) cannot; as require() it works everywhere, and is loaded no earlier than before.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
};

await build({ ...common, entryPoints: ['src/zip/index.ts'], outfile: bundle, target: 'node22' });

// 1980-01-01 is the earliest time a zip entry can hold; a constant keeps the archive reproducible.
const mtime = new Date('1980-01-01T00:00:00Z');
const zip = zipSync(
  { 'index.js': [readFileSync(bundle), { level: 9, mtime, attrs: 0o644 << 16 }] },
  { level: 9, mtime },
);
writeFileSync(zipPath, zip);

// The operator CLI (`dynamo-replicator backfill|verify`, package.json "bin"): its own bundle, not in the Lambda zip.
const cli = join(dist, 'cli.js');
await build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: cli, target: 'node20' });

/**
 * A package entry (`entry` → `dist/<folder>/index.js`): only our code is bundled (one file, readable, with its source
 * map), the dependencies stay packages. Its ES module twin `index.mjs` declares the named exports, read from the built
 * CommonJS module itself so that the two cannot drift.
 */
async function buildEntry(entry, folder, what) {
  const outfile = join(dist, folder, 'index.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const named = Object.keys(createRequire(import.meta.url)(join(process.cwd(), outfile))).filter(
    (name) => name !== 'default',
  );
  writeFileSync(
    join(dist, folder, 'index.mjs'),
    `// The ES module entry of ${what}: the CommonJS module, with its named exports.\n` +
      `import entry from './index.js';\n\nexport default entry;\nexport const { ${named.join(', ')} } = entry;\n`,
  );
  return outfile;
}

const library = await buildEntry('src/library/index.ts', 'library', 'dynamo-replicator');
const cdk = await buildEntry('src/cdk/index.ts', 'cdk', 'dynamo-replicator/cdk');
execFileSync(process.execPath, [join('node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.library.json'], {
  stdio: 'inherit',
});

const kb = (path) => `${(statSync(path).size / 1024).toFixed(1)} KB`;
console.log(
  `built ${bundle} (${kb(bundle)}) and ${zipPath} (${kb(zipPath)}), CLI ${cli} (${kb(cli)}), library ${library} (${kb(library)}), CDK construct ${cdk} (${kb(cdk)})`,
);
