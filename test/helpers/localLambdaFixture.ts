/**
 * The local Lambda's test fixture: a tiny task root of handler modules (an async handler that can wait, sleep, fail
 * and report its environment; a module that throws at load; a callback and a `context.succeed` handler), written
 * once per test file, and local Lambdas on it closed after each test. Shared by the local Lambda's test files.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLambda } from '../../harness/localLambda';
import type { LocalLambdaOptions } from '../../harness/localLambdaOptions';

/** The fixture's handlers, one module each (the handler string picks one). */
const MODULES: Record<string, string> = {
  'index.js': `
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    globalThis.arrived = 0;
    exports.handler = async (event, context) => {
      console.log('handling', event.n);
      globalThis.arrived += 1;
      // Wait until 'together' invocations have started in this process (bounded by the function timeout): only
      // invocations that run at once can all get past this line.
      while (globalThis.arrived < (event.together ?? 0)) await sleep(10);
        if (event.sleepMs) await sleep(event.sleepMs);
        if (event.fail) throw Object.assign(new Error('the item was refused'), { name: 'RefusedError' });
        return {
          n: event.n,
          pid: process.pid,
          requestId: context.awsRequestId,
          remainingMs: context.getRemainingTimeInMillis(),
          executionEnv: process.env.AWS_EXECUTION_ENV,
          leaked: process.env.LOCAL_LAMBDA_TEST_SECRET ?? null,
          configured: process.env.SLAVE_TABLE ?? null,
          node: process.version,
        };
    };
  `,
  'broken.js': `
    class ConfigError extends Error { constructor(message) { super(message); this.name = 'ConfigError'; } }
    console.log('loading the configuration');
    throw new ConfigError('SLAVE_TABLE is not set: set it to the slave table name');
  `,
  'callback.js': `
    exports.handler = function (event, context, callback) {
      setTimeout(() => {
        if (event.fail) callback(Object.assign(new Error('the item was refused'), { name: 'RefusedError' }));
        else callback(null, { n: event.n, via: 'callback' });
      }, 10);
    };
  `,
  'legacy.js': `
    exports.handler = function (event, context) {
      setTimeout(() => {
        if (event.fail) context.fail(Object.assign(new Error('the item was refused'), { name: 'RefusedError' }));
        else context.succeed({ n: event.n, via: 'context.succeed' });
      }, 10);
    };
  `,
};

/**
 * Registers the fixture's hooks in the calling test file and returns its factory: a local Lambda on the fixture's
 * task root (the handler string picks a module), closed after the test.
 */
export function useFixtureLambdas(): (options?: Partial<LocalLambdaOptions>) => LocalLambda {
  let taskRoot = '';
  const lambdas: LocalLambda[] = [];
  beforeAll(() => {
    taskRoot = mkdtempSync(join(tmpdir(), 'local-lambda-fixture-'));
    for (const [name, source] of Object.entries(MODULES)) writeFileSync(join(taskRoot, name), source);
  });
  afterEach(async () => {
    await Promise.all(lambdas.splice(0).map((lambda) => lambda.close()));
  });
  afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));
  return (options = {}) => {
    const lambda = new LocalLambda({ taskRoot, env: { SLAVE_TABLE: 'slave-1' }, ...options });
    lambdas.push(lambda);
    return lambda;
  };
}
