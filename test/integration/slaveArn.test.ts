/**
 * Slaves named by table ARN, end to end: the BUILT zip under Lambda's runtime client in a local container, with
 * SLAVE_TABLE as a table ARN and no SLAVE_REGION, and with SLAVES mixing an ARN and a region/table entry, replicates
 * a real stream from DynamoDB Local into those tables. Every write sends the ARN as the table name (DynamoDB Local
 * takes it as AWS does, and keeps the table in the region the client is in: the ARN's), and the summary log line
 * names the slave by its ARN.
 */

import type { LambdaFunction } from '../../harness/lambdaFunction';
import { drainStream } from '../../harness/lambdaPoller';
import { applyRandomChanges } from '../../harness/randomChanges';
import { MASTER_REGION, SLAVE_REGION } from '../../harness/replicator';
import {
  compareTables,
  createMasterTable,
  createTable,
  differencesOf,
  NO_DIFFERENCES,
  uniqueTableName,
} from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
const localReplicator = useLocalReplicators();

/** The ARN of a table in the slave region of another account, as its resource-based policy would be reached. */
const arnOf = (table: string) => `arn:aws:dynamodb:${SLAVE_REGION}:444455556666:table/${table}`;

/** The master's stream read to its end through the function, 100 records a batch. */
const drain = (streamArn: string, fn: LambdaFunction) =>
  drainStream({ endpoint, region: MASTER_REGION, streamArn, function: fn, batchSize: 100, maximumRetryAttempts: 3 });

describe('slaves named by table ARN, through the zip in a local Lambda', () => {
  test('SLAVE_TABLE as an ARN with no SLAVE_REGION replicates into that table, and the log names it by its ARN', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, { name: uniqueTableName('arn-master') });
    const slaveTable = await createTable(slave, { name: uniqueTableName('arn-slave') });
    await applyRandomChanges(master, masterTable.name, { seed: 25, items: 30, changes: 120 });
    const lambda = localReplicator({
      endpoint,
      slaveTable: arnOf(slaveTable.name),
      logLevel: 'INFO',
      env: { SLAVE_REGION: undefined },
    });

    // Act
    const stats = await drain(masterTable.streamArn, lambda);

    // Assess
    const comparison = await compareTables(
      { client: master, table: masterTable.name },
      { client: slave, table: slaveTable.name },
    );
    expect(differencesOf(comparison)).toEqual(NO_DIFFERENCES);
    expect(comparison.sourceCount).toBeGreaterThan(0);
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0 });
    const summaries = lambda.entries().filter((entry) => entry.message === 'batch replicated');
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries[0]).toMatchObject({ slaves: [expect.objectContaining({ slave: arnOf(slaveTable.name) })] });
  });

  test('SLAVES mixing an ARN and a region/table entry writes both', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, { name: uniqueTableName('arn-master') });
    const byArn = await createTable(slave, { name: uniqueTableName('arn-slave') });
    const byName = await createTable(slave, { name: uniqueTableName('named-slave') });
    await applyRandomChanges(master, masterTable.name, { seed: 26, items: 20, changes: 60 });
    const lambda = localReplicator({
      endpoint,
      slaveTable: 'unused',
      env: {
        SLAVE_REGION: undefined,
        SLAVE_TABLE: undefined,
        SLAVES: `${arnOf(byArn.name)},${SLAVE_REGION}/${byName.name}`,
      },
    });

    // Act
    const stats = await drain(masterTable.streamArn, lambda);

    // Assess
    const source = { client: master, table: masterTable.name };
    expect(differencesOf(await compareTables(source, { client: slave, table: byArn.name }))).toEqual(NO_DIFFERENCES);
    expect(differencesOf(await compareTables(source, { client: slave, table: byName.name }))).toEqual(NO_DIFFERENCES);
    expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0 });
  });
});
