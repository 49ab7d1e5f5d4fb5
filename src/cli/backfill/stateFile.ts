/**
 * The backfill's resume point: a small JSON file with, per scan segment, the last key whose page is fully written.
 *
 * A page's key is recorded only after every item of the page was written (or found present), so resuming from it
 * never skips an item; at worst a page is written again, which conditional writes turn into "already present".
 * Keys are stored as DynamoDB JSON with binary as base64 (see attributeJson.ts), so binary keys survive. The file is
 * replaced atomically (write a temporary file, then rename), so a kill at any moment leaves the old or the new
 * state, never half of one.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Item } from '../../shared/item';
import { ToolError } from '../errors';
import { itemFromJson, itemToJson, type JsonItem } from '../table/attributeJson';

/** Identifies the file format. */
export const STATE_FORMAT = 'dynamo-replicator/backfill-state@1';

/** Progress of one segment. */
export interface SegmentState {
  /** Scan resumes after this key; undefined: from the start. */
  lastKey?: Item;
  done: boolean;
  scanned: number;
  written: number;
  present: number;
  failed: number;
}

/** What a run copies; a state file only resumes the run it was written for. */
export interface RunIdentity {
  readonly master: string;
  readonly slave: string;
  readonly totalSegments: number;
  /** The export loaded (`--from-export`, its ARN), whose data files are the segments; none for a scan. */
  readonly source?: string;
}

/** A backfill's progress. */
export interface BackfillState extends RunIdentity {
  readonly segments: Map<number, SegmentState>;
}

interface StateJson {
  format: string;
  master: string;
  slave: string;
  totalSegments: number;
  source?: string;
  updatedAt: string;
  segments: Record<string, Omit<SegmentState, 'lastKey'> & { lastKey?: JsonItem }>;
}

/** A fresh state for `segments`. */
export function newState(identity: RunIdentity, segments: readonly number[]): BackfillState {
  const map = new Map<number, SegmentState>();
  for (const segment of segments) map.set(segment, { done: false, scanned: 0, written: 0, present: 0, failed: 0 });
  return { ...identity, segments: map };
}

/**
 * The saved state at `path` if it exists, checked to belong to this run; segments this run covers that the file
 * lacks start fresh. Throws a ToolError for a file of another run or an unreadable file.
 */
export function loadState(path: string, identity: RunIdentity, segments: readonly number[]): BackfillState | undefined {
  if (!existsSync(path)) return undefined;
  let json: StateJson;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as StateJson;
  } catch (error) {
    throw new ToolError(`state file ${path} is not readable JSON (${String(error)}); remove it or pass --restart`);
  }
  if (json.format !== STATE_FORMAT)
    throw new ToolError(`${path} is not a backfill state file (format ${String(json.format)})`);
  if (
    json.master !== identity.master ||
    json.slave !== identity.slave ||
    json.totalSegments !== identity.totalSegments ||
    json.source !== identity.source
  ) {
    const from = (source: string | undefined): string => (source ? `, from the export ${source}` : '');
    throw new ToolError(
      `state file ${path} belongs to another run (${json.master} → ${json.slave}, ${json.totalSegments} segments` +
        `${from(json.source)}); this run is ${identity.master} → ${identity.slave}, ${identity.totalSegments} ` +
        `segments${from(identity.source)}. ` +
        'Use the same --segments/--total-segments to resume it, another --state-file, or --restart to start over',
    );
  }
  const state = newState(identity, segments);
  for (const segment of segments) {
    const saved = json.segments[String(segment)];
    if (!saved) continue;
    try {
      state.segments.set(segment, {
        done: saved.done === true,
        scanned: Number(saved.scanned) || 0,
        written: Number(saved.written) || 0,
        present: Number(saved.present) || 0,
        failed: 0,
        ...(saved.lastKey ? { lastKey: itemFromJson(saved.lastKey) } : {}),
      });
    } catch (error) {
      throw new ToolError(`state file ${path}, segment ${segment}: ${String(error)}; remove it or pass --restart`);
    }
  }
  return state;
}

/**
 * The state records something a later run needs: a segment committed a page (its resume key, or its end) or an
 * item was written. A run that stopped before that — e.g. the master's stream was unreachable — has nothing to
 * resume: its state is not kept, so the next run starts fresh instead of treating every recent change as suspect.
 */
export function hasProgress(state: BackfillState): boolean {
  return [...state.segments.values()].some(
    (segment) => segment.done || segment.lastKey !== undefined || segment.written > 0,
  );
}

/** Writes `state` to `path` atomically. */
export function saveState(path: string, state: BackfillState): void {
  const json: StateJson = {
    format: STATE_FORMAT,
    master: state.master,
    slave: state.slave,
    totalSegments: state.totalSegments,
    ...(state.source ? { source: state.source } : {}),
    updatedAt: new Date().toISOString(),
    segments: {},
  };
  for (const [segment, progress] of state.segments) {
    const { lastKey, ...counts } = progress;
    json.segments[String(segment)] = { ...counts, ...(lastKey ? { lastKey: itemToJson(lastKey) } : {}) };
  }
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(json, null, 2)}\n`);
  renameSync(temporary, path);
}

/** Removes the state file (after a complete run). */
export function removeState(path: string): void {
  rmSync(path, { force: true });
}
