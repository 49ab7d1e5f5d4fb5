/**
 * The pure arithmetic of `npm run bench:lag`: which slave write carried which master change, the lag percentiles and
 * the rule that says whether the replicator kept up. Apart from the I/O so that it can be unit-tested.
 */

/** Lag of one change: when the master acknowledged it and how long until the slave acknowledged it. */
export interface ChangeLag {
  /** Milliseconds (Date.now) of the master's acknowledgement. */
  readonly masterAckMs: number;
  readonly lagMs: number;
}

/**
 * Pairs master changes with the slave writes that carried them. Each change writes its key with a rising version;
 * a slave write of version w of a key carries every change of that key with version ≤ w not yet carried (the
 * replicator may skip versions a later one in the same batch supersedes: the later write carries them).
 */
export class LagLedger {
  readonly lags: ChangeLag[] = [];
  private readonly pending = new Map<string, Array<{ version: number; masterAckMs: number }>>();
  /** Highest version of each key the slave acknowledged: an answer can overtake the master's on a loaded machine. */
  private readonly slaveVersions = new Map<string, number>();
  private written = 0;

  /** The master acknowledged `version` of `key` at `atMs`; versions of one key must be noted in rising order. */
  noteMaster(key: string, version: number, atMs: number): void {
    this.written += 1;
    if ((this.slaveVersions.get(key) ?? -1) >= version) {
      this.lags.push({ masterAckMs: atMs, lagMs: 0 });
      return;
    }
    let queue = this.pending.get(key);
    if (!queue) {
      queue = [];
      this.pending.set(key, queue);
    }
    queue.push({ version, masterAckMs: atMs });
  }

  /** The slave acknowledged a write of `version` of `key` at `atMs`. */
  noteSlave(key: string, version: number, atMs: number): void {
    this.slaveVersions.set(key, Math.max(version, this.slaveVersions.get(key) ?? -1));
    const queue = this.pending.get(key);
    if (!queue) return;
    let carried = 0;
    while (carried < queue.length && (queue[carried] as { version: number }).version <= version) {
      const change = queue[carried] as { masterAckMs: number };
      this.lags.push({ masterAckMs: change.masterAckMs, lagMs: Math.max(0, atMs - change.masterAckMs) });
      carried += 1;
    }
    queue.splice(0, carried);
  }

  /** Changes the master acknowledged that no slave write has carried yet. */
  get outstanding(): number {
    return this.written - this.lags.length;
  }
}

/** The `p`-th percentile (0–100, nearest rank) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/**
 * Lag growth per second of run: the median lag of the last third of the changes (by master acknowledgement) minus that
 * of the first third, over the time between the thirds' middles. A replicator slower than the writes by a share s
 * grows lag by s seconds per second; one that keeps up leaves it flat.
 */
export function lagGrowth(lags: readonly ChangeLag[]): number {
  if (lags.length < 3) return 0;
  const sorted = [...lags].sort((a, b) => a.masterAckMs - b.masterAckMs);
  const third = Math.floor(sorted.length / 3);
  const first = sorted.slice(0, third);
  const last = sorted.slice(sorted.length - third);
  const middle = (part: ChangeLag[]) => (part[Math.floor(part.length / 2)] as ChangeLag).masterAckMs;
  const span = middle(last) - middle(first);
  if (span <= 0) return 0;
  const medianLag = (part: ChangeLag[]) =>
    percentile(
      part.map((lag) => lag.lagMs),
      50,
    );
  return (medianLag(last) - medianLag(first)) / span;
}

/** Most lag growth (seconds per second) that still counts as keeping up: within 5 % of the write rate. */
export const MAX_KEPT_UP_GROWTH = 0.05;

/** Kept up: every change reached the slave and the lag did not grow by more than {@link MAX_KEPT_UP_GROWTH}. */
export function keptUp(lags: readonly ChangeLag[], outstanding: number): boolean {
  return outstanding === 0 && lags.length > 0 && lagGrowth(lags) <= MAX_KEPT_UP_GROWTH;
}

/** Changes replicated per second: all of them over the time from the first master ack to the last slave ack. */
export function sustainedPerSecond(lags: readonly ChangeLag[]): number {
  if (lags.length === 0) return 0;
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const lag of lags) {
    first = Math.min(first, lag.masterAckMs);
    last = Math.max(last, lag.masterAckMs + lag.lagMs);
  }
  return last > first ? (lags.length * 1000) / (last - first) : Number.POSITIVE_INFINITY;
}

/**
 * Changes replicated per second from `startedMs` (when the mapping started on a backlog) to the last slave ack: with
 * every batch full, the most one shard takes.
 */
export function catchUpPerSecond(lags: readonly ChangeLag[], startedMs: number): number {
  let last = Number.NEGATIVE_INFINITY;
  for (const lag of lags) last = Math.max(last, lag.masterAckMs + lag.lagMs);
  return last > startedMs ? (lags.length * 1000) / (last - startedMs) : 0;
}
