/**
 * The packed package, installed as a user installs it, runs the original package's README example unchanged:
 * `npm pack` of the built project and of es6-promise, both installed into an empty folder without the network, the
 * README's index.js saved there with only the slave filled in, and `index.handler` invoked in the local Lambda
 * (harness/localLambda) on the runtime client each runtime really runs: nodejs22.x on-demand's 3.x, whose context
 * still has `succeed`/`fail` and which still calls callback handlers, and nodejs24.x's (and Managed Instances') 4.x,
 * which has neither: there `process()` refuses the README file before writing anything (LegacyHandlerError), and the
 * async handler that replaces it replicates the same event. Events are read from the master's real stream in
 * DynamoDB Local. Needs `npm run build` first (the global setup rebuilds a stale dist/).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { drainStream } from '../../harness/lambdaPoller';
import type { LambdaNodeMajor } from '../../harness/lambdaRuntime';
import { type LocalInvocation, LocalLambda } from '../../harness/localLambda';
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

/** The same handler in the callback form the original README's era also allowed (three parameters). */
const CALLBACK_INDEX_JS = `'use strict';

var replicator = require('dynamo-replicator')({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = function(event, context, callback) {
	replicator.process(event).then(function() { callback(null, 'success'); }, callback);
};
`;

/** The README's file as docs/library.md tells users to change it for nodejs24.x: an async handler. */
const ASYNC_INDEX_JS = `'use strict';

var replicator = require('dynamo-replicator')({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = async (event) => replicator.process(event);
`;

/** A two-parameter, non-async handler that returns the promise (no context.succeed): fine on every runtime. */
const RETURNING_INDEX_JS = `'use strict';

var replicator = require('dynamo-replicator')({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = function(event, context) {
	return replicator.process(event).then(function() {
		return 'success';
	});
};
`;

/** createReplicator's own handler exported as is (docs/library.md's "better" entry). */
const CREATE_REPLICATOR_INDEX_JS = `'use strict';

const { createReplicator } = require('dynamo-replicator');

exports.handler = createReplicator({ region: 'SLAVE-REGION', table: 'SLAVE-TABLE' }).handler;
`;

let workDir = '';
let installation: Installation;
const lambdas: LocalLambda[] = [];

afterEach(async () => {
  await Promise.all(lambdas.splice(0).map((lambda) => lambda.close()));
});

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

/**
 * A task root under the installed task (so `require('dynamo-replicator')` finds its node_modules) holding the
 * README's index.js (or `source`) with the slave filled in.
 */
function saveTask(slaveTable: string, source: string = README_INDEX_JS): string {
  const folder = join(installation.folder, `${slaveTable}-${lambdas.length}`);
  mkdirSync(folder, { recursive: true });
  const filled = source.replace('SLAVE-REGION', SLAVE_REGION).replace('SLAVE-TABLE', slaveTable);
  writeFileSync(join(folder, 'index.js'), filled);
  return folder;
}

/**
 * The task in a local Lambda of that runtime (on-demand, or Managed Instances with `maxConcurrency`), with the
 * function's environment pointed at DynamoDB Local.
 */
