/**
 * Where a backfill's items come from, and where a run resumes: the master's scan segments (each page prefetched,
 * resumed after the last key a segment committed), or the data files of an export (`--from-export`), read a few at a
 * time and resumed by whole file. The run (backfill.ts) reads either the same way, page by page.
 */
import type { Item } from '../../shared/item';
import type { OpenTables } from '../table/openTables';
import { scanSegment } from '../table/scan';
import type { BackfillConfig } from './backfill';
import type { ExportSource } from './exportSource';
import { type BackfillState, hasProgress, loadState, newState, type RunIdentity, type SegmentState } from './stateFile';

/** One page of a segment or data file: its items, and where the run resumes after it. */
export interface SourcePage {
  readonly items: Item[];
  /** The scan's resume key after this page (none for an export: its files restart whole). */
  readonly lastKey?: Item;
  /** The segment or data file ends with this page. */
  readonly end: boolean;
}

/** Where a run's items come from: the master's scan segments, or the data files of an export. */
export interface ItemSource {
  /** Items the selected segments hold, for the progress display. */
  readonly expected: number;
  /** Segments or files read at once. */
  readonly inFlight: number;
  pages(index: number, segment: SegmentState): AsyncIterable<SourcePage>;
}

/** Data files of an export read at once (each is held whole while its MD5 is checked). */
export const EXPORT_FILES_IN_FLIGHT = 4;

/**
 * The run's state: the saved one when it belongs to this run and recorded progress, else a fresh one. A scan run
 * covers the selected segments; an export's covers every data file, and a file it had not finished starts over.
 */
export function runState(
  config: BackfillConfig,
  identity: RunIdentity,
): { state: BackfillState; saved?: BackfillState; segmentList: number[] } {
  const segmentList = identity.source
    ? Array.from({ length: identity.totalSegments }, (_, index) => index)
    : [...config.segments];
  const loaded = config.restart ? undefined : loadState(config.stateFile, identity, segmentList);
  // A file without progress (left by an earlier version after a failed start) resumes nothing.
  const saved = loaded && hasProgress(loaded) ? loaded : undefined;
  if (saved && identity.source) {
    for (const file of saved.segments.values()) {
      if (!file.done) Object.assign(file, { scanned: 0, written: 0, present: 0 });
    }
  }
  return { state: saved ?? newState(identity, segmentList), ...(saved ? { saved } : {}), segmentList };
}

/** The selected scan segments of the master, each page prefetched, as the run's items. */
export function scanItems(config: BackfillConfig, tables: OpenTables): ItemSource {
  const fraction = config.segments.length / config.totalSegments;
  return {
    expected: Math.round(tables.masterInfo.itemCount * fraction),
    inFlight: Math.max(1, config.segments.length),
    pages: async function* (index, segment) {
      const pages = scanSegment(tables.master, {
        segment: index,
        totalSegments: config.totalSegments,
        startKey: segment.lastKey,
        pageSize: config.pageSize,
      });
      for await (const page of pages)
        yield { items: page.items, lastKey: page.lastKey, end: page.lastKey === undefined };
    },
  };
}

/** The export's data files as the run's items, a page read ahead: a file's last page ends it, an empty file at once. */
export function exportItems(source: ExportSource): ItemSource {
  return {
    expected: source.manifest.itemCount,
    inFlight: EXPORT_FILES_IN_FLIGHT,
    pages: async function* (index) {
      // One page ahead, as a scan prefetches: the next page is unzipped and parsed while this one is written.
      const pages = source.pages(index)[Symbol.asyncIterator]();
      let next = pages.next();
      for (;;) {
        const page = await next;
        if (page.done) break;
        next = pages.next();
        // A page read ahead may be abandoned when the run stops; its error must not surface as unhandled.
        next.catch(() => undefined);
        yield { items: page.value, end: false };
      }
      yield { items: [], end: true };
    },
  };
}
