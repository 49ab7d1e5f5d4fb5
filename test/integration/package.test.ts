/**
 * The upload-ready zip holds exactly what Lambda needs: `index.js` at its root, byte for byte the bundle that the
 * integration tests run, and nothing else (no CLI, no source map, no node_modules).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { bundlePath, projectRoot } from '../../harness/bundle';

describe('the Lambda zip (dist/dynamo-replicator.zip)', () => {
  it('contains only index.js, identical to the tested bundle, which exports handler', () => {
    // Prepare
    const zip = readFileSync(join(projectRoot(), 'dist', 'dynamo-replicator.zip'));
    const bundle = readFileSync(bundlePath());

    // Act
    const entries = unzipSync(new Uint8Array(zip));

    // Assess
    expect(Object.keys(entries)).toEqual(['index.js']);
    expect(Buffer.from(entries['index.js'] as Uint8Array).equals(bundle)).toBe(true);
    expect(bundle.toString('utf8')).toMatch(/\bhandler\b/);
  });
});
