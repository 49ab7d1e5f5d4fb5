/**
 * Confirming differences before they are reported: the scans only nominate candidates; each is read again with
 * strongly consistent reads on both sides after `recheckDelayMs`, so a change still travelling through the stream
 * (the master has it, the slave will in a moment) is counted as "in flight", not as a difference.
 *
 * Candidates wait in a bounded queue (scans pause when it is full, so an empty slave does not fill the memory) and
 * are re-read 100 keys at a time with consistent BatchGetItem on each side. A confirmed difference is counted, kept
 * as a sample, and — with `--repair` — repaired at once (see repair.ts).
 *
 * The master's side is what the slave should hold: the master's item as the replica hooks shape it (table/replica.ts),
 * undefined where the filter keeps it off the slave. An item a hook fails on is counted apart (`hooksFailed`), with
 * the hook's message, and left as it is.
 */

import { describe } from '../../shared/awsErrors';
import type { Item } from '../../shared/item';
import { itemKeyOf } from '../../shared/key';
import type { Limiter } from '../../shared/limiter';
import { sleep } from '../../shared/sleep';
import { ToolError } from '../errors';
import { itemToJson, type JsonItem } from '../table/attributeJson';
import type { OpenTables } from '../table/openTables';
import type { Pacer } from '../table/rateLimiter';
import { InterruptedError } from '../table/tableAccess';
import { repairItem } from './repair';
import { differingAttributes, itemsEqual } from './valueEquality';

/** The kinds of difference verify reports. */
export type DifferenceKind = 'missing' | 'extra' | 'different';

/** Confirmed differences and what happened to them. */
export interface DifferenceReport {
  /** Candidates the scans nominated. */
  candidates: number;
  /** Candidates equal on re-check: changes that were in flight. */
  inFlight: number;
  readonly counts: Record<DifferenceKind, number>;
  /** Items the replica hooks failed on (`--hooks`): they could not be compared, nor repaired. */
  hooksFailed: number;
  readonly samples: {
    /** Items the hooks failed on, with the hook's message. */
    readonly hooksFailed: Array<{ readonly key: JsonItem; readonly error: string }>;
    readonly missing: JsonItem[];
    readonly extra: JsonItem[];
    readonly different: Array<{ readonly key: JsonItem; readonly attributes: string[] }>;
  };
  readonly repair?: {
    repaired: number;
    converged: number;
    conflicts: number;
    failed: number;
    failures: Array<{ key: JsonItem; error: string }>;
  };
}

interface Candidate {
  readonly key: Item;
  readonly id: string;
  readonly detectedAt: number;
}

/** Largest number of keys per BatchGetItem. */
const RECHECK_BATCH = 100;
/** Candidates waiting at most; scans pause beyond it. */
const QUEUE_LIMIT = 10_000;

/** The queue of candidates and the worker that confirms them. */
export class DifferenceChecker {
  public readonly report: DifferenceReport;
  private readonly queue: Candidate[] = [];
  /** Candidates waiting for their re-check. */
  private readonly queued = new Set<string>();
  /** Candidates being re-checked right now. */
  private readonly running = new Set<string>();
  private closed = false;
  private wakeWorker: (() => void) | undefined;
  private readonly spaceWaiters: Array<() => void> = [];
  private fatal: unknown;
  private readonly worker: Promise<void>;

  public constructor(
    private readonly tables: Pick<OpenTables, 'master' | 'slave' | 'replica'>,
    private readonly options: {
      readonly recheckDelayMs: number;
      readonly repair: boolean;
      readonly sampleSize: number;
      readonly limiter: Limiter;
      /** Paces repair writes (`--max-wcu`). */
      readonly writePacer?: Pacer;
      readonly concurrency: number;
      readonly signal: AbortSignal;
      readonly onFatal: (error: unknown) => void;
      readonly onChange: () => void;
      /** Called for each difference a repair put right, with its kind. */
      readonly onRepaired?: (kind: DifferenceKind) => void;
      /** Called for each item the replica hooks failed on, with the hook's message. */
      readonly onHookFailed?: (key: Item, error: string) => void;
    },
  ) {
    this.report = {
      candidates: 0,
      inFlight: 0,
      counts: { missing: 0, extra: 0, different: 0 },
      hooksFailed: 0,
      samples: { missing: [], extra: [], different: [], hooksFailed: [] },
      ...(options.repair ? { repair: { repaired: 0, converged: 0, conflicts: 0, failed: 0, failures: [] } } : {}),
    };
    this.worker = this.work();
  }

  /**
   * Nominates the item with `key`; waits while the queue is full. A key already waiting is not queued twice; one
   * being re-checked right now is queued again only with `again` — for a write that landed after the re-check may
   * have read the item (a backfill copy), whose result that re-check cannot have seen.
   */
  public async add(key: Item, again = false): Promise<void> {
    const id = itemKeyOf(key);
    if (this.queued.has(id) || (!again && this.running.has(id))) return;
    while (this.queue.length >= QUEUE_LIMIT && !this.options.signal.aborted) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    this.queued.add(id);
    this.queue.push({ key, id, detectedAt: performance.now() });
    this.report.candidates += 1;
    this.wakeWorker?.();
  }

