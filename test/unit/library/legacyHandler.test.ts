/**
 * Telling the original README's handler (context.succeed/fail, or no return at all) from handlers that return the
 * promise, on the runtimes without the legacy context (nodejs24.x and later, Managed Instances): the handler's
 * source as users write it (built with `new Function`, so `toString()` gives exactly that text), the `_HANDLER`
 * lookup in a module table shaped like `require.cache`, and the refusal's error.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  handlerLocation,
  LegacyHandlerError,
  type LoadedModules,
  legacyHandlerShape,
  refuseLegacyHandler,
  runtimeWithoutLegacyContext,
} from '../../../src/library/legacyHandler';
import { createReplicator } from '../../../src/library/replicator';
import { ReplicatorError } from '../../../src/replicator/errors';

type Handler = (...args: unknown[]) => unknown;

/** The function `source` defines, with `replicator` in scope as in a user's index.js. */
function handlerFrom(source: string): Handler {
  return new Function('replicator', 'run', `return (${source});`)({}, () => undefined) as Handler;
}

const README_HANDLER = `function(event, context) {
	replicator.process(event)
		.then(function() {
			context.succeed('success');
		})
		.catch(function(err) {
			context.fail(err);
		});
}`;

const TASK_ROOT = '/var/task';
const ON_24 = { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: TASK_ROOT };

/** A module table holding /var/task/index.js whose `handler` is `source`'s function. */
function loadedIndex(source: string): LoadedModules {
  return { [`${TASK_ROOT}/index.js`]: { exports: { handler: handlerFrom(source) } } };
}

describe('runtimeWithoutLegacyContext', () => {
  test.each([
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }, 'nodejs24.x'],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs26.x' }, 'nodejs26.x'],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_MAX_CONCURRENCY: '8' }, 'Lambda Managed Instances'],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' }, undefined],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x' }, undefined],
    [{ AWS_EXECUTION_ENV: 'AWS_Lambda_python3.13' }, undefined],
    [{}, undefined],
  ])('%j → %s', (env, expected) => {
    // Act
    const runtime = runtimeWithoutLegacyContext(env);

    // Assess
    expect(runtime).toBe(expected);
  });
});

describe('legacyHandlerShape: handlers that rely on the legacy context', () => {
  test.each([
    ['the original README handler', README_HANDLER, 'uses context.succeed and context.fail'],
    [
      'context.done under another name, even when the promise is returned (it throws after the writes)',
      'function (e, ctx) { return replicator.process(e).then(function () { ctx.done(); }); }',
      'uses ctx.done',
    ],
    [
      'an arrow with a block body',
      '(event, context) => { replicator.process(event).then(() => context.succeed("ok"), context.fail); }',
      'uses context.succeed and context.fail',
    ],
    [
      'a method of an exported object',
      '({ handler(event, context) { replicator.process(event).then(() => context.succeed()); } }).handler',
      'uses context.succeed',
    ],
    [
      'a handler passing its context on to a helper and returning nothing',
      'function (event, context) { run(event, context); }',
      'returns nothing (it has no return statement)',
    ],
    [
      'the callback form (refused at init on 4.x anyway)',
      'function (event, context, callback) { replicator.process(event).then(() => callback(null, "ok"), callback); }',
      'returns nothing (it has no return statement)',
    ],
  ])('%s', (_name, source, expected) => {
    // Act
    const shape = legacyHandlerShape(handlerFrom(source));

    // Assess
    expect(shape).toBe(expected);
  });
});

