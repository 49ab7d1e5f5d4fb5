/**
 * The original factory's contract (src/library/legacyHandler.ts): `require('dynamo-replicator')(options).process()`
 * refuses, synchronously and before any write, on a runtime without context.succeed/fail/done (nodejs24.x and later,
 * Managed Instances), naming the fix; it replicates on nodejs22.x on-demand; `createReplicator` and every `handler`
 * never refuse. The decision reads only the runtime's variables (SDK mocked). On the real runtime clients, with
 * handlers written as CommonJS, compiled TypeScript, a bundle and an ES module: test/integration/libraryNode24.test.ts.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchWriteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeContext } from '../../../harness/context';
import { stream, streamEvent } from '../../../harness/records';

import dynamoReplicator = require('../../../src/library');

import { runtimeWithoutLegacyContext } from '../../../src/library/legacyHandler';
import { ReplicatorError } from '../../../src/replicator/errors';

const ddb = mockClient(DynamoDBClient);
const OPTIONS = { region: 'eu-west-1', table: 'Orders', logger: new Logger({ logLevel: 'SILENT' }) };
const RUNTIME_VARIABLES = ['AWS_EXECUTION_ENV', 'AWS_LAMBDA_MAX_CONCURRENCY'] as const;
const saved = Object.fromEntries(RUNTIME_VARIABLES.map((name) => [name, process.env[name]]));

/** Sets the runtime's variables for one test (the others removed). */
function onRuntime(variables: Partial<Record<(typeof RUNTIME_VARIABLES)[number], string>>): void {
  for (const name of RUNTIME_VARIABLES) delete process.env[name];
  Object.assign(process.env, variables);
}

beforeEach(() => {
  ddb.reset();
  ddb.on(BatchWriteItemCommand).resolves({});
});

afterEach(() => {
  for (const name of RUNTIME_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

afterAll(() => ddb.restore());

describe('runtimeWithoutLegacyContext', () => {
  test.each<[string, Record<string, string>, string | undefined]>([
    ['nodejs24.x', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, 'nodejs24.x'],
    ['a later runtime', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs26.x' }, 'nodejs26.x'],
    [
      'Managed Instances on nodejs22.x',
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_MAX_CONCURRENCY: '4' },
      'Lambda Managed Instances',
    ],
    ['nodejs22.x on-demand', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' }, undefined],
    ['nodejs20.x', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' }, undefined],
    ['outside Lambda', {}, undefined],
  ])('%s → %s', (_name, env, expected) => {
    // Act
    const runtime = runtimeWithoutLegacyContext(env);

    // Assess
    expect(runtime).toBe(expected);
  });
});

describe("the original factory's process()", () => {
  test.each([
    ['nodejs24.x', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }],
    ['Lambda Managed Instances', { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_MAX_CONCURRENCY: '2' }],
  ])(
    'on %s: throws a LegacyHandlerError synchronously, naming the runtime and the fix, and sends nothing',
    (runtime, env) => {
      // Prepare
      onRuntime(env);
      const replicator = dynamoReplicator(OPTIONS);

      // Act
      let thrown: unknown;
      try {
        void replicator.process(streamEvent([stream.insert(1, 'a')]));
      } catch (error) {
        thrown = error;
      }

      // Assess
      expect(thrown).toBeInstanceOf(dynamoReplicator.LegacyHandlerError);
      expect(thrown).toBeInstanceOf(ReplicatorError);
      const message = (thrown as Error).message;
      expect(message).toMatch(/^dynamo-replicator refused this batch before writing anything \(Lambda retries it\): /);
      expect(message).toContain(`but ${runtime} gives handlers no context.succeed, context.fail or context.done`);
      expect(message).toContain(
        "Fix: `const replicator = require('dynamo-replicator').createReplicator({ region, table })` and `exports.handler = async (event) => replicator.process(event)`",
      );
      expect((thrown as Error).name).toBe('LegacyHandlerError');
      expect(ddb.calls()).toHaveLength(0);
    },
  );

  test('on nodejs22.x on-demand, which still has the legacy context: replicates', async () => {
    // Prepare
    onRuntime({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' });

    // Act
    await dynamoReplicator(OPTIONS).process(streamEvent([stream.insert(1, 'a')]));

    // Assess
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(1);
  });
});

describe('never refused on nodejs24.x', () => {
  test("createReplicator's process() and handler, and the factory's handler, replicate", async () => {
    // Prepare
    onRuntime({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' });
    const created = dynamoReplicator.createReplicator(OPTIONS);

    // Act
    await created.process(streamEvent([stream.insert(1, 'a')]));
    const answers = [
      await created.handler(streamEvent([stream.insert(2, 'b')]), fakeContext()),
      await dynamoReplicator(OPTIONS).handler(streamEvent([stream.insert(3, 'c')]), fakeContext()),
    ];

    // Assess
    expect(answers).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(3);
  });
});
