/**
 * Settings both commands share, as the CLI parses them (see options.ts) and the library takes them.
 */

import type { ReplicaHooks } from '../shared/hooks';
import type { TableRef } from '../shared/tableRef';
import type { ProgressOptions } from './progress';
import type { SideAccess } from './table/sideClients';

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
  /** Whose credentials read the master (and its stream): `--from-role-arn`/`--from-profile`; the default chain's if unset. */
  readonly masterAccess?: SideAccess;
  /** Whose credentials read and write the slave: `--to-role-arn`/`--to-profile`; the default chain's if unset. */
  readonly slaveAccess?: SideAccess;
  readonly progress: ProgressOptions;
  /**
   * The replica's hooks (`--hooks`): what the slave holds of each master item, as the replicator applies them, so
   * backfill copies and verify expects the same partial replica. `record` is undefined in the tools.
   */
  readonly hooks?: ReplicaHooks;
  /**
   * Top-level attributes the slave does not hold (`--exclude-attributes`), dropped after `hooks`. Kept apart from
   * `hooks` so the run can refuse a key attribute once it has read the master's key schema.
   */
  readonly excludeAttributes?: readonly string[];
}