describe('legacyHandlerShape: handlers that are fine on every runtime', () => {
  test.each([
    ['an async arrow returning the promise', 'async (event) => replicator.process(event)'],
    ['an expression arrow with two parameters', '(event, context) => replicator.process(event, context)'],
    ['an async function awaiting it', 'async function (event, context) { await replicator.process(event); }'],
    [
      'a two-parameter function returning the promise',
      'function (event, context) { return replicator.process(event); }',
    ],
    [
      'the README handler migrated, its old calls left in comments',
      `function (event, context) {
        // context.succeed('success');
        /* context.fail(err); */
        return replicator.process(event);
      }`,
    ],
    [
      'a message that merely mentions context.succeed(',
      'function (event, context) { console.log("no context.succeed( here"); return replicator.process(event); }',
    ],
    [
      'code for both kinds of runtime, testing context.succeed first',
      `function (event, context) {
        var done = replicator.process(event);
        if (typeof context.succeed === 'function') done.then(function () { context.succeed('ok'); });
        return done;
      }`,
    ],
    [
      'an optional call',
      'function (event, context) { return replicator.process(event).then(() => context.succeed?.("ok")); }',
    ],
  ])('%s', (_name, source) => {
    // Act
    const shape = legacyHandlerShape(handlerFrom(source));

    // Assess
    expect(shape).toBeUndefined();
  });

  test("createReplicator's own handler, exported as is", () => {
    // Prepare
    const { handler } = createReplicator({ region: 'eu-west-1', table: 'Orders', logger: new Logger() });

    // Act
    const shape = legacyHandlerShape(handler as Handler);

    // Assess
    expect(shape).toBeUndefined();
  });
});

describe('handlerLocation', () => {
  test('index.handler: the module beside the task root, under each extension the clients try for CommonJS', () => {
    // Act
    const location = handlerLocation('index.handler', TASK_ROOT);

    // Assess
    expect(location).toEqual({
      files: ['/var/task/index', '/var/task/index.js', '/var/task/index.cjs'],
      exportPath: ['handler'],
    });
  });

  test('a module in a folder and a nested export', () => {
    // Act
    const location = handlerLocation('src/app.lambda.main', TASK_ROOT);

    // Assess
    expect(location).toEqual({
      files: ['/var/task/src/app', '/var/task/src/app.js', '/var/task/src/app.cjs'],
      exportPath: ['lambda', 'main'],
    });
  });
});

describe('refuseLegacyHandler', () => {
  test('the README handler on nodejs24.x: a LegacyHandlerError naming the handler, the runtime and the fix', () => {
    // Prepare
    const modules = loadedIndex(README_HANDLER);

    // Act
    const refusal = (): void => refuseLegacyHandler(ON_24, modules);

    // Assess
    expect(refusal).toThrow(LegacyHandlerError);
    expect(refusal).toThrow(
      /^dynamo-replicator refused this batch before writing anything \(Lambda retries it\): the handler index\.handler uses context\.succeed and context\.fail, but nodejs24\.x gives handlers no context\.succeed/,
    );
    expect(refusal).toThrow('Fix: use `exports.handler = async (event) => replicator.process(event)`');
    const error = new LegacyHandlerError('index.handler', 'uses context.succeed', 'nodejs24.x');
    expect({ name: error.name, base: error instanceof ReplicatorError }).toEqual({
      name: 'LegacyHandlerError',
      base: true,
    });
  });

  test('the README handler on Managed Instances (nodejs22.x with AWS_LAMBDA_MAX_CONCURRENCY) is refused too', () => {
    // Prepare
    const env = { ...ON_24, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', AWS_LAMBDA_MAX_CONCURRENCY: '4' };

    // Act
    const refusal = (): void => refuseLegacyHandler(env, loadedIndex(README_HANDLER));

    // Assess
    expect(refusal).toThrow(/uses context\.succeed and context\.fail, but Lambda Managed Instances gives/);
  });

  test('the README handler on nodejs22.x on-demand, which still has the legacy context, is let through', () => {
    // Prepare
    const env = { ...ON_24, AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };

    // Act
    const refusal = (): void => refuseLegacyHandler(env, loadedIndex(README_HANDLER));

    // Assess
    expect(refusal).not.toThrow();
  });

  test('an async handler on nodejs24.x is let through', () => {
    // Act
    const refusal = (): void => refuseLegacyHandler(ON_24, loadedIndex('async (event) => replicator.process(event)'));

    // Assess
    expect(refusal).not.toThrow();
  });

  test('a handler module that is not in the table (an ES module) or another export is not judged', () => {
    // Prepare
    const elsewhere = { '/var/task/other.js': { exports: { handler: handlerFrom(README_HANDLER) } } };

    // Act
    const refusals = [
      (): void => refuseLegacyHandler(ON_24, elsewhere),
      (): void => refuseLegacyHandler({ ...ON_24, _HANDLER: 'index.main' }, loadedIndex(README_HANDLER)),
    ];

    // Assess
    for (const refusal of refusals) expect(refusal).not.toThrow();
  });
});
