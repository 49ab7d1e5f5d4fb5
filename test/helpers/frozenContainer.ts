/**
 * A local Lambda container frozen (SIGSTOP) as a stuck process or a starved CPU would freeze it: it holds its
 * invocation and never answers, so only Lambda's function timeout ends it (on-demand Lambda then ends the container,
 * so the frozen process never writes again). The replicator itself always answers
 * before its deadline (its time budget), so this is how a test makes a real timeout of the unchanged zip happen.
 * Jest only: it finds the container among this process's children running the runtime client.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** This process's children that run Lambda's runtime client (the local Lambda's containers). */
function runtimeClientChildren(): Set<number> {
  const found = new Set<number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== process.pid) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('aws-lambda-ric')) found.add(Number(entry));
    } catch {
      // the process ended while being read
    }
  }
  return found;
}

/**
 * Freezes, when `freeze` is called, every container started after this call (the test calls it at the moment it
 * chooses, e.g. when the first write of an invocation reaches the proxy, so that part of its writes has landed).
 * `frozen` lists the process ids stopped; later calls do nothing.
 */
export function containerFreezer(): { freeze: () => void; frozen: number[] } {
  const before = runtimeClientChildren();
  const frozen: number[] = [];
  return {
    frozen,
    freeze: () => {
      if (frozen.length > 0) return;
      for (const pid of runtimeClientChildren()) {
        if (before.has(pid)) continue;
        process.kill(pid, 'SIGSTOP');
        frozen.push(pid);
      }
    },
  };
}
