/**
 * verify: compares master and slave in both directions and reports (or, with `repair`, fixes) the differences.
 *
 * Two sets of scans run side by side over the selected segments:
 * - master → slave: each page of master items is looked up on the slave with BatchGetItem; an item the slave lacks
 *   or holds with other values becomes a candidate;
 * - slave → master: each page of slave keys (keys-only scan) is looked up on the master; a key the master lacks
 *   becomes a candidate.
 * Memory stays bounded by pages in flight and the candidate queue, whatever the table size. Candidates are then
 * confirmed with consistent reads on both sides (differences.ts) before they count.
 */

import type { Item } from '../../shared/item';
import { itemKeyOf, pickKey } from '../../shared/key';
import { Limiter } from '../../shared/limiter';
import { formatTableRef } from '../../shared/tableRef';
import { formatCount, Progress } from '../progress';
import type { RunConfig } from '../runConfig';
import { type OpenTables, openTables } from '../table/openTables';
import { scanSegment } from '../table/scan';
import { InterruptedError, type TableAccess } from '../table/tableAccess';
import { keyNames } from '../table/tableInfo';
import { definitionWarnings } from './definitionCheck';
import { DifferenceChecker, type DifferenceKind, type DifferenceReport } from './differences';
import { itemsEqual } from './valueEquality';

/** Settings of a verify run. */
export interface VerifyConfig extends RunConfig {
  /** Make the slave match the master for each confirmed difference. */
  readonly repair: boolean;
  /** Keys shown per kind of difference. */
  readonly sampleSize: number;
  /** How long after a candidate was found it is re-read (lets in-flight stream changes land). */
  readonly recheckDelayMs: number;
}

/** What a verify found (and repaired). */
export interface VerifySummary extends Omit<DifferenceReport, 'counts'> {
  readonly command: 'verify';
  readonly master: string;
  readonly slave: string;
  readonly totalSegments: number;
  readonly segments: readonly number[];
  /** No confirmed difference. */
  readonly equal: boolean;
  /** Every confirmed difference was repaired (or converged); undefined without `--repair`. */
  readonly repairedAll?: boolean;
  readonly interrupted: boolean;
  readonly scanned: { readonly master: number; readonly slave: number };
  readonly differences: Record<DifferenceKind, number>;
  /** Indexes, projections and TTL that differ between the tables: reported, not counted in `equal`. */
  readonly definitionWarnings: readonly string[];
  readonly seconds: number;
}

/** A verify in progress. */
class VerifyRun {
  private readonly limiter: Limiter;
  private readonly progress: Progress;
  private readonly checker: DifferenceChecker;
  private readonly scanned = { master: 0, slave: 0 };
  private fatal: unknown;

  public constructor(
    private readonly config: VerifyConfig,
    private readonly tables: OpenTables,
    private readonly signal: AbortSignal,
    private readonly stop: () => void,
  ) {
    this.limiter = new Limiter(config.concurrency);
    this.progress = new Progress(config.repair ? 'verify --repair' : 'verify', config.progress);
    this.checker = new DifferenceChecker(tables, {
      recheckDelayMs: config.recheckDelayMs,
      repair: config.repair,
      sampleSize: config.sampleSize,
      limiter: this.limiter,
      writePacer: tables.pacers.writes,
      concurrency: config.concurrency,
      signal,
      onFatal: (error) => this.failWith(error),
      onChange: () => this.updateDetail(),
    });
  }

  public async run(): Promise<{
    scanned: { master: number; slave: number };
    report: DifferenceReport;
    seconds: number;
    fatal: unknown;
  }> {
    const started = performance.now();
    const fraction = this.config.segments.length / this.config.totalSegments;
    this.progress.counts.expected = Math.round(
      (this.tables.masterInfo.itemCount + this.tables.slaveInfo.itemCount) * fraction,
    );
    this.progress.start();
    try {
      await Promise.all(
        this.config.segments.flatMap((segment) => [this.masterToSlave(segment), this.slaveToMaster(segment)]),
      );
      await this.checker.finish().catch((error: unknown) => this.failWith(error));
    } finally {
      this.progress.stop(!this.signal.aborted && this.fatal === undefined);
    }
    return {
      scanned: this.scanned,
      report: this.checker.report,
      seconds: (performance.now() - started) / 1000,
      fatal: this.fatal,
    };
  }

  private failWith(error: unknown): void {
    if (error instanceof InterruptedError) return;
    this.fatal ??= error;
    this.stop();
  }

  /** Runs a scan-and-compare loop, turning its errors into a stop of the run. */
  private async guarded(loop: () => Promise<void>): Promise<void> {
    try {
      await loop();
    } catch (error) {
      this.failWith(error);
    }
  }

