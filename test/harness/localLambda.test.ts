/**
 * The local Lambda (harness/localLambda) behaves as Lambda does around a function: a tiny task root written here
 * runs under the official runtime client in real processes, and each test provokes one of Lambda's behaviours —
 * timeout kill and the cold start after it, an init error through /runtime/init/error, a killed container, extra
 * containers for concurrent invokes, several invocations in one container with AWS_LAMBDA_MAX_CONCURRENCY, the
 * captured log stream, and the runtime client each runtime and mode runs: nodejs22.x on-demand's 3.x (callback
 * handlers and `context.succeed`/`fail` answer as on Lambda), Managed Instances' and nodejs24.x's 4.x (a callback
 * handler fails at init with that client's message).
 */
import { initErrorLinePattern } from '../../harness/lambdaRuntime';
import { FunctionError } from '../../harness/localLambdaOptions';
import { useFixtureLambdas } from '../helpers/localLambdaFixture';

const fixtureLambda = useFixtureLambdas();

describe('the local Lambda runs a task root under the official runtime client', () => {
  test("an invocation returns the handler's payload, with Lambda's context and the function's environment only", async () => {
    // Prepare: a variable of the test process must not reach the container.
    process.env.LOCAL_LAMBDA_TEST_SECRET = 'from-the-test-process';
    const lambda = fixtureLambda({ nodeMajor: 22, timeoutMs: 30_000 });

    try {
      // Act
      const invocation = await lambda.invoke({ n: 1 } as never);

      // Assess
      expect(invocation).toMatchObject({ status: 'ok', coldStart: true, container: 1 });
      const payload = (invocation as { payload: Record<string, unknown> }).payload;
      expect(payload).toMatchObject({
        n: 1,
        requestId: invocation.requestId,
        executionEnv: 'AWS_Lambda_nodejs22.x',
        leaked: null,
        configured: 'slave-1',
      });
      expect(payload.node).toMatch(/^v22\./);
      expect(payload.remainingMs).toBeGreaterThan(0);
      expect(payload.remainingMs).toBeLessThanOrEqual(30_000);
      expect(lambda.stats).toMatchObject({
        invocations: 1,
        coldStarts: 1,
        initErrors: 0,
        timeouts: 0,
        containersKilled: 0,
      });
    } finally {
      delete process.env.LOCAL_LAMBDA_TEST_SECRET;
    }
  });

  test("the log stream holds the platform's START/END/REPORT lines and the function's line with its request id", async () => {
    // Prepare
    const seen: string[] = [];
    const lambda = fixtureLambda({ onLog: (line) => seen.push(line.text) });

    // Act
    const invocation = await lambda.invoke({ n: 7 } as never);

    // Assess: the RIC prefixes console lines with time, request id and level.
    const id = invocation.requestId;
    const texts = lambda.logs.map((line) => line.text);
    expect(texts[0]).toMatch(new RegExp(`^INIT_START Runtime Version: nodejs:${lambda.runtime.nodeMajor} `));
    expect(texts).toContain(`START RequestId: ${id} Version: $LATEST`);
    expect(texts).toContain(`END RequestId: ${id}`);
    expect(texts.find((text) => text.startsWith(`REPORT RequestId: ${id}`))).toMatch(/Init Duration: [\d.]+ ms/);
    const functionLine = lambda.logs.find((line) => line.text.includes('handling'));
    expect(functionLine).toMatchObject({ source: 'stdout', requestId: id });
    expect(functionLine?.text).toMatch(new RegExp(`^\\S+Z\\t${id}\\tINFO\\thandling 7$`));
    expect(seen).toEqual(texts);
  });

  test('a function error crosses the Runtime API as errorType and errorMessage; the handler adapter throws it', async () => {
    // Prepare
    const lambda = fixtureLambda();

    // Act
    const invocation = await lambda.invoke({ n: 2, fail: true } as never);
    const thrown = await Promise.resolve(lambda.handler({ n: 3, fail: true } as never, {} as never)).catch(
      (error: unknown) => error,
    );

    // Assess: the container survives a function error and serves the second invocation warm.
    expect(invocation).toMatchObject({
      status: 'error',
      errorType: 'RefusedError',
      errorMessage: 'the item was refused',
    });
    expect((invocation as { trace?: string[] }).trace?.[0]).toBe('RefusedError: the item was refused');
    expect(thrown).toBeInstanceOf(FunctionError);
    expect(thrown).toMatchObject({ name: 'RefusedError', message: 'the item was refused' });
    expect(lambda.stats).toMatchObject({ invocations: 2, coldStarts: 1, containersKilled: 0 });
    expect(lambda.logText()).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"RefusedError"/);
  });

  test('at the function timeout the container is killed (Sandbox.Timedout) and the next invocation starts a new one', async () => {
    // Prepare
    const lambda = fixtureLambda({ timeoutMs: 1_000 });

    // Act
    const timedOut = await lambda.invoke({ n: 1, sleepMs: 60_000 } as never);
    const next = await lambda.invoke({ n: 2 } as never);

    // Assess
    expect(timedOut).toMatchObject({
      status: 'error',
      errorType: 'Sandbox.Timedout',
      errorMessage: 'Task timed out after 1.00 seconds',
      timedOut: true,
    });
    expect(next).toMatchObject({ status: 'ok', coldStart: true, container: 2 });
    expect(lambda.stats).toMatchObject({
      invocations: 2,
      coldStarts: 2,
      initErrors: 0,
      timeouts: 1,
      containersKilled: 1,
    });
    expect(lambda.logText()).toContain(`${timedOut.requestId} Task timed out after 1.00 seconds`);
  });

  test('a module that throws at load fails the invocation through /runtime/init/error; the next one retries init', async () => {
    // Prepare
    const lambda = fixtureLambda({ handler: 'broken.handler' });

    // Act
    const first = await lambda.invoke({ n: 1 } as never);
    const second = await lambda.invoke({ n: 2 } as never);

    // Assess: what Lambda shows, and the container's own lines (the module's, then the runtime client's line for
    // the error: 3.x's Uncaught Exception, 4.x's Init Error).
    for (const invocation of [first, second]) {
      expect(invocation).toMatchObject({
        status: 'error',
        errorType: 'ConfigError',
        errorMessage: 'SLAVE_TABLE is not set: set it to the slave table name',
      });
    }
    expect(second).toMatchObject({ coldStart: true, container: 2 });
    expect(lambda.stats).toMatchObject({ invocations: 2, coldStarts: 2, initErrors: 2 });
    const first1 = lambda.logs.filter((line) => line.container === 1).map((line) => line.text);
    expect(first1.some((text) => text.endsWith('\tINFO\tloading the configuration'))).toBe(true);
    const initErrors = first1.map((text) => initErrorLinePattern(lambda.runtime).exec(text)?.[1]).filter(Boolean);
    expect(initErrors.map((json) => JSON.parse(json ?? '')).map((error) => error.errorType)).toEqual(['ConfigError']);
    expect(first1.some((text) => /^INIT_REPORT .*Status: error\tError Type: ConfigError$/.test(text))).toBe(true);
  });

  test('killAfterMs kills the container mid-invocation (Runtime.ExitError) and the next invocation cold-starts', async () => {
    // Prepare
    const lambda = fixtureLambda();
    await lambda.invoke({ n: 0 } as never);

    // Act
    const killed = await lambda.invoke({ n: 1, sleepMs: 60_000 } as never, { killAfterMs: 200 });
    const next = await lambda.invoke({ n: 2 } as never);

    // Assess
    expect(killed).toMatchObject({
      status: 'error',
      errorType: 'Runtime.ExitError',
      errorMessage: 'Runtime exited with error: signal: killed',
      killed: true,
      coldStart: false,
    });
    expect(next).toMatchObject({ status: 'ok', coldStart: true, container: 2 });
    expect(lambda.stats).toMatchObject({
      invocations: 3,
      coldStarts: 2,
      initErrors: 0,
      timeouts: 0,
      containersKilled: 1,
    });
  });

  test('killSignal kills the container when it aborts, mid-invocation, before a later killAfterMs', async () => {
    // Prepare: the signal aborts once the invocation is running (its START line is written).
    const kill = new AbortController();
    const lambda = fixtureLambda({
      onLog: (line) => {
        if (line.source === 'platform' && line.text.startsWith('START ')) setTimeout(() => kill.abort(), 100);
      },
    });

    // Act
    const killed = await lambda.invoke({ n: 1, sleepMs: 60_000 } as never, {
      killAfterMs: 30_000,
      killSignal: kill.signal,
    });

    // Assess
    expect(killed).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError', killed: true });
    expect(lambda.stats).toMatchObject({ invocations: 1, containersKilled: 1, timeouts: 0 });
  });

  test('concurrent invocations get a container each; later ones reuse the warm containers', async () => {
    // Prepare
    const lambda = fixtureLambda();

    // Act: three at once, then three one after another.
    const together = await Promise.all([1, 2, 3].map((n) => lambda.invoke({ n } as never)));
    const after = [];
    for (const n of [4, 5, 6]) after.push(await lambda.invoke({ n } as never));

    // Assess
    const pids = (invocations: typeof together) =>
      new Set(invocations.map((invocation) => (invocation as { payload: { pid: number } }).payload.pid));
    expect(pids(together).size).toBe(3);
    expect(after.every((invocation) => !invocation.coldStart)).toBe(true);
    expect([...pids(after)].every((pid) => pids(together).has(pid))).toBe(true);
    expect(lambda.stats).toMatchObject({ invocations: 6, coldStarts: 3 });
  });

  test('with AWS_LAMBDA_MAX_CONCURRENCY=4 one container runs four invocations at once', async () => {
    // Prepare
    const lambda = fixtureLambda({ maxConcurrency: 4, timeoutMs: 20_000 });

    // Act: each invocation waits until four run at once in its process (it would time out otherwise).
    const invocations = await Promise.all([1, 2, 3, 4].map((n) => lambda.invoke({ n, together: 4 } as never)));

    // Assess
    expect(invocations.map((invocation) => invocation.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    const pids = new Set(invocations.map((invocation) => (invocation as { payload: { pid: number } }).payload.pid));
    expect(pids.size).toBe(1);
    expect(lambda.stats).toMatchObject({ invocations: 4, coldStarts: 1, timeouts: 0 });
    const ids = invocations.map((invocation) => (invocation as { payload: { requestId: string } }).payload.requestId);
    expect(ids).toEqual(invocations.map((invocation) => invocation.requestId));
  });
});

describe('the runtime client of each runtime and mode', () => {
  test.each([
    [22, undefined, '3.3.0'],
    [22, 2, '4.0.2'],
    [24, undefined, '4.0.2'],
    [24, 2, '4.0.2'],
  ] as const)(
    'Node %i with maxConcurrency %p starts aws-lambda-ric %s and runs the async handler',
    async (major, maxConcurrency, version) => {
      // Prepare
      const lambda = fixtureLambda({ nodeMajor: major, maxConcurrency });

      // Act
      const invocation = await lambda.invoke({ n: 1 } as never);

      // Assess
      expect(lambda.runtime.ricVersion).toBe(version);
      expect(lambda.logs[0]?.text).toMatch(
        new RegExp(`^INIT_START Runtime Version: nodejs:${major} \\(v${major}\\.[^,]+, aws-lambda-ric ${version}\\)$`),
      );
      expect(invocation).toMatchObject({ status: 'ok', payload: { executionEnv: `AWS_Lambda_nodejs${major}.x` } });
      expect((invocation as { payload: { node: string } }).payload.node).toMatch(new RegExp(`^v${major}\\.`));
    },
  );

  test.each([
    ['callback', 'callback'],
    ['legacy', 'context.succeed'],
  ])(
    'nodejs22.x on-demand: the %s handler answers through %s, and its error fails the invocation',
    async (module, via) => {
      // Prepare
      const lambda = fixtureLambda({ nodeMajor: 22, handler: `${module}.handler` });

      // Act
      const ok = await lambda.invoke({ n: 1 } as never);
      const failed = await lambda.invoke({ n: 2, fail: true } as never);

      // Assess: the value and the error the handler gave, both in the one warm container.
      expect(ok).toMatchObject({ status: 'ok', payload: { n: 1, via } });
      expect(failed).toMatchObject({
        status: 'error',
        errorType: 'RefusedError',
        errorMessage: 'the item was refused',
      });
      expect({ coldStarts: lambda.stats.coldStarts, initErrors: lambda.stats.initErrors }).toEqual({
        coldStarts: 1,
        initErrors: 0,
      });
    },
  );

  test.each([
    [
      24,
      undefined,
      'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24.',
    ],
    [24, 2, 'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24.'],
    [22, 2, 'ERROR: AWS Lambda does not support callback-based function handlers when using Node.js 22 with Managed'],
  ] as const)(
    'Node %i with maxConcurrency %p: a callback handler fails at init with the runtime client’s message',
    async (major, maxConcurrency, start) => {
      // Prepare
      const lambda = fixtureLambda({ handler: 'callback.handler', nodeMajor: major, maxConcurrency });

      // Act
      const invocation = await lambda.invoke({ n: 1 } as never);

      // Assess
      expect(invocation).toMatchObject({ status: 'error', errorType: 'Runtime.CallbackHandlerDeprecated' });
      expect((invocation as { errorMessage: string }).errorMessage.startsWith(start)).toBe(true);
      expect(lambda.stats.initErrors).toBe(1);
    },
  );
});
