/**
 * What a soak run found (harness/soak.ts), and how it reads: the report's fields, its lines for the console, and the
 * verdict. Apart from the run so that the script, the tests and the README read one definition of PASS.
 */
import type { FaultKind } from './faultProxy';
import { FAULT_KINDS } from './faultProxy';
import type { OnFailureRecord } from './lambdaPoller';
import type { ChangeSummary } from './randomChanges';

/** What a soak run did and found. */
export interface SoakReport {
  readonly changes: number;
  readonly changeSummary: ChangeSummary;
  /** Items on the master at the end (the model's final state). */
  readonly masterItems: number;
  readonly invocations: number;
  readonly writeRequests: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly faultsTotal: number;
  /** Write requests beyond each invocation's plan: retries by the SDK and by the handler. */
  readonly requestRetries: number;
  /** Records delivered again by the mapping (Lambda's retries and duplicate deliveries). */
  readonly recordsRedelivered: number;
  /** Batches the function had answered that the mapping delivered again (`duplicateRate`). */
  readonly batchesDuplicated: number;
  readonly invocationErrors: number;
  /** Records the function reported failed or whose invocation failed (its answers: for information only). */
  readonly recordsReportedFailed: number;
  /** The function that ran, and whether its containers could be killed. */
  readonly functionKind: string;
  readonly killable: boolean;
  readonly containersKilled: number;
  /** Killed invocations after which the slave's items of their batch had changed: writes had landed before the kill. */
  readonly killedAfterWrites: number;
  /** Containers started (the local Lambda; undefined for the in-process bundle). */
  readonly coldStarts?: number;
  /**
   * With late writes: containers stopped past a deadline, timed-out invocations that ran on and answered, and rounds
   * whose verdict was taken while such an invocation had not answered within 60 s.
   */
  readonly stalls?: { readonly stopped: number; readonly ranOn: number; readonly unsettledRounds: number };
  readonly batchesBisected: number;
  readonly maxConcurrentInvocations: number;
  /** Changes the writer made while the mapping was delivering (the writer overlaps replication). */
  readonly changesDuringDrains: number;
  /** Given-up batches' records, sent to the on-failure destination, and its documents. */
  readonly recordsSentToDestination: number;
  readonly failureRecords: readonly OnFailureRecord[];
  /** The verdict, from the slave against the model, at every round's end before any repair (distinct over rounds). */
  readonly lostChanges: number;
  readonly staleItems: number;
  readonly extraItems: number;
  readonly wrongItems: number;
  /** Rounds at whose end the slave held exactly the model's final state, and all rounds. */
  readonly roundsEqual: number;
  readonly rounds: number;
  /** Items on which the master disagreed with the model: a fault of the soak itself (must be 0). */
  readonly modelErrors: number;
  /** After the verdict: rounds after which `verify --repair` ran, the items it found, and whether it made them equal. */
  readonly repairs: number;
  readonly itemsRepaired: number;
  readonly equalAfterRepairs: boolean;
  readonly durationMs: number;
}

/** PASS: no change lost, no item stale, extra or wrong, the slave equal to the model at every round's end. */
export function soakPassed(report: SoakReport): boolean {
  return (
    report.lostChanges === 0 &&
    report.staleItems === 0 &&
    report.extraItems === 0 &&
    report.wrongItems === 0 &&
    report.modelErrors === 0 &&
    report.roundsEqual === report.rounds
  );
}

/** The report as lines of text, for the console and the README; the last four lines are the verdict. */
export function formatSoakReport(report: SoakReport): string[] {
  const { puts, updates, deletes, reinserts } = report.changeSummary;
  const faultLines = FAULT_KINDS.filter((kind) => report.faults[kind] > 0).map(
    (kind) => `  ${kind}: ${report.faults[kind]}`,
  );
  const share = report.containersKilled === 0 ? 0 : (100 * report.killedAfterWrites) / report.containersKilled;
  const killed = report.killable
    ? `${report.containersKilled} (${report.killedAfterWrites} = ${share.toFixed(0)} % after some of their writes had landed)`
    : `${report.containersKilled} (${report.functionKind}: an in-process function cannot be killed)`;
  const repaired =
    report.repairs === 0
      ? 'verify --repair: not needed'
      : `verify --repair (after the verdict) ran ${report.repairs} times, found ${report.itemsRepaired} items, slave equal afterwards: ${report.equalAfterRepairs ? 'yes' : 'no'}`;
  return [
    `changes: ${report.changes} (${puts} puts, ${updates} updates, ${deletes} deletes, ${reinserts} re-inserts; ${report.changesDuringDrains} while the mapping delivered); ${report.masterItems} items at the end`,
    `invocations: ${report.invocations} (at most ${report.maxConcurrentInvocations} at once); write requests: ${report.writeRequests}`,
    `faults injected: ${report.faultsTotal} (${((100 * report.faultsTotal) / Math.max(1, report.writeRequests)).toFixed(1)} % of write requests)`,
    ...faultLines,
    `retries: ${report.requestRetries} requests beyond the plan (SDK and handler), ${report.recordsRedelivered} records re-delivered by the mapping (${report.batchesDuplicated} answered batches delivered again), ${report.invocationErrors} invocations failed whole`,
    `records the function reported failed: ${report.recordsReportedFailed}`,
    `function: ${report.functionKind}; cold starts: ${report.coldStarts ?? 'none (no containers)'}`,
    `containers killed: ${killed}`,
    ...(report.stalls === undefined
      ? []
      : [
          `containers stopped past an invocation's deadline: ${report.stalls.stopped}; timed-out invocations that ran on and answered late: ${report.stalls.ranOn}` +
            (report.stalls.unsettledRounds > 0
              ? `; rounds judged while one had not answered within 60 s: ${report.stalls.unsettledRounds}`
              : ''),
        ]),
    `batches bisected: ${report.batchesBisected}`,
    `records sent to the on-failure destination: ${report.recordsSentToDestination} (${report.failureRecords.length} batches)`,
    `slave against the model (every round's end, before any repair): ${report.roundsEqual} of ${report.rounds} rounds equal; extra items: ${report.extraItems}; items in a state the master never had: ${report.wrongItems}; model errors: ${report.modelErrors}`,
    repaired,
    `time: ${(report.durationMs / 1000).toFixed(1)} s`,
    `lost changes: ${report.lostChanges}`,
    `stale items: ${report.staleItems}`,
    `slave equal to master: ${report.roundsEqual === report.rounds ? 'yes' : 'no'}`,
    `soak: ${soakPassed(report) ? 'PASS' : 'FAIL'}`,
  ];
}
