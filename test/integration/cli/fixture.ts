/**
 * Shared set-up of the operator-tool integration tests: DynamoDB Local from jest's global setup, master and slave
 * tables in two regions (two separate databases in DynamoDB Local), items with binary and nested values, and run
 * configs for the library. The SDK's default credential chain is fed the local credentials through the environment,
 * as an operator's shell would.
 */

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { bundlePath, projectRoot } from '../../../harness/bundle';
import { LOCAL_CREDENTIALS } from '../../../harness/dynamodbLocal';
import {
  compareTables,
  createTable,
  localClient,
  type TableComparison,
  type TableSpec,
  uniqueTableName,
} from '../../../harness/tables';
import type { RunConfig } from '../../../src/cli/runConfig';
import type { TableRef } from '../../../src/shared/tableRef';
import { localEndpoint, useRegionClients as useRegionClientsOf } from '../../helpers/jestLocal';

export type { Item } from '../../../harness/items';
export { putItems, richItem } from '../../../harness/items';

export const MASTER_REGION = 'us-east-1';
export const SLAVE_REGION = 'eu-west-1';

export { localEndpoint };

/** Environment for the tools (library or CLI): local credentials for the SDK's default chain, no SDK notices. */
export function toolEnvironment(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Clients of the two regions, for preparing and checking tables. */
export function regionClients(): { master: DynamoDBClient; slave: DynamoDBClient } {
  Object.assign(process.env, toolEnvironment());
  return { master: localClient(localEndpoint(), MASTER_REGION), slave: localClient(localEndpoint(), SLAVE_REGION) };
}

/** Region clients for the tests of one file: made now, destroyed after the file's last test. */
export function useRegionClients(): { master: DynamoDBClient; slave: DynamoDBClient } {
  Object.assign(process.env, toolEnvironment());
  return useRegionClientsOf(MASTER_REGION, SLAVE_REGION);
}

/** A master table and an empty slave with the same key schema (pk, and sk when the spec has one). */
export async function tablePair(
  clients: { master: DynamoDBClient; slave: DynamoDBClient },
  spec: Omit<TableSpec, 'name'> = {},
  slaveSpec: Partial<TableSpec> = {},
): Promise<{ master: TableRef; slave: TableRef }> {
  const master = await createTable(clients.master, { ...spec, name: uniqueTableName('tools-master') });
  const slave = await createTable(clients.slave, {
    partitionKeyType: spec.partitionKeyType,
    sortKeyType: spec.sortKeyType,
    ...slaveSpec,
    name: uniqueTableName('tools-slave'),
  });
  return { master: { region: MASTER_REGION, table: master.name }, slave: { region: SLAVE_REGION, table: slave.name } };
}

/** The master and the slave of `tables` compared item by item (harness compareTables). */
export function compareTablePair(
  clients: { master: DynamoDBClient; slave: DynamoDBClient },
  tables: { master: TableRef; slave: TableRef },
): Promise<TableComparison> {
  return compareTables(
    { client: clients.master, table: tables.master.table },
    { client: clients.slave, table: tables.slave.table },
  );
}

/** A library run config for `tables`: quiet, small pages, the local endpoint. */
export function runConfig(
  tables: { master: TableRef; slave: TableRef },
  overrides: Partial<RunConfig> = {},
): RunConfig {
  return {
    ...tables,
    totalSegments: 4,
    segments: [0, 1, 2, 3],
    concurrency: 16,
    pageSize: 200,
    endpoint: localEndpoint(),
    progress: { mode: 'none', write: () => undefined, intervalMs: 1000 },
    ...overrides,
  };
}

/** Path of the built CLI bundle (`npm run build`). */
export function cliPath(): string {
  return join(bundlePath(), '..', 'cli.js');
}

/** Result of a CLI run. */
export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the built CLI as a child process with the tool environment and AWS_ENDPOINT_URL_DYNAMODB set, as a user
 * would; `env` adds to (or, with undefined, removes from) that environment. `whileRunning` may act on the child
 * (e.g. kill it); the child is killed by its PID if it outlives the test.
 */
export function runCli(
  args: readonly string[],
  options: {
    cwd?: string;
    env?: Record<string, string | undefined>;
    whileRunning?: (pid: number) => Promise<void>;
  } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath(), ...args], {
      cwd: options.cwd ?? projectRoot(),
      // DynamoDB Local serves the Streams API (read by the default `watched` backfill) on the same endpoint.
      env: {
        ...process.env,
        ...toolEnvironment(),
        AWS_ENDPOINT_URL_DYNAMODB: localEndpoint(),
        AWS_ENDPOINT_URL_DYNAMODB_STREAMS: localEndpoint(),
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stdout, stderr });
    });
    if (options.whileRunning && child.pid !== undefined) {
      const pid = child.pid;
      options.whileRunning(pid).catch((error: unknown) => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        reject(error);
      });
    }
  });
}
