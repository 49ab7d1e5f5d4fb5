/**
 * The packed package as a user installs it, for the library's integration suites (library.test.ts: nodejs22.x,
 * libraryNode24.test.ts: nodejs24.x and Managed Instances): `npm pack` of the built project and of es6-promise, both
 * installed into an empty folder without the network (once per Jest run, shared by the files), task roots holding an index.js with the
 * slave filled in, each run in a local Lambda (harness/localLambda) of the runtime asked for, and a batch of orders
 * read from the master's real stream in DynamoDB Local. Jest-only (it registers the file's hooks).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import type { LambdaStreamEvent } from '../../harness/lambdaEvent';
import { drainStream } from '../../harness/lambdaPoller';
import type { LambdaNodeMajor } from '../../harness/lambdaRuntime';
import { LocalLambda } from '../../harness/localLambda';
import type { LocalInvocation } from '../../harness/localLambdaOptions';
import {
  type Installation,
  installPackagesOnce,
  packInstalledDependency,
  packPackage,
} from '../../harness/packedPackage';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  NO_DIFFERENCES,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';

/** The original package's README: "save this as index.js" — verbatim, placeholders included. */
export const README_INDEX_JS = `'use strict';

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
export const CALLBACK_INDEX_JS = `'use strict';

var replicator = require('dynamo-replicator')({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = function(event, context, callback) {
	replicator.process(event).then(function() { callback(null, 'success'); }, callback);
};
`;

/** The README's file as docs/library.md tells users to change it for nodejs24.x: createReplicator, an async handler. */
export const ASYNC_INDEX_JS = `'use strict';

var replicator = require('dynamo-replicator').createReplicator({
	region: 'SLAVE-REGION',
	table: 'SLAVE-TABLE'
});

exports.handler = async (event) => replicator.process(event);
`;

/** createReplicator's own handler exported as is (docs/library.md's "better" entry). */
export const CREATE_REPLICATOR_INDEX_JS = `'use strict';

const { createReplicator } = require('dynamo-replicator');

exports.handler = createReplicator({ region: 'SLAVE-REGION', table: 'SLAVE-TABLE' }).handler;
`;

/** A master with six orders changed in a few ways, its stream's ARN and records, and an empty slave. */
export interface OrdersBatch {
  readonly masterTable: string;
  readonly streamArn: string;
  readonly slaveTable: string;
  /** The master's stream read to its end: 9 records. */
  readonly event: LambdaStreamEvent;
}

/** How a task's local Lambda differs from the default: Managed Instances, or DynamoDB behind a proxy. */
export interface TaskSettings {
  /** `AWS_LAMBDA_MAX_CONCURRENCY`: the Managed Instances flavour of the runtime. */
  readonly maxConcurrency?: number;
  /** Where the function's DynamoDB calls go (a proxy in front of DynamoDB Local); DynamoDB Local by default. */
  readonly endpoint?: string;
}

/** What a library suite works with: the region clients, the installed package, and how to run a task. */
export interface PackedTask {
  readonly master: DynamoDBClient;
  readonly slave: DynamoDBClient;
  /** The offline installation (its mode and folder). */
  installation(): Installation;
  /** A task root holding `source` (the README's index.js by default) as `fileName` (default index.js). */
  saveTask(slaveTable: string, source?: string, fileName?: string): string;
  taskLambda(taskRoot: string, nodeMajor: LambdaNodeMajor, settings?: TaskSettings): LocalLambda;
  ordersBatch(): Promise<OrdersBatch>;
  expectReplica(masterTable: string, slaveTable: string): Promise<void>;
  lastRecordOf(event: LambdaStreamEvent, pk: string): string;
  /** Puts an item with this `pk` on the master. */
  put(table: string, pk: string, attributes: Record<string, AttributeValue>): Promise<unknown>;
  /** Reads the master's stream to its end as one Lambda event. */
  streamEvent(streamArn: string): Promise<LambdaStreamEvent>;
  describeRun(invocation: LocalInvocation, lambda: LocalLambda): string;
}

/**
 * The package packed and installed once per Jest run, shared by the test files that use it (in the folder the global
 * setup makes, PACKED_PACKAGE_DIR, removed by the teardown); every local Lambda is closed after each test.
 */
export function usePackedTask(): PackedTask {
  const endpoint = localEndpoint();
  const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
  let installation: Installation;
  const lambdas: LocalLambda[] = [];

  afterEach(async () => {
    await Promise.all(lambdas.splice(0).map((lambda) => lambda.close()));
  });

  beforeAll(async () => {
    const shared = process.env.PACKED_PACKAGE_DIR;
    if (!shared) throw new Error("PACKED_PACKAGE_DIR is not set: the integration project's global setup makes it");
    const tarballs = join(shared, 'tarballs');
    installation = await installPackagesOnce(join(shared, 'task'), () => [
      packPackage(tarballs),
      packInstalledDependency('es6-promise', tarballs),
    ]);
  }, 300_000);

  /**
   * A task root under the installed task (so `require('dynamo-replicator')` finds its node_modules) holding the
   * README's index.js (or `source`) with the slave filled in.
   */
  function saveTask(slaveTable: string, source: string = README_INDEX_JS, fileName = 'index.js'): string {
    const folder = join(installation.folder, `${slaveTable}-${lambdas.length}-${fileName.replace(/\W/g, '')}`);
    mkdirSync(folder, { recursive: true });
    const filled = source.replace('SLAVE-REGION', SLAVE_REGION).replace('SLAVE-TABLE', slaveTable);
    writeFileSync(join(folder, fileName), filled);
    return folder;
  }

  /**
   * The task in a local Lambda of that runtime (on-demand, or Managed Instances with `maxConcurrency`), with the
   * function's environment pointed at DynamoDB Local (or `settings.endpoint`).
   */
  function taskLambda(taskRoot: string, nodeMajor: LambdaNodeMajor, settings: TaskSettings = {}): LocalLambda {
    const { maxConcurrency } = settings;
    const lambda = new LocalLambda({
      taskRoot,
      nodeMajor,
      ...(maxConcurrency === undefined ? {} : { maxConcurrency }),
      timeoutMs: 30_000,
      env: {
        AWS_REGION: MASTER_REGION,
        AWS_ENDPOINT_URL_DYNAMODB: settings.endpoint ?? endpoint,
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
  async function ordersBatch(): Promise<OrdersBatch> {
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
      streamArn: masterTable.streamArn,
      slaveTable: slaveTable.name,
      event: await streamEvent(masterTable.streamArn),
    };
  }

  async function expectReplica(masterTable: string, slaveTable: string): Promise<void> {
    const comparison = await compareTables(
      { client: master, table: masterTable },
      { client: slave, table: slaveTable },
    );
    expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
    expect(comparison.sourceCount).toBe(5);
  }

  return {
    master,
    slave,
    installation: () => installation,
    saveTask,
    taskLambda,
    ordersBatch,
    expectReplica,
    lastRecordOf,
    put,
    streamEvent,
    describeRun,
  };
}
