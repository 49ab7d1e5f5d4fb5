/**
 * The packed package, installed as a user installs it, runs the original package's README example unchanged on
 * nodejs22.x: `npm pack` of the built project and of es6-promise, both installed into an empty folder without the
 * network, the README's index.js saved there with only the slave filled in, and `index.handler` invoked in the local
 * Lambda (harness/localLambda) on nodejs22.x on-demand's runtime client 3.x, whose context still has
 * `succeed`/`fail` and which still calls callback handlers (nodejs24.x and Managed Instances: libraryNode24.test.ts).
 * Events are read from the master's real stream in DynamoDB Local. Needs `npm run build` first (the global setup
 * rebuilds a stale dist/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import { projectRoot } from '../../harness/bundle';
import { allowOnly, startFaultProxy } from '../../harness/faultProxy';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  dropIndexOnG,
  INDEX_ON_G_AS_STRING,
  NO_DIFFERENCES,
  scanAll,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';
import { CALLBACK_INDEX_JS, usePackedTask } from './packedTask';

const {
  master,
  slave,
  installation,
  saveTask,
  taskLambda,
  ordersBatch,
  expectReplica,
  lastRecordOf,
  put,
  streamEvent,
  describeRun,
} = usePackedTask();
const localReplicator = useLocalReplicators();

describe('the packed package, installed offline beside es6-promise, running the original README index.js on nodejs22.x', () => {
  test('the tarball and es6-promise install from the npm cache alone', () => {
    // Assess: beforeAll packed and installed; the offline install worked (the fallback may ask the registry).
    expect(installation().mode).toBe('offline');
  });

  test('the installed package has its main and its types, and none of the sources, tests or harness', () => {
    // Prepare
    const installed = join(installation().folder, 'node_modules', 'dynamo-replicator');
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
      ...INDEX_ON_G_AS_STRING,
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
    await dropIndexOnG(slave, slaveTable.name);
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

  test("nodejs22.x (client 3.x), the original README's role (PutItem and DeleteItem on the slave only): two batches end with context.succeed, the slave equals the master, BatchWriteItem is asked and named once", async () => {
    // Prepare: IAM's answers, from a proxy, to a role allowed only PutItem and DeleteItem on the slave.
    const { masterTable, streamArn, slaveTable, event } = await ordersBatch();
    const proxy = await startFaultProxy({
      upstream: localEndpoint(),
      plan: allowOnly(slaveTable, ['PutItem', 'DeleteItem']),
    });
    try {
      const lambda = taskLambda(saveTask(slaveTable), 22, { endpoint: proxy.endpoint });

      // Act: the batch, then a later one (the stream read again after more changes) in the same container.
      const first = await lambda.invoke(event);
      await put(masterTable, 'order-4', { note: { S: 'back again' } });
      await put(masterTable, 'order-1', { total: { N: '1.50' } });
      await master.send(new DeleteItemCommand({ TableName: masterTable, Key: { pk: { S: 'order-6' } } }));
      const second = await lambda.invoke(await streamEvent(streamArn));

      // Assess
      for (const invocation of [first, second]) {
        expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
          invocation: { status: 'ok', payload: 'success' },
          log: '',
        });
      }
      await expectReplica(masterTable, slaveTable);
      expect(proxy.stats().byOperation.BatchWriteItem).toBe(1);
      const naming = lambda.logs.filter((line) => line.text.includes('dynamodb:BatchWriteItem'));
      expect(naming.map((line) => JSON.parse(line.text).level)).toEqual(['WARN']);
    } finally {
      await proxy.stop();
    }
  });

  test('npx dynamo-replicator zip in the installed package writes the built zip byte for byte, prints its SHA-256 and the console settings, and that zip replicates in the local Lambda', async () => {
    // Prepare
    const { masterTable, slaveTable, event } = await ordersBatch();
    const built = readFileSync(join(projectRoot(), 'dist', 'dynamo-replicator.zip'));
    const out = join(installation().folder, `${slaveTable}.zip`);

    // Act
    const printed = execFileSync('npx', ['--no-install', 'dynamo-replicator', 'zip', '--out', out], {
      cwd: installation().folder,
      encoding: 'utf8',
    });
    const written = readFileSync(out);
    const lambda = localReplicator({ endpoint: localEndpoint(), slaveTable }, { zip: out });
    const invocation = await lambda.invoke(event);

    // Assess
    expect(written.equals(built)).toBe(true);
    expect(printed).toContain(`SHA-256  ${createHash('sha256').update(built).digest('hex')}`);
    expect(printed).toMatch(/handler {6}index\.handler/);
    expect(printed).toContain('REPORT_BATCH_ITEM_FAILURES=true');
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'ok', payload: { batchItemFailures: [] } },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });
});
