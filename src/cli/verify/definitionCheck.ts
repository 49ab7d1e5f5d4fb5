/**
 * verify's look at the table definitions: indexes, projections and the TTL attribute that differ between master
 * and slave are reported as warnings beside the item differences (the key schema is checked before any item is
 * read, in table/openTables.ts). Warnings do not change verify's exit code: equal items in tables whose indexes
 * differ are still equal items. Uses the same comparison as create-slave (table/definition.ts).
 */
import { ACCESS_DENIED, asAwsError } from '../../shared/awsErrors';
import { ToolError } from '../errors';
import { definitionDifferences, type TableDefinition, tableDefinition } from '../table/definition';
import type { DefinitionAccess } from '../table/definitionAccess';

/** The TTL attribute, or `denied` when the caller may not read it (older operator policies lack the action). */
async function ttlOf(access: DefinitionAccess): Promise<string | undefined | 'denied'> {
  try {
    return await access.timeToLiveAttribute();
  } catch (error) {
    if (error instanceof ToolError && ACCESS_DENIED.has(asAwsError(error.cause).name ?? '')) return 'denied';
    throw error;
  }
}

async function definitionOf(access: DefinitionAccess): Promise<{ definition: TableDefinition; ttlDenied: boolean }> {
  const [description, ttl] = await Promise.all([access.describeTable(), ttlOf(access)]);
  const ttlDenied = ttl === 'denied';
  const extras = ttl === undefined || ttlDenied ? {} : { ttlAttribute: ttl };
  return { definition: tableDefinition(description, access.ref, extras), ttlDenied };
}

/** How the slave's definition differs from the master's, as warnings for the verify report. */
export async function definitionWarnings(master: DefinitionAccess, slave: DefinitionAccess): Promise<string[]> {
  const [ofMaster, ofSlave] = await Promise.all([definitionOf(master), definitionOf(slave)]);
  const warnings = definitionDifferences(
    ofMaster.definition,
    // TTL that could not be read on one side is not compared at all.
    ofMaster.ttlDenied || ofSlave.ttlDenied
      ? { ...ofSlave.definition, ttlAttribute: ofMaster.definition.ttlAttribute }
      : ofSlave.definition,
  ).map((difference) => `table definitions differ: ${difference}`);
  if (ofMaster.ttlDenied || ofSlave.ttlDenied) {
    warnings.push(
      'TTL attributes not compared: your credentials need the IAM action dynamodb:DescribeTimeToLive on both tables',
    );
  }
  return warnings;
}
