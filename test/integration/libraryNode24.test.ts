/**
 * The packed package on the runtimes whose client (4.x) gives handlers no `context.succeed`/`fail`/`done` and
 * refuses callback handlers: nodejs24.x and Lambda Managed Instances. There the original README's index.js would be
 * answered at once, before its writes land; the original factory's `process()` refuses every batch before writing
 * anything (LegacyHandlerError) — written as CommonJS, compiled TypeScript, a bundle or an ES module alike — and
 * `createReplicator`, as docs/library.md recommends, replicates the same event in each of those forms. Same set-up
 * as library.test.ts (packedTask.ts).
 */
import { scanAll } from '../../harness/tables';
import { ASYNC_INDEX_JS, CALLBACK_INDEX_JS, CREATE_REPLICATOR_INDEX_JS, usePackedTask } from './packedTask';
import { type UserHandler, userHandlers } from './userHandlers';

const { slave, installation, saveTask, taskLambda, ordersBatch, expectReplica, describeRun } = usePackedTask();
const FORMS: ReadonlyArray<UserHandler['form']> = ['CommonJS', 'tsc output', 'esbuild bundle', 'ES module'];

/** The handler of that form using `api`, written for the installed package. */
function handlerOf(api: 'factory' | 'createReplicator', form: UserHandler['form']): UserHandler {
  const found = userHandlers(api, installation().folder).find((handler) => handler.form === form);
  if (!found) throw new Error(`no ${form} handler`);
  return found;
}

describe('the packed package on nodejs24.x and Managed Instances (runtime client 4.x)', () => {
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
    expect(message).toContain("original package's API, for handlers that answer with context.succeed and context.fail");
    expect(message).toContain('but nodejs24.x gives handlers no context.succeed');
    expect(message).toContain(
      "Fix: `const replicator = require('dynamo-replicator').createReplicator({ region, table })`",
    );
    expect(legacy.runtime.ricVersion).toMatch(/^4\./);
    expect({ initErrors: legacy.stats.initErrors, coldStarts: legacy.stats.coldStarts }).toEqual({
      initErrors: 0,
      coldStarts: 1,
    });
    expect(legacy.logText()).not.toContain('is not a function');
    expect(await scanAll(slave, slaveTable)).toEqual([]);

    // Act: the user deploys the async handler on createReplicator; Lambda retries the same batch.
    const fixed = taskLambda(saveTask(slaveTable, ASYNC_INDEX_JS), 24);
    const invocation = await fixed.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, fixed) }).toMatchObject({
      invocation: { status: 'ok', payload: null },
      log: '',
    });
    await expectReplica(masterTable, slaveTable);
  });

  test.each(FORMS)(
    "nodejs24.x (client 4.x), %s: the original factory's process() is refused before any write",
    async (form) => {
      // Prepare
      const { slaveTable, event } = await ordersBatch();
      const { source, fileName } = handlerOf('factory', form);
      const lambda = taskLambda(saveTask(slaveTable, source, fileName), 24);

      // Act
      const invocation = await lambda.invoke(event);

      // Assess
      expect({ invocation, log: invocation.status === 'error' ? '' : describeRun(invocation, lambda) }).toMatchObject({
        invocation: { status: 'error', errorType: 'LegacyHandlerError' },
        log: '',
      });
      expect(await scanAll(slave, slaveTable)).toEqual([]);
    },
  );

  test.each(FORMS)(
    'nodejs24.x (client 4.x), %s: an async handler on createReplicator replicates the batch',
    async (form) => {
      // Prepare
      const { masterTable, slaveTable, event } = await ordersBatch();
      const { source, fileName } = handlerOf('createReplicator', form);
      const lambda = taskLambda(saveTask(slaveTable, source, fileName), 24);

      // Act
      const invocation = await lambda.invoke(event);

      // Assess
      expect({ invocation, log: invocation.status === 'ok' ? '' : describeRun(invocation, lambda) }).toMatchObject({
        invocation: { status: 'ok', payload: null },
        log: '',
      });
      await expectReplica(masterTable, slaveTable);
    },
  );

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
    const lambda = taskLambda(saveTask(slaveTable), 22, { maxConcurrency: 2 });

    // Act
    const invocation = await lambda.invoke(event);

    // Assess
    expect({ invocation, log: invocation.status === 'error' ? '' : describeRun(invocation, lambda) }).toMatchObject({
      invocation: { status: 'error', errorType: 'LegacyHandlerError' },
      log: '',
    });
    expect(invocation.status === 'error' ? invocation.errorMessage : '').toContain(
      'but Lambda Managed Instances gives handlers no context.succeed',
    );
    expect(lambda.runtime.ricVersion).toMatch(/^4\./);
    expect(await scanAll(slave, slaveTable)).toEqual([]);
  });
});
