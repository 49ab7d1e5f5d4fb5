/**
 * A Lambda function run locally the way Lambda runs it: the unchanged zip unpacked as the task root, each container
 * a Node process of the runtime's major running the Runtime Interface Client (`aws-lambda-ric`) that runtime runs in
 * that mode (3.x for nodejs22.x on-demand, 4.x for Managed Instances and nodejs24.x: harness/lambdaRuntime), which
 * loads `index.handler` and talks to a Runtime API of ours (harness/runtimeApi). What it copies from Lambda: one
 * invocation at a time per container (several with `AWS_LAMBDA_MAX_CONCURRENCY`, as Managed Instances do), warm
 * containers reused and new ones cold-started for concurrent invokes, the function timeout killing the container
 * (`Sandbox.Timedout`; with Managed Instances failing only that invocation, whose code runs on), init errors through `/runtime/init/error` discarding the container, a killed container
 * (`Runtime.ExitError`), the runtime's environment with nothing of the caller's, and the log stream each container
 * writes with the platform's START/END/REPORT lines. docs/local-lambda.md lists what it does not copy.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';
import type { InvokeOptions, LambdaFunction, StreamHandler } from './lambdaFunction';
import { ensureLambdaRuntime, type LambdaRuntime, lambdaNodeMajor } from './lambdaRuntime';
import {
  FunctionError,
  type LocalInvocation,
  type LocalLambdaOptions,
  type LocalLambdaStats,
  type LogLine,
} from './localLambdaOptions';
import { RuntimeApi, type RuntimeOutcome } from './runtimeApi';
import { jsonEntries, pipeLines, sandboxEnv, unpackZip } from './sandbox';
import { planStall, type Stall } from './stall';

interface Container {
  readonly id: number;
  process?: ChildProcess;
  api?: RuntimeApi;
  ready: Promise<void>;
  /** Milliseconds from spawn to the first `next`. */
  initMs?: number;
  /** Invocations assigned and not ended. */
  active: number;
  dead: boolean;
  /** Stalls asked for in this container; one that is `stopped` keeps new invocations away. */
  stalls: Stall[];
  /** Set when the container died: what its unanswered invocations end with. */
  death?: { errorType: string; errorMessage: string; timedOut?: boolean; killed?: boolean };
  initError?: { errorType: string; errorMessage: string; trace: readonly string[] };
}

