/**
 * Deliberately broken Lambda zips, for the test that the soak's verdict can fail: each is the real built zip's
 * handler (as `replicator.js`) behind an `index.js` wrapper that changes what reaches the slave and answers success
 * whatever happened, so only a verdict read from the slave, not from the function's answers, can catch it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { projectRoot } from '../../harness/bundle';

/** The ways a broken zip breaks replication. */
export type Breakage = 'drops-removes' | 'drops-modifies' | 'rewrites-older-image' | 'ignores-its-deadline';

/** Picks about half of the records, the same ones on every delivery (by a hash of the event id). */
const PICKED = `const picked = (record) => [...record.eventID].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 2 === 0;`;

/** A wrapper that drops about half of the records named `eventName` and replicates the rest. */
const dropping = (eventName: string): string => `${PICKED}
exports.handler = async (event, context) => {
  const records = event.Records.filter((record) => !(record.eventName === '${eventName}' && picked(record)));
  await real.handler({ ...event, Records: records }, context);
  return { batchItemFailures: [] };
};`;

/** The wrapper's code for each breakage: CommonJS, as the runtime loads `index.handler`. */
const WRAPPERS: Record<Breakage, string> = {
  'drops-removes': dropping('REMOVE'),
  'drops-modifies': dropping('MODIFY'),
  // After each batch, some of its items get the image an earlier batch wrote written again, over the newer one.
  'rewrites-older-image': `${PICKED}
const earlier = new Map();
exports.handler = async (event, context) => {
  await real.handler(event, context);
  const older = new Map();
  for (const record of event.Records) {
    const item = JSON.stringify(record.dynamodb.Keys);
    if (earlier.has(item) && picked(record)) older.set(item, earlier.get(item));
  }
  for (const record of event.Records) earlier.set(JSON.stringify(record.dynamodb.Keys), record);
  const images = [...older.values()].filter((record) => record.eventName !== 'REMOVE');
  if (images.length > 0) await real.handler({ ...event, Records: images }, context);
  return { batchItemFailures: [] };
};`,
  // The real handler told it has 15 minutes, whatever Lambda's deadline: it never stops sending in time, so on
  // Managed Instances a timed-out invocation that runs on writes its images after newer ones.
  'ignores-its-deadline': `exports.handler = async (event, context) => {
  await real.handler(event, { ...context, getRemainingTimeInMillis: () => 15 * 60_000 });
  return { batchItemFailures: [] };
};`,
};

/** Broken zips in a temporary folder; `remove` deletes them. */
export interface BrokenZips {
  readonly path: (breakage: Breakage) => string;
  remove(): void;
}

/** Writes one broken zip per {@link Breakage}, each wrapping the built zip's handler. */
export function brokenZips(): BrokenZips {
  const folder = mkdtempSync(join(tmpdir(), 'broken-zips-'));
  const built = unzipSync(new Uint8Array(readFileSync(join(projectRoot(), 'dist', 'dynamo-replicator.zip'))));
  const real = built['index.js'];
  if (!real) throw new Error('dist/dynamo-replicator.zip has no index.js: run npm run build');
  for (const [breakage, wrapper] of Object.entries(WRAPPERS)) {
    const index = `'use strict';\nconst real = require('./replicator.js');\n${wrapper}\n`;
    writeFileSync(join(folder, `${breakage}.zip`), zipSync({ 'index.js': strToU8(index), 'replicator.js': real }));
  }
  return {
    path: (breakage) => join(folder, `${breakage}.zip`),
    remove: () => rmSync(folder, { recursive: true, force: true }),
  };
}
