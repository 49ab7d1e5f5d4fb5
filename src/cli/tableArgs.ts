/**
 * The two tables of a command line: positionals (`region/table` or a table ARN) and/or the `--from-*`/`--to-*`
 * options, checked with src/shared/tableRef.ts (a malformed ARN, or a region option contradicting an ARN, is named).
 * Split from options.ts, which parses the rest of the command line.
 */
import { isTableArn, splitTableRef, TABLE_ARN_FORM, type TableRef, tableRefProblem } from '../shared/tableRef';
import { UsageError } from './errors';

/** The table options' values as util.parseArgs gives them. */
export interface TableValues {
  readonly 'from-region'?: string;
  readonly 'from-table'?: string;
  readonly 'to-region'?: string;
  readonly 'to-table'?: string;
}

/** The master and slave from positionals and/or the --from-region/--to-region style options. */
export function tables(values: TableValues, positionals: readonly string[]): { master: TableRef; slave: TableRef } {
  if (positionals.length > 2)
    throw new UsageError(`expected at most two tables (master and slave), got: ${positionals.join(' ')}`);
  const fromOptions = (side: 'from' | 'to'): TableRef | undefined => {
    const region = values[`${side}-region`];
    const table = values[`${side}-table`];
    if (region === undefined && table === undefined) return undefined;
    // A table ARN carries its region; --*-region beside it must then agree (checked with the rest below).
    if (table !== undefined && isTableArn(table)) {
      const ref = splitTableRef(table) ?? { region: '', table };
      return region === undefined ? ref : { ...ref, region };
    }
    if (region === undefined || table === undefined) {
      throw new UsageError(
        `--${side}-region and --${side}-table go together; got only --${side}-${region === undefined ? 'table' : 'region'}`,
      );
    }
    return { region, table };
  };
  const fromPositional = (text: string | undefined, role: string): TableRef | undefined => {
    if (text === undefined) return undefined;
    const ref = splitTableRef(text);
    if (!ref) {
      throw new UsageError(
        `${role} "${text}" must be region/table or a table ARN, e.g. us-east-1/Orders or ${TABLE_ARN_FORM}`,
      );
    }
    return ref;
  };
  const optionMaster = fromOptions('from');
  const optionSlave = fromOptions('to');
  const queue = [...positionals];
  const master = optionMaster ?? fromPositional(queue.shift(), 'master');
  const slave = optionSlave ?? fromPositional(queue.shift(), 'slave');
  if (queue.length > 0)
    throw new UsageError(`unexpected argument "${queue[0]}": the tables are already given by --from-*/--to-* options`);
  if (!master) throw new UsageError('missing the master table: give region/table or --from-region and --from-table');
  if (!slave) throw new UsageError('missing the slave table: give region/table or --to-region and --to-table');
  for (const [role, ref] of [
    ['master', master],
    ['slave', slave],
  ] as const) {
    const problem = tableRefProblem(ref);
    if (problem) throw new UsageError(`${role}: ${problem}`);
  }
  return { master, slave };
}