/** The zip (or a folder) run in local containers under the official runtime client. */
export class LocalLambda implements LambdaFunction {
  readonly stats: LocalLambdaStats = {
    invocations: 0,
    coldStarts: 0,
    initErrors: 0,
    timeouts: 0,
    containersKilled: 0,
    stalls: 0,
    lateAnswers: 0,
  };
  /** Every log line so far, oldest first. */
  readonly logs: LogLine[] = [];
  /** Milliseconds from each container's spawn to its first `next` (its init). */
  readonly initDurationsMs: number[] = [];
  readonly runtime: LambdaRuntime;
  readonly timeoutMs: number;
  private readonly taskRoot: string;
  private readonly ownTaskRoot: boolean;
  private readonly containers: Container[] = [];
  private readonly region: string;
  private readonly functionName: string;
  private readonly perContainer: number;
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: LocalLambdaOptions) {
    // The client the runtime really runs in this mode: 3.x for nodejs22.x on-demand, else 4.x (lambdaRuntime.ts).
    this.runtime = ensureLambdaRuntime(options.nodeMajor ?? lambdaNodeMajor(), options.maxConcurrency !== undefined);
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.region = options.env.AWS_REGION ?? 'us-east-1';
    this.functionName = options.functionName ?? 'dynamo-replicator';
    this.perContainer = options.maxConcurrency ?? 1;
    this.ownTaskRoot = options.taskRoot === undefined;
    this.taskRoot = options.taskRoot ?? unpackZip(options.zip ?? join(projectRoot(), 'dist', 'dynamo-replicator.zip'));
  }

  /** The function as a poller's handler: the payload, or a thrown {@link FunctionError}. The context is Lambda's own. */
  get handler(): StreamHandler {
    return async (event) => {
      const invocation = await this.invoke(event);
      if (invocation.status === 'ok') return invocation.payload;
      throw new FunctionError(invocation.errorType, invocation.errorMessage, invocation.trace);
    };
  }

  /** Lines of the log stream, as text (the platform's and the process's alike). */
  logText(): string {
    return this.logs.map((line) => line.text).join('\n');
  }

  /**
   * The JSON objects the containers wrote (Powertools' log lines, EMF metrics; the runtime's own lines in JSON log
   * format), oldest first; with `requestId`, only those of that invocation (by the line's request id field).
   */
  entries(requestId?: string): Record<string, unknown>[] {
    const entries = jsonEntries(this.logs.filter((line) => line.source !== 'platform').map((line) => line.text));
    if (requestId === undefined) return entries;
    return entries.filter((entry) => (entry.function_request_id ?? entry.requestId) === requestId);
  }

  /**
   * The {@link entries} that `match`, once there are `count` (or after `timeoutMs`): Managed Instances' worker threads
   * log through the main thread, possibly after the answer, as logs reach CloudWatch after a function's answer.
   */
  async settledEntries(
    match: (entry: Record<string, unknown>) => boolean,
    count: number,
    timeoutMs = 5000,
  ): Promise<Record<string, unknown>[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.entries().filter(match);
      if (found.length >= count || Date.now() >= deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Invokes the function once, in an idle warm container or a new one. */
  async invoke(event: unknown, options: InvokeOptions = {}): Promise<LocalInvocation> {
    if (this.closed) throw new Error('the local Lambda is closed');
    this.stats.invocations += 1;
    // A stopped container takes nothing new; a timed-out invocation that runs on still holds its slot.
    let container = this.containers.find(
      (candidate) =>
        !candidate.dead &&
        !candidate.stalls.some((stall) => stall.stopped) &&
        candidate.active + (candidate.api?.overdueCount ?? 0) < this.perContainer,
    );
    const coldStart = container === undefined;
    container ??= this.start();
    container.active += 1;
    const requestId = randomUUID();
    const started = Date.now();
    try {
      await container.ready;
      if (container.initError !== undefined) {
        return { status: 'error', ...container.initError, requestId, container: container.id, coldStart };
      }
      if (container.dead) return this.died(container, requestId, coldStart);
      this.platform(container, `START RequestId: ${requestId} Version: $LATEST`, requestId);
      const outcome = await this.run(container, event, requestId, options);
      const duration = Date.now() - started;
      this.platform(container, `END RequestId: ${requestId}`, requestId);
      const init =
        coldStart && container.initMs !== undefined ? `\tInit Duration: ${container.initMs.toFixed(2)} ms` : '';
      this.platform(
        container,
        `REPORT RequestId: ${requestId}\tDuration: ${duration.toFixed(2)} ms\tBilled Duration: ${Math.ceil(duration)} ms\t` +
          `Memory Size: ${this.options.memoryMb ?? 256} MB${init}`,
        requestId,
      );
      return { ...outcome, requestId, container: container.id, coldStart };
    } finally {
      container.active -= 1;
    }
  }

  /**
   * Resolves once no container is stopped and every timed-out invocation that ran on has answered (or its container
   * died): true, or false after `timeoutMs`. A test's verdict then includes whatever such invocations wrote.
   */
  async settled(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const busy = (container: Container) =>
      !container.dead && (container.stalls.some((stall) => stall.stopped) || (container.api?.overdueCount ?? 0) > 0);
    while (this.containers.some(busy)) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** Ends every container and removes the unpacked task root. */
  async close(): Promise<void> {
    this.closed = true;
    for (const container of this.containers) for (const stall of container.stalls) stall.release();
    await Promise.all(this.containers.map((container) => this.stop(container)));
    if (this.ownTaskRoot) rmSync(this.taskRoot, { recursive: true, force: true });
  }

  private async run(
    container: Container,
    event: unknown,
    requestId: string,
    options: InvokeOptions,
  ): Promise<RuntimeOutcome | LocalDeath> {
    const deadline = Date.now() + this.timeoutMs;
    const arn = `arn:aws:lambda:${this.region}:000000000000:function:${this.functionName}`;
    const api = container.api;
    if (api === undefined) return { status: 'error', ...deathOf(container), trace: [] };
    const answered = api.deliver(event, deadline, arn, requestId);
    const timers: NodeJS.Timeout[] = [];
    let ranOut = false;
    timers.push(
      setTimeout(() => {
        this.stats.timeouts += 1;
        const message = `Task timed out after ${(this.timeoutMs / 1000).toFixed(2)} seconds`;
        this.platform(container, `${new Date().toISOString()} ${requestId} ${message}`);
        ranOut = true;
        // Managed Instances fail the invocation and let its code run on; on-demand Lambda ends the container.
        if (this.options.maxConcurrency !== undefined) {
          api.timeOut(requestId, { status: 'error', errorType: 'Sandbox.Timedout', errorMessage: message, trace: [] });
        } else this.kill(container, { errorType: 'Sandbox.Timedout', errorMessage: message, timedOut: true });
      }, this.timeoutMs),
    );
    const stall =
      options.stall && container.process ? this.stall(container, container.process, options.stall) : undefined;
    const killNow = () =>
      this.kill(container, {
        errorType: 'Runtime.ExitError',
        errorMessage: 'Runtime exited with error: signal: killed',
        killed: true,
      });
    if (options.killAfterMs !== undefined) timers.push(setTimeout(killNow, options.killAfterMs));
    if (options.killSignal?.aborted) killNow();
    options.killSignal?.addEventListener('abort', killNow, { once: true });
    try {
      // A kill (timeout, killAfterMs, killSignal) ends the answer too: the Runtime API abandons what the container held.
      const outcome = await answered;
      // What the process wrote before it answered is already in its pipes, but may be read after the answer in the
      // same turn of the event loop: wait for that turn to end (Managed Instances' may come later: settledEntries).
      await new Promise((resolve) => setImmediate(resolve));
      return ranOut && outcome.status === 'error' ? { ...outcome, timedOut: true } : outcome;
    } finally {
      stall?.cancelIfPending();
      for (const timer of timers) clearTimeout(timer);
      options.killSignal?.removeEventListener('abort', killNow);
    }
  }

  /** Plans a stall of the container's process (see {@link InvokeOptions.stall}), with its platform lines. */
  private stall(container: Container, child: ChildProcess, { afterMs, forMs }: { afterMs: number; forMs: number }) {
    const stall = planStall(child, afterMs, forMs, () => {
      this.stats.stalls += 1;
      this.platform(container, `${new Date().toISOString()} container stopped for ${forMs} ms`);
    });
    container.stalls = [...container.stalls.filter((other) => !other.over), stall];
    return stall;
  }

  /** Starts a container: its Runtime API, then the RIC in a Node process with the runtime's environment. */
  private start(): Container {
    this.stats.coldStarts += 1;
    const container: Container = { id: this.nextId++, ready: Promise.resolve(), active: 0, dead: false, stalls: [] };
    container.ready = this.boot(container);
    this.containers.push(container);
    return container;
  }

  /** Resolves when the container's init is over: it asked for an event, posted an init error or exited. */
  private async boot(container: Container): Promise<void> {
    const spawned = Date.now();
    let initOver: () => void = () => {};
    const initDone = new Promise<void>((resolve) => {
      initOver = resolve;
    });
    container.api = await RuntimeApi.start({
      onReady: () => {
        container.initMs = Date.now() - spawned;
        this.initDurationsMs.push(container.initMs);
        initOver();
      },
      onInitError: (error) => {
        this.stats.initErrors += 1;
        container.initError = error;
        this.platform(
          container,
          `INIT_REPORT Init Duration: ${(Date.now() - spawned).toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${error.errorType}`,
        );
        this.kill(container, { errorType: error.errorType, errorMessage: error.errorMessage });
        initOver();
      },
      onLateAnswer: () => {
        this.stats.lateAnswers += 1;
      },
    });
    const { node, ric, nodeMajor, nodeVersion, ricVersion, nodeOptions } = this.runtime;
    this.platform(
      container,
      `INIT_START Runtime Version: nodejs:${nodeMajor} (${nodeVersion}, aws-lambda-ric ${ricVersion})`,
    );
    // The client's transport comes in through Node's options (harness/ricTransport/preload), not the environment.
    const child = spawn(node, [...nodeOptions, ric, this.options.handler ?? 'index.handler'], {
      cwd: this.taskRoot,
      env: this.containerEnv(container.api.address),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    container.process = child;
    pipeLines(child.stdout, (text) => this.line(container, 'stdout', text));
    pipeLines(child.stderr, (text) => this.line(container, 'stderr', text));
    child.on('error', (error) => {
      container.death ??= { errorType: 'Runtime.ExitError', errorMessage: `could not start ${node}: ${error.message}` };
    });
    child.on('exit', (code, signal) => {
      container.dead = true;
      container.death ??= {
        errorType: 'Runtime.ExitError',
        errorMessage: `Runtime exited with error: ${signal ? `signal: ${signalName(signal)}` : `exit status ${code}`}`,
      };
      container.api?.abandon(() => ({ status: 'error', ...deathOf(container), trace: [] }));
      initOver();
    });
    await initDone;
  }

  /** The environment Lambda gives the runtime process, then the function's configuration. */
  private containerEnv(runtimeApi: string): Record<string, string> {
    return sandboxEnv({
      runtime: this.runtime,
      runtimeApi,
      taskRoot: this.taskRoot,
      handler: this.options.handler ?? 'index.handler',
      functionName: this.functionName,
      memoryMb: this.options.memoryMb ?? 256,
      region: this.region,
      maxConcurrency: this.options.maxConcurrency,
      workers: this.options.workers,
      env: this.options.env,
    });
  }

  /** The end of an invocation whose container died before it could be handed in. */
  private died(container: Container, requestId: string, coldStart: boolean): LocalInvocation {
    return { status: 'error', ...deathOf(container), requestId, container: container.id, coldStart };
  }

  /** SIGKILLs a container; its unanswered invocations end with `death`. */
  private kill(container: Container, death: NonNullable<Container['death']>): void {
    if (container.dead && container.death) return;
    container.death = death;
    container.dead = true;
    this.stats.containersKilled += 1;
    container.process?.kill('SIGKILL');
    container.api?.abandon(() => ({ status: 'error', ...deathOf(container), trace: [] }));
  }

  private async stop(container: Container): Promise<void> {
    await container.ready.catch(() => undefined);
    const { process: child } = container;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    }
    await container.api?.close();
  }

  private platform(container: Container, text: string, requestId?: string): void {
    this.record({ container: container.id, source: 'platform', text, requestId });
  }

  private line(container: Container, source: 'stdout' | 'stderr', text: string): void {
    const inFlight = container.api?.inFlightIds ?? [];
    this.record({ container: container.id, source, text, requestId: inFlight.length === 1 ? inFlight[0] : undefined });
  }

  private record(line: LogLine): void {
    this.logs.push(line);
    this.options.onLog?.(line);
  }
}

/** How an invocation on a dead container ends. */
type LocalDeath = {
  status: 'error';
  errorType: string;
  errorMessage: string;
  trace: readonly string[];
  timedOut?: boolean;
  killed?: boolean;
};

function deathOf(container: Container): Omit<LocalDeath, 'status' | 'trace'> & {
  timedOut?: boolean;
  killed?: boolean;
} {
  return (
    container.death ?? { errorType: 'Runtime.ExitError', errorMessage: 'Runtime exited without providing a reason' }
  );
}

function signalName(signal: NodeJS.Signals): string {
  return signal === 'SIGKILL' ? 'killed' : signal.replace(/^SIG/, '').toLowerCase();
}
