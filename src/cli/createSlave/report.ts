/**
 * create-slave's summary as text, and its exit code: 0 created, would create (dry run) or already matches; 2 when
 * an existing slave differs, as for the other problems the operator must fix before replicating.
 */
import type { CreateSlaveSummary } from './createSlave';

/** 0 unless an existing slave differs from the master (2: nothing was changed). */
export function createSlaveExitCode(summary: CreateSlaveSummary): number {
  return summary.outcome === 'differs' ? 2 : 0;
}

/** The summary as text: what was done, each request (with its input in a dry run), differences, warnings. */
export function formatCreateSlave(summary: CreateSlaveSummary): string {
  const head = `create-slave ${summary.master} -> ${summary.slave}`;
  const lines: string[] = [];
  if (summary.outcome === 'already-matches') {
    lines.push(`${head}: the slave already exists and already matches the master's definition; nothing changed`);
  } else if (summary.outcome === 'differs') {
    lines.push(`${head}: the slave already exists and DIFFERS from the master; nothing changed`);
    for (const difference of summary.differences) lines.push(`  - ${difference}`);
    lines.push('  Delete the slave and run create-slave again, or change it to match, before replicating into it.');
  } else if (summary.outcome === 'would-create') {
    lines.push(`${head}: dry run, nothing created; the requests it would send:`);
    for (const request of summary.requests) {
      lines.push(`  ${request.action} ${JSON.stringify(request.input, null, 2).replace(/\n/g, '\n  ')}`);
    }
  } else {
    lines.push(`${head}: created in ${summary.seconds.toFixed(1)} s`);
    for (const request of summary.requests) lines.push(`  sent ${request.action}`);
  }
  const data = summary.withData;
  if (data?.exportArn !== undefined) {
    lines.push(
      `  imported ${data.importedItems ?? '?'} items from the export ${data.exportArn} of ${data.exportTime}`,
      `  NEXT: attach the function to the master's stream with starting position TRIM_HORIZON before ${data.deadline}`,
    );
  } else if (data) {
    lines.push(`  the master holds about ${data.masterItems} items, ${(data.masterBytes / 1e9).toFixed(2)} GB`);
  }
  for (const warning of summary.warnings) lines.push(`  warning: ${warning}`);
  return `${lines.join('\n')}\n`;
}
