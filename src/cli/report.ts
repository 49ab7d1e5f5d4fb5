/**
 * Final summaries: human-readable text, or the summary object as JSON (`--json`), and the exit code each implies.
 */

import type { BackfillSummary } from './backfill/backfill';
import { formatCount } from './progress';
import { formatKey, itemFromJson, type JsonItem } from './table/attributeJson';
import type { VerifySummary } from './verify/verify';

/** `0-7`, `0-3,8,10-11`: segment lists in short form. */
export function formatSegments(segments: readonly number[], totalSegments: number): string {
  if (segments.length === totalSegments) return `all ${totalSegments}`;
  const parts: string[] = [];
  for (let index = 0; index < segments.length; ) {
    const start = segments[index] as number;
    let end = start;
    while (segments[index + 1] === end + 1) {
      index += 1;
      end += 1;
    }
    parts.push(start === end ? String(start) : `${start}-${end}`);
    index += 1;
  }
  return `${parts.join(',')} of ${totalSegments}`;
}

const key = (json: JsonItem): string => formatKey(itemFromJson(json));
const seconds = (value: number): string => `${value.toFixed(1)} s`;

/** Exit code of a backfill: 0 only when every item was written or already present. */
export function backfillExitCode(summary: BackfillSummary): number {
  return summary.complete ? 0 : 1;
}

/** Exit code of a verify: 0 equal (or, with --repair, all repaired), 1 otherwise. */
export function verifyExitCode(summary: VerifySummary): number {
  if (summary.interrupted) return 1;
  if (summary.equal) return 0;
  return summary.repairedAll === true ? 0 : 1;
}

/** The backfill summary as text. */
export function formatBackfill(summary: BackfillSummary): string {
  const run = summary.thisRun;
  const status = summary.complete ? 'complete' : summary.interrupted ? 'INTERRUPTED' : 'INCOMPLETE';
  const from = summary.fromExport;
  const units = from
    ? `from the export ${from.exportArn} of ${from.exportTime}, data files ${formatSegments(summary.segments, summary.totalSegments)}`
    : `segments ${formatSegments(summary.segments, summary.totalSegments)}`;
  const lines = [
    `backfill ${summary.master} -> ${summary.slave} (${summary.writeMode} writes, ${units}): ${status}`,
    `  ${from ? 'read' : 'scanned'} ${formatCount(run.scanned)} items in ${seconds(run.seconds)} (${formatCount(run.itemsPerSecond)} items/s)`,
    `  written ${formatCount(run.written)}, already present ${formatCount(run.present)}, failed ${formatCount(run.failed)}` +
      (run.refreshed > 0
        ? `, refreshed ${formatCount(run.refreshed)} (changed on the master while being copied)`
        : '') +
      (run.undone > 0 ? `, undone ${formatCount(run.undone)} (deleted on the master while being copied)` : ''),
  ];
  if (run.skipped > 0) lines.push(`  filtered out by the hooks (not copied): ${formatCount(run.skipped)}`);
  if (run.rechecked > 0)
    lines.push(`  re-checked ${formatCount(run.rechecked)} items the master's stream showed changing during the run`);
  if (summary.resumed) {
    lines.push(
      `  resumed from the state file; over all runs: scanned ${formatCount(summary.total.scanned)}, written ${formatCount(summary.total.written)}, present ${formatCount(summary.total.present)}`,
    );
  }
  if (summary.failures.length > 0) {
    lines.push(`  failed items (first ${summary.failures.length}):`);
    for (const failure of summary.failures) lines.push(`    ${key(failure.key)}: ${failure.error}`);
  }
  if (summary.stateFile) lines.push(`  progress kept in ${summary.stateFile}; run the same command again to resume`);
  return `${lines.join('\n')}\n`;
}

/** The verify summary as text. */
export function formatVerify(summary: VerifySummary): string {
  const { differences, samples } = summary;
  const status = summary.interrupted ? 'INTERRUPTED' : summary.equal ? 'equal' : 'DIFFERENT';
  const lines = [
    `verify ${summary.master} <-> ${summary.slave} (segments ${formatSegments(summary.segments, summary.totalSegments)}): ${status}`,
    `  scanned ${formatCount(summary.scanned.master)} master and ${formatCount(summary.scanned.slave)} slave items in ${seconds(summary.seconds)}`,
    `  missing on the slave: ${formatCount(differences.missing)}${sample(samples.missing.map(key))}`,
    `  extra on the slave:   ${formatCount(differences.extra)}${sample(samples.extra.map(key))}`,
    `  different:            ${formatCount(differences.different)}${sample(samples.different.map((entry) => `${key(entry.key)} [${entry.attributes.join(', ')}]`))}`,
    `  in flight (equal when re-read): ${formatCount(summary.inFlight)}`,
  ];
  for (const warning of summary.definitionWarnings) lines.push(`  warning: ${warning}`);
  if (summary.hooksFailed > 0) {
    lines.push(`  hooks failed (not compared): ${formatCount(summary.hooksFailed)}`);
    for (const failure of samples.hooksFailed) lines.push(`    ${key(failure.key)}: ${failure.error}`);
  }
  if (summary.repair) {
    const { repaired, converged, conflicts, failed, failures } = summary.repair;
    lines.push(
      `  repair: repaired ${formatCount(repaired)}, converged by the stream ${formatCount(converged)}, still changing ${formatCount(conflicts)}, failed ${formatCount(failed)}`,
    );
    for (const failure of failures) lines.push(`    ${key(failure.key)}: ${failure.error}`);
  }
  return `${lines.join('\n')}\n`;
}

function sample(keys: readonly string[]): string {
  return keys.length === 0 ? '' : `\n      e.g. ${keys.join('\n           ')}`;
}
