/**
 * Settings both commands share, as the CLI parses them (see options.ts) and the library takes them.
 */

import type { TableRef } from '../shared/tableRef';
import type { ProgressOptions } from './progress';

/** What to compare or copy, how fast, and how to show it. */
export interface RunConfig {
  readonly master: TableRef;
  readonly slave: TableRef;
  /** Scan segments the table is divided into (DynamoDB's TotalSegments). */
  readonly totalSegments: number;
  /** The segments this process works on (all of them, or those `--segment` picked). */
  readonly segments: readonly number[];
  /** Calls in flight at once, across all segments. */
  readonly concurrency: number;
  /** Items per Scan page; a resumed run repeats at most one page per segment. */
  readonly pageSize: number;
  readonly maxItemsPerSecond?: number;
  readonly maxWcu?: number;
  readonly maxRcu?: number;
  /** Explicit endpoint for both tables; otherwise the SDK's default (AWS_ENDPOINT_URL_DYNAMODB, the region's). */
  readonly endpoint?: string;
  readonly progress: ProgressOptions;
}
