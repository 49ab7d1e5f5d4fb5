/**
 * `dynamo-replicator zip`: the function's zip for a console user, without a clone or a build. The package ships the
 * zip the build wrote (dist/dynamo-replicator.zip, beside the CLI's bundle dist/cli.js), so `npx dynamo-replicator
 * zip` copies exactly the file the tests ran, and prints what the Lambda console asks for next: the runtime, the
 * handler and the environment variables, as the README's set-up steps give them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ToolError } from '../errors';

/** What `zip` writes where. */
export interface ZipConfig {
  /** The file to write (relative to the working directory). */
  readonly out: string;
  /** Replace an existing `out`. */
  readonly force: boolean;
}

/** What the console needs besides the file: the function settings of the README's step 3 and 4. */
export const CONSOLE_SETTINGS = {
  runtime: 'nodejs22.x',
  handler: 'index.handler',
  environment: {
    SLAVE_REGION: '<the slave table region, e.g. eu-west-1>',
    SLAVE_TABLE: '<the slave table name, e.g. OrdersReplica>',
    REPORT_BATCH_ITEM_FAILURES: 'true',
  },
} as const;

/** `zip`'s summary, printed as text or, with --json, as JSON. */
export interface ZipSummary {
  readonly command: 'zip';
  /** Absolute path of the file written. */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly runtime: string;
  readonly handler: string;
  readonly environment: Readonly<Record<string, string>>;
}

/** The zip inside the installed package: beside the CLI's bundle (dist/cli.js → dist/dynamo-replicator.zip). */
export function packagedZip(): string {
  return join(__dirname, 'dynamo-replicator.zip');
}

/**
 * Copies `source` (the packaged zip by default) to `config.out` relative to `cwd`, refusing to replace a file
 * without `force`, and says what was written.
 */
export function writeZip(config: ZipConfig, cwd: string, source: string = packagedZip()): ZipSummary {
  if (!existsSync(source)) {
    throw new ToolError(
      `the function's zip is missing from this installation (${source}); in a clone, run npm run build first`,
    );
  }
  const file = resolve(cwd, config.out);
  if (existsSync(file) && statSync(file).isDirectory()) {
    throw new ToolError(`${file} is a folder; give --out a file name, e.g. --out ${join(config.out, 'function.zip')}`);
  }
  if (existsSync(file) && !config.force) {
    throw new ToolError(`${file} exists; give --force to replace it, or --out to write another file`);
  }
  const bytes = readFileSync(source);
  writeFileSync(file, bytes);
  return {
    command: 'zip',
    file,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    runtime: CONSOLE_SETTINGS.runtime,
    handler: CONSOLE_SETTINGS.handler,
    environment: CONSOLE_SETTINGS.environment,
  };
}

/** The text summary: the file, then the console's settings in the order the console asks for them. */
export function formatZip(summary: ZipSummary): string {
  const environment = Object.entries(summary.environment).map(([name, value]) => `${name}=${value}`);
  return [
    `wrote ${summary.file}`,
    `  size     ${summary.bytes.toLocaleString('en-US')} bytes`,
    `  SHA-256  ${summary.sha256}`,
    '',
    'In the Lambda console (Create function → Author from scratch):',
    `  runtime      ${summary.runtime} (Node.js 22.x; Node.js 24.x works too), either architecture`,
    `  code         Upload from → .zip file → ${summary.file}`,
    `  handler      ${summary.handler} (the default)`,
    `  environment  ${environment.join('\n               ')}`,
    '               (several slaves: SLAVES=eu-west-1/OrdersReplica,ap-southeast-2/OrdersCopy instead)',
    '  timeout      about 1 minute',
    '  trigger      DynamoDB → the master table, with "Report batch item failures" on',
    'The role, the trigger settings and the alarms: https://www.npmjs.com/package/dynamo-replicator#set-it-up-on-aws',
    '',
  ].join('\n');
}
