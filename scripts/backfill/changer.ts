/** The live backfill benchmark's changer: seeded random changes to the master at a steady rate. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { applyRandomChanges, type ChangeSummary } from '../../harness/randomChanges';

/** Parallel changers: one request at a time each, paced together to the target rate. */
const CHANGER_LANES = 4;
/** Most changes one lane applies in a row when it is behind the target rate. */
const CHANGES_PER_CHUNK = 10;

const sleep = (ms: number): Promise<void> => new Promise((resolveSleep) => setTimeout(resolveSleep, ms));

/**
 * Seeded random changes to the master at a steady rate: {@link CHANGER_LANES} lanes claim chunks of the changes due
 * so far (rate × elapsed time) until stopped. `applied` counts each change as it lands.
 */
export class Changer {
  applied = 0;
  readonly kinds: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
  private claimed = 0;
  private chunks = 0;
  private stopped = false;
  private started = 0;
  private lanes: Promise<void>[] = [];
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly items: number,
    private readonly hotItems: number,
    private readonly perSecond: number,
  ) {}

  start(): void {
    this.started = performance.now();
    // A failed change stops every lane; stop() reports it (no rejection is left unhandled meanwhile).
    this.lanes = Array.from({ length: CHANGER_LANES }, () =>
      this.lane().catch((error: unknown) => {
        this.failure ??= { error };
        this.stopped = true;
      }),
    );
  }

  /** Stops claiming new chunks; resolves once the chunks in flight have landed (rejects if a change failed). */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.lanes);
    if (this.failure) throw this.failure.error;
  }

  /** Seconds since the start. */
  elapsed(): number {
    return (performance.now() - this.started) / 1000;
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      const due = Math.floor(this.perSecond * this.elapsed()) - this.claimed;
      if (due <= 0) {
        // Until the next change is due.
        await sleep(Math.max(1, ((this.claimed + 1) / this.perSecond - this.elapsed()) * 1000));
        continue;
      }
      const changes = Math.min(due, CHANGES_PER_CHUNK);
      this.claimed += changes;
      this.chunks += 1;
      const done = await applyRandomChanges(this.client, this.table, {
        seed: 7919 * this.chunks + 17,
        items: this.items,
        changes,
        hotItems: this.hotItems,
        onChange: () => {
          this.applied += 1;
        },
      });
      this.kinds.puts += done.puts;
      this.kinds.updates += done.updates;
      this.kinds.deletes += done.deletes;
      this.kinds.reinserts += done.reinserts;
    }
  }
}
