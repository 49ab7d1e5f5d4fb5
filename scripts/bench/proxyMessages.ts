/** Messages between the benchmark and its latency proxy child process (IPC). */
import type { LatencyProxyStats } from '../../harness/latencyProxy';

/** From the benchmark to the proxy process. */
export type ProxyRequest = { type: 'stats'; id: number } | { type: 'reset'; id: number } | { type: 'stop' };

/** From the proxy process to the benchmark. */
export type ProxyReply =
  | { type: 'ready'; port: number }
  | { type: 'stats'; id: number; stats: LatencyProxyStats }
  | { type: 'reset'; id: number };
