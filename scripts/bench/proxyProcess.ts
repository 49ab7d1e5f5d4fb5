/**
 * Entry of the child process that hosts the benchmark's latency proxy.
 *
 * The proxy runs in its own process so that the handler's CPU work (parsing a 10,000-record event, planning) does not
 * hold up the proxy's timers, and the proxy's buffering does not slow the handler: the network is not inside the
 * Lambda either. The parent talks to it over the IPC channel (see `proxy.ts`).
 * Usage (by `proxy.ts`): node scripts/run.mjs scripts/bench/proxyProcess.ts <upstream> <latencyMs> <handshakeRoundTrips>
 */
import { startLatencyProxy } from '../../harness/latencyProxy';
import type { ProxyReply, ProxyRequest } from './proxyMessages';

async function main(): Promise<void> {
  const [upstream, latency, handshakes] = process.argv.slice(2);
  if (!upstream || !process.send) throw new Error('proxyProcess must be started by proxy.ts with an IPC channel');
  const proxy = await startLatencyProxy({
    upstream,
    latencyMs: Number(latency ?? 50),
    handshakeRoundTrips: Number(handshakes ?? 0),
  });
  const send = (message: ProxyReply): void => {
    process.send?.(message);
  };
  const stop = (): void => {
    proxy.stop().finally(() => process.exit(0));
  };
  process.on('message', (message: ProxyRequest) => {
    if (message.type === 'stats') send({ type: 'stats', id: message.id, stats: proxy.stats() });
    else if (message.type === 'reset') {
      proxy.reset();
      send({ type: 'reset', id: message.id });
    } else if (message.type === 'stop') stop();
  });
  // The parent going away (crash, Ctrl-C) closes the channel: never outlive it.
  process.on('disconnect', stop);
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  send({ type: 'ready', port: proxy.port });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