  /** Master items the slave lacks or holds differently become candidates. */
  private masterToSlave(segment: number): Promise<void> {
    const { master, slave } = this.tables;
    return this.guarded(async () => {
      const names = keyNames(master.keySchema);
      for await (const page of this.pages(master, segment, false)) {
        const keys = page.map((item) => pickKey(item, names));
        const found = await this.limiter.run(() => slave.batchGet(keys, { consistent: false }));
        for (const [index, item] of page.entries()) {
          const key = keys[index] as Item;
          if (this.differs(item, found.get(itemKeyOf(key)))) await this.checker.add(key);
        }
        this.scanned.master += page.length;
        this.advance(page.length);
        if (this.signal.aborted) break;
      }
    });
  }

  /**
   * Whether the slave's `copy` differs from what it should hold of the master's `item`: the item as the replica hooks
   * shape it, or nothing where the filter keeps it off the slave. An item a hook fails on is a candidate too, so the
   * re-check reports it with the hook's message.
   */
  private differs(item: Item, copy: Item | undefined): boolean {
    let expected: Item | undefined;
    try {
      expected = this.tables.replica.expected(item);
    } catch {
      return true;
    }
    return expected === undefined ? copy !== undefined : !copy || !itemsEqual(expected, copy);
  }

  /**
   * Slave keys the master lacks become candidates. (A slave item whose master item the filter keeps out is found by
   * the master's scan, which looks every master key up on the slave.)
   */
  private slaveToMaster(segment: number): Promise<void> {
    const { master, slave } = this.tables;
    return this.guarded(async () => {
      for await (const page of this.pages(slave, segment, true)) {
        const found = await this.limiter.run(() => master.batchGet(page, { consistent: false, keysOnly: true }));
        for (const key of page) if (!found.has(itemKeyOf(key))) await this.checker.add(key);
        this.scanned.slave += page.length;
        this.advance(page.length);
        if (this.signal.aborted) break;
      }
    });
  }

  /** The pages of one segment of `table`, paced by `--max-items-per-second`. */
  private async *pages(table: TableAccess, segment: number, keysOnly: boolean): AsyncGenerator<Item[]> {
    const scan = scanSegment(table, {
      segment,
      totalSegments: this.config.totalSegments,
      pageSize: this.config.pageSize,
      keysOnly,
    });
    for await (const page of scan) {
      if (this.signal.aborted) return;
      await this.tables.pacers.items.take(page.items.length, this.signal);
      yield keysOnly ? page.items.map((item) => pickKey(item, keyNames(table.keySchema))) : page.items;
    }
  }

  private advance(items: number): void {
    this.progress.counts.done += items;
    this.updateDetail();
  }

  private updateDetail(): void {
    const { counts, inFlight, repair } = this.checker.report;
    const repaired = repair ? `, repaired ${formatCount(repair.repaired)}` : '';
    const hooks = this.checker.report.hooksFailed;
    const hooksFailed = hooks > 0 ? `, hooks failed ${formatCount(hooks)}` : '';
    this.progress.counts.detail = `missing ${formatCount(counts.missing)}, extra ${formatCount(counts.extra)}, different ${formatCount(counts.different)}, in flight ${formatCount(inFlight)}${repaired}${hooksFailed}`;
  }
}

/**
 * Runs a verify. Resolves with what it found (also when interrupted through `signal`); rejects with a ToolError
 * when the run cannot start or must stop (missing table, permission, key schemas).
 */
export async function runVerify(config: VerifyConfig, signal?: AbortSignal): Promise<VerifySummary> {
  const controller = new AbortController();
  const forward = (): void => controller.abort();
  signal?.addEventListener('abort', forward, { once: true });
  if (signal?.aborted) controller.abort();
  const tables = await openTables(config, controller.signal);
  try {
    const warnings = await definitionWarnings(tables.definitions.master, tables.definitions.slave);
    const result = await new VerifyRun(config, tables, controller.signal, () => controller.abort()).run();
    if (result.fatal !== undefined) throw result.fatal;
    const { counts, ...report } = result.report;
    const found = counts.missing + counts.extra + counts.different + report.hooksFailed;
    const repair = report.repair;
    return {
      command: 'verify',
      master: formatTableRef(config.master),
      slave: formatTableRef(config.slave),
      totalSegments: config.totalSegments,
      segments: config.segments,
      equal: found === 0,
      ...(repair ? { repairedAll: repair.conflicts === 0 && repair.failed === 0 && report.hooksFailed === 0 } : {}),
      interrupted: signal?.aborted === true,
      scanned: result.scanned,
      differences: counts,
      definitionWarnings: warnings,
      ...report,
      seconds: result.seconds,
    };
  } finally {
    signal?.removeEventListener('abort', forward);
    tables.close();
  }
}
