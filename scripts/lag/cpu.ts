/**
 * CPU time of the local Lambda's containers and of DynamoDB Local: they are child processes of the script, so their
 * CPU is read from /proc (Linux): the containers as the sum over the script's descendants minus those it names
 * (DynamoDB Local), which are summed apart.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  readonly ppid: number;
  readonly cpuMs: number;
}

function stats(): Map<number, ProcessStat> {
  const result = new Map<number, ProcessStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (in parentheses, which may hold spaces): state ppid … utime(14) stime(15).
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      result.set(Number(entry), { ppid: Number(fields[1]), cpuMs: (ticks * 1000) / TICKS_PER_SECOND });
    } catch {
      // the process ended while we looked
    }
  }
  return result;
}

/** CPU milliseconds used so far by `root` (default: this process, itself left out) and its living descendants. */
function treeCpuMs(all: Map<number, ProcessStat>, root: number, skip: ReadonlySet<number>): number {
  let total = 0;
  const walk = (parent: number): void => {
    for (const [pid, stat] of all) {
      if (stat.ppid !== parent || skip.has(pid)) continue;
      total += stat.cpuMs;
      walk(pid);
    }
  };
  walk(root);
  return total;
}

/**
 * CPU milliseconds used so far by the living descendants of this process, leaving out `excluded` processes and their
 * descendants (`others`), and by each excluded process with its descendants (`excluded`, in order); undefined where
 * there is no /proc.
 */
export function descendantsCpuMs(excluded: readonly number[]): { others: number; excluded: number[] } | undefined {
  let all: Map<number, ProcessStat>;
  try {
    all = stats();
  } catch {
    return undefined;
  }
  return {
    others: treeCpuMs(all, process.pid, new Set(excluded)),
    excluded: excluded.map((pid) => (all.get(pid)?.cpuMs ?? 0) + treeCpuMs(all, pid, new Set())),
  };
}
