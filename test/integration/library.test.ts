/**
 * The packed package, installed as a user installs it, runs the original package's README example unchanged:
 * `npm pack` of the built project and of es6-promise, both installed into an empty folder without the network, the
 * README's index.js saved there with only the slave filled in, and `index.handler` invoked as a nodejs22.x container
 * does (its own Node process, the function's environment, a context with `succeed`/`fail`), with an event read from
 * the master's real stream in DynamoDB Local. Needs `npm run build` first (the global setup rebuilds a stale dist/).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AttributeValue, DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { drainStream } from '../../harness/lambdaPoller';
import { type LegacyRun, runLegacyHandler } from '../../harness/legacyHandler';
import { type Installation, installPackages, packInstalledDependency, packPackage } from '../../harness/packedPackage';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);

/** The original package's README: "save this as index.js" — verbatim, placeholders included. */
const README_INDEX_JS = `'use strict';

require('es6-promise').polyfill();

var replicator = require('dynamo-replicator')({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = function(event, context) {
	replicator.process(event)
		.then(function() {
			context.succeed('success');
		})
		.catch(function(err) {
			context.fail(err);
		});
};
`;

let workDir = '';
let installation: Installation;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'dynamo-replicator-packed-'));
  const tarballs = join(workDir, 'tarballs');
  const ours = packPackage(tarballs);
  const es6Promise = packInstalledDependency('es6-promise', tarballs);
  installation = installPackages(join(workDir, 'task'), [ours, es6Promise]);
}, 300_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** The README's index.js with the slave filled in, in a folder of its own under the installed task. */
function saveIndexJs(slaveTable: string): string {
  const folder = join(installation.folder, slaveTable);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, 'index.js');
  const source = README_INDEX_JS.replace('SLAVE-REGION', SLAVE_REGION).replace('SLAVE-TABLE', slaveTable);
  writeFileSync(path, source);
  return path;
}

