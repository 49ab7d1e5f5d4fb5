/**
 * The built library, as `require('dynamo-replicator')` loads it: the file package.json's `main` names, evaluated
 * fresh with a given environment (as {@link loadExports} does for the zip's bundle), and the shape of what it exports
 * as these tests and scripts use it. The shapes are checked when loaded, so a build that exports something else fails
 * with a message saying what is missing rather than a TypeError deep in a test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { loadExports, projectRoot } from './bundle';
import type { LambdaStreamEvent, LambdaStreamRecord } from './lambdaEvent';
import type { StreamHandler } from './lambdaFunction';

/** An item as the hooks see it: SDK attribute values (numbers as exact strings, binary as `Uint8Array`). */
export type HookItem = Record<string, AttributeValue>;

/** The options of `createReplicator` that these tests use. */
export interface LibraryOptions {
  readonly region?: string;
  readonly table?: string;
  readonly slaves?: ReadonlyArray<{ region: string; table: string; roleArn?: string; externalId?: string }>;
  readonly filter?: (item: HookItem, record: LambdaStreamRecord) => boolean;
  readonly transform?: (item: HookItem, record: LambdaStreamRecord) => HookItem;
  readonly excludeAttributes?: readonly string[];
}

/** What `createReplicator` returns. */
export interface LibraryReplicator {
  /** A Lambda handler answering `{ batchItemFailures }`, like the zip's. */
  readonly handler: StreamHandler;
  /** Resolves when every record is on the slave(s); rejects with an Error naming the records that are not. */
  process(event: LambdaStreamEvent): Promise<unknown>;
}

/** `require('dynamo-replicator')`: callable as the original package was, with `createReplicator` beside it. */
export interface LibraryExports {
  (options: { region: string; table: string }): Pick<LibraryReplicator, 'process'>;
  createReplicator(options: LibraryOptions): LibraryReplicator;
}

/** The file package.json's `main` names (the library's entry after the build). */
export function libraryPath(root: string = projectRoot()): string {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main?: string };
  if (!manifest.main) throw new Error(`${root}/package.json has no main`);
  return join(root, manifest.main);
}

/** Sets `env` (as {@link loadExports} does), evaluates the library's entry fresh and checks what it exports. */
export function loadLibrary(env: Record<string, string | undefined>, path: string = libraryPath()): LibraryExports {
  const exported = loadExports(env, path) as unknown;
  if (typeof exported !== 'function') {
    throw new Error(`${path} (package.json's main) must export a function, the original package's factory`);
  }
  const { createReplicator } = exported as { createReplicator?: unknown };
  if (typeof createReplicator !== 'function') throw new Error(`${path} does not export createReplicator`);
  return exported as LibraryExports;
}
