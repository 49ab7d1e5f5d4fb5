/**
 * Starts the latency proxy in a child process (see `proxyProcess.ts`) and reads its counters over IPC.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { onCleanup } from '../../harness/cleanup';
import type { LatencyProxyStats } from '../../harness/latencyProxy';
import { killChild } from './killChild';
import type { ProxyReply, ProxyRequest } from './proxyMessages';

/** Control of the proxy child process. */
export interface ProxyHandle {
  /** `http://127.0.0.1:<port>`: point the handler's `AWS_ENDPOINT_URL_DYNAMODB` here. */
  readonly endpoint: string;
  readonly pid: number;
  stats(): Promise<LatencyProxyStats>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a proxy in front of `upstream` with `latencyMs` each way and resolves once it listens. */
export async function startProxyProcess(
  upstream: string,
  latencyMs: number,
  handshakeRoundTrips: number,
): Promise<ProxyHandle> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      resolve('scripts/run.mjs'),
      resolve('scripts/bench/proxyProcess.ts'),
      upstream,
      String(latencyMs),
      String(handshakeRoundTrips),
    ],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const unregister = onCleanup(() => killChild(child));
  const pending = new Map<number, { resolve: (reply: ProxyReply) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  const port = await new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error('latency proxy did not start within 30 s')), 30_000);
    child.once('exit', (code, signal) => {
      // A proxy that dies fails the start and every question still waiting, instead of hanging the run.
      exited = new Error(`latency proxy exited (code ${code}, signal ${signal})`);
      clearTimeout(timer);
      reject(exited);
      for (const waiting of pending.values()) waiting.reject(exited);
      pending.clear();
    });
    child.on('message', (message: ProxyReply) => {
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolvePort(message.port);
      } else {
        pending.get(message.id)?.resolve(message);
        pending.delete(message.id);
      }
    });
  });
  const ask = (type: 'stats' | 'reset'): Promise<ProxyReply> =>
    new Promise((resolveReply, reject) => {
      if (exited) {
        reject(exited);
        return;
      }
      const id = nextId++;
      pending.set(id, { resolve: resolveReply, reject });
      const message: ProxyRequest = { type, id };
      child.send(message);
    });
  if (child.pid === undefined) throw new Error('latency proxy has no pid');
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stats: async () => {
      const reply = await ask('stats');
      if (reply.type !== 'stats') throw new Error(`unexpected proxy reply ${reply.type}`);
      return reply.stats;
    },
    reset: async () => {
      await ask('reset');
    },
    stop: async () => {
      unregister();
      await killChild(child);
    },
  };
}
