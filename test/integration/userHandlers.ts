/**
 * Handlers as users write them around the library, for the library's runtime suites: plain CommonJS, TypeScript
 * compiled by tsc, a bundle made by esbuild, and an ES module, each either with the original factory
 * (`require('dynamo-replicator')(options)`) or with `createReplicator`, and each an async handler returning
 * `process(event)`. The slave is left as the placeholders `SLAVE-REGION`/`SLAVE-TABLE` that the task's `saveTask`
 * fills in.
 */
import { buildSync } from 'esbuild';
import { ModuleKind, ScriptTarget, transpileModule } from 'typescript';
import { LAMBDA_NODE_BUNDLE } from '../../harness/bundle';

/** Which API makes the replicator. */
export type LibraryApi = 'factory' | 'createReplicator';

/** One handler file: how it was written, its name in the task root, its text. */
export interface UserHandler {
  readonly form: 'CommonJS' | 'tsc output' | 'esbuild bundle' | 'ES module';
  readonly fileName: string;
  readonly source: string;
}

const OPTIONS = "{ region: 'SLAVE-REGION', table: 'SLAVE-TABLE' }";

function commonJs(api: LibraryApi): string {
  const make =
    api === 'factory'
      ? `require('dynamo-replicator')(${OPTIONS})`
      : `require('dynamo-replicator').createReplicator(${OPTIONS})`;
  return `'use strict';\nconst replicator = ${make};\nexports.handler = async (event) => replicator.process(event);\n`;
}

function typeScript(api: LibraryApi): string {
  const made =
    api === 'factory'
      ? `import dynamoReplicator = require('dynamo-replicator');\nconst replicator = dynamoReplicator(${OPTIONS});`
      : `import { createReplicator } from 'dynamo-replicator';\nconst replicator = createReplicator(${OPTIONS});`;
  return `${made}\nexport const handler = async (event: unknown): Promise<void> => replicator.process(event);\n`;
}

function esModule(api: LibraryApi): string {
  const made =
    api === 'factory'
      ? `import dynamoReplicator from 'dynamo-replicator';\nconst replicator = dynamoReplicator(${OPTIONS});`
      : `import { createReplicator } from 'dynamo-replicator';\nconst replicator = createReplicator(${OPTIONS});`;
  return `${made}\nexport const handler = async (event) => replicator.process(event);\n`;
}

/**
 * The four forms of a handler using `api`; `installed` is the folder whose node_modules holds the installed package
 * (esbuild resolves and bundles it from there, with its dependencies).
 */
export function userHandlers(api: LibraryApi, installed: string): UserHandler[] {
  const compiled = transpileModule(typeScript(api), {
    compilerOptions: { module: ModuleKind.CommonJS, target: ScriptTarget.ES2022, esModuleInterop: true },
  }).outputText;
  const bundled = buildSync({
    stdin: { contents: commonJs(api), resolveDir: installed, sourcefile: 'index.js' },
    ...LAMBDA_NODE_BUNDLE,
  }).outputFiles[0]?.text;
  if (bundled === undefined) throw new Error('esbuild wrote no bundle');
  return [
    { form: 'CommonJS', fileName: 'index.js', source: commonJs(api) },
    { form: 'tsc output', fileName: 'index.js', source: compiled },
    { form: 'esbuild bundle', fileName: 'index.js', source: bundled },
    { form: 'ES module', fileName: 'index.mjs', source: esModule(api) },
  ];
}
