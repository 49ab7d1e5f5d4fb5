/**
 * A local Lambda container frozen (SIGSTOP) as a stuck process or a starved CPU would freeze it: it holds its
 * invocation and never answers, so only Lambda's function timeout ends it. The replicator itself always answers
 * before its deadline (its time budget), so this is how a test makes a real timeout of the unchanged zip happen.
 * Jest only: it finds the container among this process's children running the runtime client.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { LogLine } from '../../harness/localLambda';

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
 * Freezes the first container started after this call, at the START of its first invocation (before the event
 * reaches it). Give `onLog` to the local Lambda; `frozen` lists the process ids stopped.
 */
export function freezeFirstContainer(): { onLog: (line: LogLine) => void; frozen: number[] } {
  const before = runtimeClientChildren();
  const frozen: number[] = [];
  return {
    frozen,
    onLog: (line) => {
      if (frozen.length > 0 || line.source !== 'platform' || !line.text.startsWith('START ')) return;
      for (const pid of runtimeClientChildren()) {
        if (before.has(pid)) continue;
        process.kill(pid, 'SIGSTOP');
        frozen.push(pid);
      }
    },
  };
}