/** The environment Lambda gives the function, pointed at DynamoDB Local. */
function functionEnv(): Record<string, string> {
  return {
    AWS_REGION: MASTER_REGION,
    AWS_DEFAULT_REGION: MASTER_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_LAMBDA_FUNCTION_NAME: 'dynamo-replicator',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** Reads the master's stream to its end as one Lambda event (the whole test batch fits in one). */
async function streamEvent(streamArn: string): Promise<LambdaStreamEvent> {
  const events: LambdaStreamEvent[] = [];
  await drainStream({
    endpoint,
    region: MASTER_REGION,
    streamArn,
    batchSize: 1000,
    handler: (event) => {
      events.push(event);
      return { batchItemFailures: [] };
    },
  });
  expect(events).toHaveLength(1);
  return events[0] as LambdaStreamEvent;
}

/** The record of the event that last changed the item with this `pk`. */
function lastRecordOf(event: LambdaStreamEvent, pk: string): string {
  const records = event.Records.filter((record) => {
    const key = record.dynamodb.Keys?.pk;
    return key !== undefined && 'S' in key && key.S === pk;
  });
  const last = records[records.length - 1];
  if (!last) throw new Error(`no record of ${pk} in the event`);
  return last.dynamodb.SequenceNumber;
}

function put(table: string, pk: string, attributes: Record<string, AttributeValue>): Promise<unknown> {
  return master.send(new PutItemCommand({ TableName: table, Item: { pk: { S: pk }, ...attributes } }));
}

function describeRun(run: LegacyRun): string {
  return `${JSON.stringify(run.outcome)}\nnode ${run.node}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

describe('the packed package, installed offline beside es6-promise, running the original README index.js', () => {
  test('the tarball and es6-promise install from the npm cache alone', () => {
    // Assess: beforeAll packed and installed; the offline install worked (the fallback may ask the registry).
    expect(installation.mode).toBe('offline');
  });

  test('the installed package has its main and its types, and none of the sources, tests or harness', () => {
    // Prepare
    const installed = join(installation.folder, 'node_modules', 'dynamo-replicator');
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;

    // Act
    const present = (path: unknown): boolean => typeof path === 'string' && existsSync(join(installed, path));

    // Assess
    expect({ main: present(manifest.main), types: present(manifest.types) }).toEqual({ main: true, types: true });
    expect(['src', 'test', 'harness', 'scripts', 'node_modules'].filter(present)).toEqual([]);
  });

  test('a batch of puts, updates and deletes from a real stream: context.succeed("success") and the slave equals the master', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, { name: uniqueTableName('master') });
    const slaveTable = await createTable(slave, { name: uniqueTableName('slave') });
    for (let index = 1; index <= 6; index++) {
      await put(masterTable.name, `order-${index}`, {
        total: { N: '12345678901234567890.123456789012345678' },
        blob: { B: new Uint8Array([0, 255, index]) },
        tags: { SS: ['a', 'b'] },
      });
    }
    await master.send(
      new UpdateItemCommand({
        TableName: masterTable.name,
        Key: { pk: { S: 'order-2' } },
        UpdateExpression: 'SET #s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': { S: 'shipped' } },
      }),
    );
    await put(masterTable.name, 'order-3', { note: { S: 'replaced whole' } });
    await master.send(new DeleteItemCommand({ TableName: masterTable.name, Key: { pk: { S: 'order-4' } } }));
    const event = await streamEvent(masterTable.streamArn);
    const indexJs = saveIndexJs(slaveTable.name);

    // Act
    const run = await runLegacyHandler({ modulePath: indexJs, event, env: functionEnv() });

    // Assess
    expect({ outcome: run.outcome, output: run.outcome.kind === 'succeed' ? '' : describeRun(run) }).toEqual({
      outcome: { kind: 'succeed', result: 'success' },
      output: '',
    });
    const comparison = await compareTables(
      { client: master, table: masterTable.name },
      { client: slave, table: slaveTable.name },
    );
    expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
    expect(comparison.sourceCount).toBe(5);
  });

  test('a record the slave rejects: context.fail with an Error naming that record, and its batch-mates on the slave', async () => {
    // Prepare: the slave has an index on `g` as a string, the master none, so a numeric `g` is written on the
    // master and rejected by the slave (DynamoDB's ValidationException for an index key of the wrong type).
    const masterTable = await createMasterTable(master, { name: uniqueTableName('master') });
    const slaveTable = await createTable(slave, {
      name: uniqueTableName('slave'),
      extraAttributes: [{ name: 'g', type: 'S' }],
      globalSecondaryIndexes: [
        {
          IndexName: 'by-g',
          KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    });
    await put(masterTable.name, 'fine-1', { v: { N: '1' }, g: { S: 'text' } });
    await put(masterTable.name, 'rejected', { v: { N: '2' }, g: { N: '7' } });
    await put(masterTable.name, 'fine-2', { v: { N: '3' } });
    await put(masterTable.name, 'fine-3', { v: { N: '4' } });
    const event = await streamEvent(masterTable.streamArn);
    const rejected = lastRecordOf(event, 'rejected');
    const batchMates = ['fine-1', 'fine-2', 'fine-3'].map((pk) => lastRecordOf(event, pk));
    const indexJs = saveIndexJs(slaveTable.name);

    // Act
    const run = await runLegacyHandler({ modulePath: indexJs, event, env: functionEnv() });

    // Assess: failed through the context, with an Error that names the rejected record and none of the others.
    expect({ kind: run.outcome.kind, output: run.outcome.kind === 'fail' ? '' : describeRun(run) }).toEqual({
      kind: 'fail',
      output: '',
    });
    if (run.outcome.kind !== 'fail') return;
    expect(run.outcome.error.isError).toBe(true);
    expect(run.outcome.error.errorMessage).toContain(rejected);
    for (const sequenceNumber of batchMates) expect(run.outcome.error.errorMessage).not.toContain(sequenceNumber);
    // Everything else was written before the promise rejected.
    const slaveKeys = (await scanAll(slave, slaveTable.name)).map((item) => item.pk?.S).sort();
    expect(slaveKeys).toEqual(['fine-1', 'fine-2', 'fine-3']);
  });
});
