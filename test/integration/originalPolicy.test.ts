/**
 * The zip under the original npm package's IAM policy: its README gave the role `dynamodb:PutItem` and
 * `dynamodb:DeleteItem` on the slave and nothing else. DynamoDB Local sits behind a proxy that answers every other
 * call on the slave table as IAM does (AccessDeniedException naming the action and the table's ARN), and the BUILT
 * zip runs in the local Lambda under the official runtime client, fed by the local event source mapping from the
 * master's real stream. The README's own index.js with the packed package under the same policy: library.test.ts.
 */
import { allowOnly, startFaultProxy } from '../../harness/faultProxy';
import { drainStream } from '../../harness/lambdaPoller';
import { applyRandomChanges } from '../../harness/randomChanges';
import { imageOf, insertRecord, keyOf, removeRecord, seq, streamEvent } from '../../harness/records';
import { MASTER_REGION, SLAVE_REGION, TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import { compareTables, createMasterTable, createTable, uniqueTableName } from '../../harness/tables';
import { localEndpoint, useRegionClients } from '../helpers/jestLocal';
import { useLocalReplicators } from '../helpers/localLambdas';
import { invoke, newSlave, slaveItems } from './badInputFixture';

const endpoint = localEndpoint();
const { master, slave } = useRegionClients(MASTER_REGION, SLAVE_REGION);
const localReplicator = useLocalReplicators();

describe('the zip with a role that may only PutItem and DeleteItem on the slave', () => {
  test('a few hundred changes in many batches leave the slave equal; BatchWriteItem is asked once and named in one WARN line', async () => {
    // Prepare
    const masterTable = await createMasterTable(master, { name: uniqueTableName('master') });
    const slaveTable = await createTable(slave, { name: uniqueTableName('old-policy-slave') });
    const proxy = await startFaultProxy({
      upstream: endpoint,
      plan: allowOnly(slaveTable.name, ['PutItem', 'DeleteItem']),
    });
    try {
      await applyRandomChanges(master, masterTable.name, { seed: 23, items: 40, changes: 240 });
      const fn = localReplicator({ endpoint: proxy.endpoint, slaveTable: slaveTable.name, logLevel: 'INFO' });

      // Act
      const stats = await drainStream({
        ...TEMPLATE_RESPONSE_TYPES,
        endpoint,
        region: MASTER_REGION,
        streamArn: masterTable.streamArn,
        function: fn,
        batchSize: 30,
      });

      // Assess
      const comparison = await compareTables(
        { client: master, table: masterTable.name },
        { client: slave, table: slaveTable.name },
      );
      expect(comparison.equal).toBe(true);
      expect(stats).toMatchObject({ failuresReported: 0, invocationErrors: 0, recordsDiscarded: 0 });
      expect(stats.invocations).toBeGreaterThanOrEqual(8);
      const calls = proxy.stats().byOperation;
      expect(calls.BatchWriteItem).toBe(1);
      expect((calls.PutItem ?? 0) + (calls.DeleteItem ?? 0)).toBeGreaterThanOrEqual(comparison.sourceCount);
      const naming = fn.logs.filter((line) => line.text.includes('dynamodb:BatchWriteItem'));
      expect(naming).toHaveLength(1);
      expect(JSON.parse(naming[0]?.text ?? '{}')).toMatchObject({
        level: 'WARN',
        missingAction: 'dynamodb:BatchWriteItem',
        resource: `arn:aws:dynamodb:${SLAVE_REGION}:123456789012:table/${slaveTable.name}`,
      });
    } finally {
      await proxy.stop();
    }
  });

  test('PutItem denied as well: each put fails naming every action the role needs, the delete lands', async () => {
    // Prepare: the slave holds `gone`; the role may only DeleteItem.
    const slaveTable = await newSlave();
    const setUp = await invoke(streamEvent([insertRecord(seq(1), keyOf('gone'), imageOf('gone'))]), { slaveTable });
    expect(setUp.slave).toHaveLength(1);
    const proxy = await startFaultProxy({ upstream: endpoint, plan: allowOnly(slaveTable, ['DeleteItem']) });
    try {
      const event = streamEvent([
        insertRecord(seq(2), keyOf('a'), imageOf('a')),
        removeRecord(seq(3), keyOf('gone')),
        insertRecord(seq(4), keyOf('b'), imageOf('b')),
      ]);

      // Act
      const outcome = await invoke(event, { slaveTable, via: proxy.endpoint });

      // Assess
      const needs = `slave ${SLAVE_REGION}/${slaveTable}: access denied: the function's role needs dynamodb:BatchWriteItem, dynamodb:PutItem and dynamodb:DeleteItem on table ${slaveTable} in ${SLAVE_REGION} (AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/replicator/dynamo-replicator is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:${SLAVE_REGION}:123456789012:table/${slaveTable}`;
      expect(Object.keys(outcome.reasons).sort()).toEqual([seq(2), seq(4)]);
      for (const reason of Object.values(outcome.reasons)) expect(String(reason).startsWith(needs)).toBe(true);
      expect(await slaveItems(slaveTable)).toEqual([]);
      expect(proxy.stats().byOperation).toMatchObject({ BatchWriteItem: 1, PutItem: 2, DeleteItem: 1 });
    } finally {
      await proxy.stop();
    }
  });
});