  /** No more candidates will come; resolves when every queued one is confirmed (and repaired). */
  public async finish(): Promise<void> {
    this.closed = true;
    this.wakeWorker?.();
    await this.worker;
    if (this.fatal !== undefined) throw this.fatal;
  }

  private async work(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    const { signal, recheckDelayMs, concurrency } = this.options;
    while (!signal.aborted) {
      const first = this.queue[0];
      if (!first) {
        if (this.closed) break;
        await new Promise<void>((resolve) => (this.wakeWorker = resolve));
        this.wakeWorker = undefined;
        continue;
      }
      const wait = first.detectedAt + recheckDelayMs - performance.now();
      if (wait > 0) {
        await sleep(wait, signal);
        continue;
      }
      let due = 0;
      const now = performance.now();
      while (
        due < Math.min(RECHECK_BATCH, this.queue.length) &&
        (this.queue[due] as Candidate).detectedAt + recheckDelayMs <= now
      )
        due += 1;
      const batch = this.queue.splice(0, due);
      for (const candidate of batch) {
        this.queued.delete(candidate.id);
        this.running.add(candidate.id);
      }
      this.spaceWaiters.splice(0).forEach((resolve) => {
        resolve();
      });
      const task = this.options.limiter
        .run(() => this.recheck(batch))
        .catch((error: unknown) => this.fail(error))
        .finally(() => {
          batch.forEach((candidate) => {
            this.running.delete(candidate.id);
          });
          inFlight.delete(task);
        });
      inFlight.add(task);
      if (inFlight.size >= concurrency) await Promise.race(inFlight);
    }
    this.spaceWaiters.splice(0).forEach((resolve) => {
      resolve();
    });
    await Promise.all(inFlight);
  }

  private fail(error: unknown): void {
    if (error instanceof InterruptedError) return;
    this.fatal ??= error;
    this.options.onFatal(error);
  }

  /** Re-reads a batch of candidates consistently on both sides and classifies each. */
  private async recheck(batch: readonly Candidate[]): Promise<void> {
    const keys = batch.map((candidate) => candidate.key);
    const [masterItems, slaveItems] = await Promise.all([
      this.tables.master.batchGet(keys, { consistent: true }),
      this.tables.slave.batchGet(keys, { consistent: true }),
    ]);
    const repairs: Array<Promise<void>> = [];
    for (const candidate of batch) {
      const slave = slaveItems.get(candidate.id);
      let master: Item | undefined;
      try {
        master = this.tables.replica.expected(masterItems.get(candidate.id));
      } catch (error) {
        this.hookFailed(candidate.key, describe(error));
        continue;
      }
      const kind: DifferenceKind | undefined =
        master && !slave
          ? 'missing'
          : !master && slave
            ? 'extra'
            : master && slave && !itemsEqual(master, slave)
              ? 'different'
              : undefined;
      if (!kind) {
        this.report.inFlight += 1;
        continue;
      }
      this.record(kind, candidate.key, master, slave);
      if (this.options.repair) repairs.push(this.repair(kind, candidate.key, master, slave));
    }
    await Promise.all(repairs);
    this.options.onChange();
  }

  private hookFailed(key: Item, error: string): void {
    this.report.hooksFailed += 1;
    const sample = this.report.samples.hooksFailed;
    if (sample.length < this.options.sampleSize) sample.push({ key: itemToJson(key), error });
    this.options.onHookFailed?.(key, error);
  }

  private record(kind: DifferenceKind, key: Item, master: Item | undefined, slave: Item | undefined): void {
    this.report.counts[kind] += 1;
    const { samples } = this.report;
    if (samples[kind].length >= this.options.sampleSize) return;
    if (kind === 'different')
      samples.different.push({ key: itemToJson(key), attributes: differingAttributes(master ?? {}, slave ?? {}) });
    else samples[kind].push(itemToJson(key));
  }

  private async repair(
    kind: DifferenceKind,
    key: Item,
    master: Item | undefined,
    slave: Item | undefined,
  ): Promise<void> {
    const report = this.report.repair;
    if (!report) return;
    try {
      const outcome = await repairItem(this.tables, key, { master, slave }, this.options.writePacer);
      if (outcome === 'repaired') {
        report.repaired += 1;
        this.options.onRepaired?.(kind);
      } else if (outcome === 'converged') report.converged += 1;
      else report.conflicts += 1;
    } catch (error) {
      if (error instanceof ToolError || error instanceof InterruptedError) throw error;
      report.failed += 1;
      if (report.failures.length < this.options.sampleSize)
        report.failures.push({ key: itemToJson(key), error: describe(error) });
    }
  }
}