function taskLambda(taskRoot: string, nodeMajor: LambdaNodeMajor, maxConcurrency?: number): LocalLambda {
  const lambda = new LocalLambda({
    taskRoot,
    nodeMajor,
    ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
    timeoutMs: 30_000,
    env: {
      AWS_REGION: MASTER_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  });
  lambdas.push(lambda);
  return lambda;
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

/** The invocation and the container's log, for a failed expectation's message. */
function describeRun(invocation: LocalInvocation, lambda: LocalLambda): string {
  return `${JSON.stringify(invocation)}\n${lambda.logText()}`;
}

/** A master with six orders, some updated, replaced and deleted, and an empty slave: the event has 9 records. */
async function ordersBatch(): Promise<{ masterTable: string; slaveTable: string; event: LambdaStreamEvent }> {
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
  return {
    masterTable: masterTable.name,
    slaveTable: slaveTable.name,
    event: await streamEvent(masterTable.streamArn),
  };
}

async function expectReplica(masterTable: string, slaveTable: string): Promise<void> {
  const comparison = await compareTables({ client: master, table: masterTable }, { client: slave, table: slaveTable });
  expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
  expect(comparison.sourceCount).toBe(5);
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

  test('nodejs22.x (client 3.x): a batch of puts, updates and deletes ends with context.succeed("success") and the slave equals the master', async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable), 22);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess: the payload is what the handler gave context.succeed; the runtime is nodejs22.x's client.
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'ok', payload: 'success' },
      log: '',
    });
    expect(lambda.runtime.ricVersion).toMatch(/^3\./);
    await expectReplica(masterTable, slaveTable);
  });

  test('nodejs22.x (client 3.x): a record the slave rejects fails the invocation through context.fail, naming that record; the retry after the fix replicates the batch', async () => {
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
    const lambda = taskLambda(saveTask(slaveTable.name), 22);

    // Act
    const failed = await lambda.invoke(event);

    // Assess: a function error (what makes Lambda retry the batch) carrying the Error given to context.fail, which
    // names the rejected record and none of the others; everything else was written before it.
    expect({ failed, log: failed.status === 'error' ? '' : describeRun(failed, lambda) }).toMatchObject({
      failed: { status: 'error', errorType: 'ReplicationFailedError' },
      log: '',
    });
    const message = failed.status === 'error' ? failed.errorMessage : '';
    expect(message).toContain(rejected);
    for (const sequenceNumber of batchMates) expect(message).not.toContain(sequenceNumber);
    const slaveKeys = (await scanAll(slave, slaveTable.name)).map((item) => item.pk?.S).sort();
    expect(slaveKeys).toEqual(['fine-1', 'fine-2', 'fine-3']);

    // Act: the operator drops the slave's index; Lambda retries the same batch.
    await slave.send(
      new UpdateTableCommand({
        TableName: slaveTable.name,
        GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-g' } }],
      }),
    );
    const retried = await lambda.invoke(event);

    // Assess
    expect(retried).toMatchObject({ status: 'ok', payload: 'success' });
    const comparison = await compareTables(
      { client: master, table: masterTable.name },
      { client: slave, table: slaveTable.name },
    );
    expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
  });

  test('nodejs22.x (client 3.x): the callback form of the handler runs, callback(null, "success") ends the invocation', async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable, CALLBACK_INDEX_JS), 22);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'ok', payload: 'success' },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });

  test("nodejs24.x (client 4.x): the callback form fails at init with the runtime's own message and writes nothing", async () => {
    // Prepare
    const { slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable, CALLBACK_INDEX_JS), 24);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect(invocation).toMatchObject({ status: 'error', errorType: 'Runtime.CallbackHandlerDeprecated' });
    expect(invocation.status === 'error' ? invocation.errorMessage : '').toMatch(
      /^ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node\.js 24\./,
    );
    expect(lambda.stats.initErrors).toBe(1);
    expect(await scanAll(slave, slaveTable)).toEqual([]);
  });

  test('nodejs24.x (client 4.x): the README index.js is refused before any write with a LegacyHandlerError naming the fix, on every retry; after the switch to the async handler the same event replicates exactly', async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const legacy = taskLambda(saveTask(slaveTable), 24);

    // Act: the first delivery and Lambda's retry of the same batch.
    const refused = [await legacy.invoke(event), await legacy.invoke(event)];

    // Assess: function errors (what makes the event source mapping retry) from process()'s synchronous throw, so
    // the handler never reached context.succeed/fail: no crash, the container served both, the slave is empty.
    for (const invocation of refused) {
      expect({ invocation, log: invocation.status === 'error' ? '' : describeRun(invocation, legacy) }).toMatchObject({
        invocation: { status: 'error', errorType: 'LegacyHandlerError' },
        log: '',
      });
    }
    const message = refused[0]?.status === 'error' ? refused[0].errorMessage : '';
    expect(message).toMatch(/^dynamo-replicator refused this batch before writing anything \(Lambda retries it\)/);
    expect(message).toContain('index.handler uses context.succeed and context.fail, but nodejs24.x gives handlers no');
    expect(message).toContain('Fix: use `exports.handler = async (event) => replicator.process(event)`');
    expect(legacy.runtime.ricVersion).toMatch(/^4\./);
    expect({ initErrors: legacy.stats.initErrors, coldStarts: legacy.stats.coldStarts }).toEqual({
      initErrors: 0,
      coldStarts: 1,
    });
    expect(legacy.logText()).not.toContain('is not a function');
    expect(await scanAll(slave, slaveTable)).toEqual([]);

    // Act: the user deploys the async handler; Lambda retries the same batch.
    const fixed = taskLambda(saveTask(slaveTable, ASYNC_INDEX_JS), 24);
    const invocation = await fixed.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, fixed) }).toMatchObject({
      invocation: { status: 'ok', payload: null },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });

  test('nodejs24.x (client 4.x): a two-parameter function returning the promise replicates the batch and answers its result', async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable, RETURNING_INDEX_JS), 24);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'ok', payload: 'success' },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });

  test("nodejs24.x (client 4.x): createReplicator's handler exported as is replicates the batch and answers no failures", async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable, CREATE_REPLICATOR_INDEX_JS), 24);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'ok', payload: { batchItemFailures: [] } },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });

  test('Managed Instances (nodejs22.x, client 4.x): the README index.js is refused before any write too', async () => {
    // Prepare
    const { slaveTable, event } = await ordersBatch();
    const lambda = taskLambda(saveTask(slaveTable), 22, 2);

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'error' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'error', errorType: 'LegacyHandlerError' },
      log: '',
    });
    expect(invocation.status === 'error' ? invocation.errorMessage : '').toContain(
      'uses context.succeed and context.fail, but Lambda Managed Instances gives handlers no',
    );
    expect(lambda.runtime.ricVersion).toMatch(/^4\./);
    expect(await scanAll(slave, slaveTable)).toEqual([]);
  });
});
