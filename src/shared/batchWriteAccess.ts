/**
 * Whether a slave takes BatchWriteItem from this function's role, learnt from DynamoDB's answers and kept for the
 * container's life.
 *
 * The original npm package's README gave its role `dynamodb:PutItem` and `dynamodb:DeleteItem` on the slave and
 * nothing else, so a user who upgrades and keeps that role gets AccessDeniedException for every BatchWriteItem. The
 * slave then writes item by item (src/replicator/slave.ts) instead of failing every record, and this object makes
 * sure the denied call is not sent again with every batch:
 * - While nothing is known (a new container), one BatchWriteItem goes out as a probe and the slave's other calls
 *   wait for its answer: with the permission, the first batch costs one extra round trip; without it, one denied
 *   call per container instead of one per 25 items.
 * - Once denied, every call goes straight to single writes for {@link BATCH_WRITE_RECHECK_MS}; then one probe asks
 *   again, so a user who adds `dynamodb:BatchWriteItem` gets the fast path back without a redeploy.
 * - The first denial is reported once per container ({@link BatchWriteAccess.denied} answers `true` once).
 */

/** How long a slave that denied BatchWriteItem is written item by item before BatchWriteItem is tried again. */
export const BATCH_WRITE_RECHECK_MS = 15 * 60_000;

/**
 * How a chunk of writes goes out: `batch` as one BatchWriteItem, `single` item by item without trying it, `probe` as
 * the BatchWriteItem whose answer the slave's other calls wait for (its sender ends it with `allowed`, `denied` or,
 * when the call ended with no word on the permission, `settle`).
 */
export type WriteRoute = 'batch' | 'single' | 'probe';

/** One slave's BatchWriteItem permission as its answers showed it. */
export class BatchWriteAccess {
  private permitted = false;
  /** When BatchWriteItem was last denied (ms since the epoch); undefined when it never was. */
  private deniedAt: number | undefined;
  private reported = false;
  /** The probe in flight: resolves when its answer came. */
  private probe: Promise<void> | undefined;
  private endProbe: (() => void) | undefined;

  public constructor(
    private readonly recheckMs: number = BATCH_WRITE_RECHECK_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** How the next chunk goes out; waits while a probe is in flight. */
  public async route(): Promise<WriteRoute> {
    while (this.probe) await this.probe;
    if (this.permitted) return 'batch';
    if (this.deniedAt !== undefined && this.now() - this.deniedAt < this.recheckMs) return 'single';
    this.probe = new Promise((resolve) => {
      this.endProbe = resolve;
    });
    return 'probe';
  }

  /** DynamoDB answered a BatchWriteItem (took it, or refused it for its content): the permission is there. */
  public allowed(): void {
    this.permitted = true;
    this.deniedAt = undefined;
    this.release();
  }

  /** The probe ended with no word on the permission (throttled to the end, out of time): the next call asks again. */
  public settle(): void {
    this.release();
  }

  /**
   * A BatchWriteItem was denied: the slave is written item by item from now on. Answers true the first time in the
   * container's life, for the one warning.
   */
  public denied(): boolean {
    this.permitted = false;
    this.deniedAt = this.now();
    this.release();
    if (this.reported) return false;
    this.reported = true;
    return true;
  }

  private release(): void {
    const end = this.endProbe;
    this.probe = undefined;
    this.endProbe = undefined;
    end?.();
  }
}
