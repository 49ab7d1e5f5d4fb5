/**
 * `npm run bench:backfill -- --from-export`: the master's items written as an export (DynamoDB's documented layout)
 * into a local S3 (s3rver, stopped at cleanup), and the backfill's load of that export measured beside raw parallel
 * BatchWriteItem of the same items (target: ≥ 0.9×, since no scan of the master is read).
 */
import { onCleanup } from '../../harness/cleanup';
import { exportUrl, writeExport } from '../../harness/exportWriter';
import type { Item } from '../../harness/items';
import { startLocalS3 } from '../../harness/localS3';
import { MASTER_REGION } from '../../harness/replicator';
import type { BackfillConfig } from '../../src/cli/backfill/backfill';
import { parseExportLocation } from '../../src/cli/export/s3Url';

/** Data files of the benchmark's export: DynamoDB writes about one per partition. */
const EXPORT_FILES = 16;

/**
 * Starts a local S3 (pointed at by AWS_ENDPOINT_URL_S3, as the tool reads it), writes the export of `items` of
 * `masterTable` taken now, and answers the `fromExport` setting of a backfill that loads it.
 */
export async function benchExport(
  masterTable: string,
  items: readonly Item[],
): Promise<Pick<BackfillConfig, 'fromExport'>> {
  const s3 = await startLocalS3(['bench-exports']);
  onCleanup(() => s3.stop());
  process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  const spec = {
    bucket: 'bench-exports',
    prefix: 'bench',
    exportId: '01700000000000-bench001',
    tableArn: `arn:aws:dynamodb:${MASTER_REGION}:000000000000:table/${masterTable}`,
    exportTime: new Date(),
    items,
    files: EXPORT_FILES,
  };
  await writeExport(s3.client, spec);
  const fromExport = parseExportLocation(exportUrl(spec), '--from-export');
  if (typeof fromExport === 'string') throw new Error(fromExport);
  return { fromExport };
}
