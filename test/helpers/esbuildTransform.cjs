/**
 * Jest's TypeScript transform: esbuild's `transformSync`, file by file. The project compiles with `isolatedModules`,
 * so no file needs another's types to be emitted, and a transform that loads the TypeScript compiler in every Jest
 * worker only costs time; type errors are `npm run typecheck`'s job, which `npm test` runs before Jest. Inline source
 * maps keep stack traces on the .ts lines.
 */
const { createHash } = require('node:crypto');
const { transformSync, version } = require('esbuild');

module.exports = {
  process(sourceText, sourcePath) {
    const { code } = transformSync(sourceText, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      platform: 'node',
      sourcemap: 'inline',
      sourcefile: sourcePath,
    });
    return { code };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(`esbuild ${version}\0${sourcePath}\0`).update(sourceText).digest('hex');
  },
};
