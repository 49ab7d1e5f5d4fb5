/**
 * The upload-ready zip holds exactly what Lambda needs: `index.js` at its root, byte for byte the bundle that the
 * integration tests run, and nothing else (no CLI, no source map, no node_modules).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { bundlePath, loadExports, projectRoot } from '../../harness/bundle';
import { fakeContext } from '../../harness/context';
import { replicatorEnv } from '../../harness/replicator';

describe('the Lambda zip (dist/dynamo-replicator.zip)', () => {
  it('contains only index.js, identical to the tested bundle', () => {
    // Prepare
    const zip = readFileSync(join(projectRoot(), 'dist', 'dynamo-replicator.zip'));
    const bundle = readFileSync(bundlePath());

    // Act
    const entries = unzipSync(new Uint8Array(zip));

    // Assess
    expect(Object.keys(entries)).toEqual(['index.js']);
    expect(Buffer.from(entries['index.js'] as Uint8Array).equals(bundle)).toBe(true);
  });

  it('index.js, unzipped into a folder of its own and loaded with a configuration, exports handler as a function', async () => {
    // Prepare: the zip's index.js alone in a temporary folder (Lambda's /var/task holds nothing else).
    const entries = unzipSync(new Uint8Array(readFileSync(join(projectRoot(), 'dist', 'dynamo-replicator.zip'))));
    const directory = mkdtempSync(join(tmpdir(), 'dynamo-replicator-zip-'));
    const indexPath = join(directory, 'index.js');
    writeFileSync(indexPath, entries['index.js'] as Uint8Array);
    const env = replicatorEnv({ endpoint: 'http://127.0.0.1:9', slaveTable: 'slave' });

    try {
      // Act
      const exported = loadExports(env, indexPath);

      // Assess: a function, which answers an empty batch with no failures.
      expect(typeof exported.handler).toBe('function');
      const handler = exported.handler as (event: unknown, context: unknown) => Promise<unknown>;
      await expect(handler({ Records: [] }, fakeContext())).resolves.toEqual({ batchItemFailures: [] });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
