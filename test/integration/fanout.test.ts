/**
 * Fan-out end to end: one function writing every change to three slaves in three regions, from a real stream.
 * A slave whose table is missing fails its records with a message naming it while the healthy slaves take every
 * change; once the table exists, Lambda's retry (here: the stream read again) converges all three.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { loadHandler } from '../../harness/bundle';
import { LOCAL_CREDENTIALS } from '../../harness/dynamodbLocal';
import type { StreamHandler } from '../../harness/lambdaFunction';
import { drainStream } from '../../harness/lambdaPoller';
import { TEMPLATE_RESPONSE_TYPES } from '../../harness/replicator';
import { compareTables, createMasterTable, createTable, localClient, uniqueTableName } from '../../harness/tables';

const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT ?? '';
const masterRegion = 'us-east-1';
const slaveRegions = ['eu-west-1', 'ap-southeast-2', 'us-west-2'] as const;

/** Every message a handler failure carries: the thrown error's and each record error's of a full-batch failure. */
function messagesOf(error: unknown): string[] {
  const { message, recordErrors } = error as { message?: string; recordErrors?: unknown[] };
  return [message ?? '', ...(recordErrors ?? []).flatMap((inner) => messagesOf(inner))];
}

async function makeChanges(client: DynamoDBClient, table: string): Promise<void> {
  for (let round = 0; round < 3; round += 1) {
    for (let i = 0; i < 20; i += 1) {
      const pk = { S: `item-${i}` };
      if ((i + round) % 7 === 0) {
        await client.send(new DeleteItemCommand({ TableName: table, Key: { pk } }));
      } else {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: { pk, round: { N: String(round) }, blob: { B: Buffer.from([i, round, 0, 255]) } },
          }),
        );
      }
    }
  }
}

describe('several slaves from one function (SLAVES)', () => {
  it('keeps three slaves in three regions equal to the master, and converges a slave whose table was missing', async () => {
    // Prepare: a master with a stream and three slave names, the third table not created yet.
    const master = localClient(endpoint, masterRegion);
    const slaves = slaveRegions.map((region) => ({
      region,
      table: uniqueTableName('fanout-slave'),
      client: localClient(endpoint, region),
    }));
    const masterTable = await createMasterTable(master, { name: uniqueTableName('fanout-master') });
    await createTable(slaves[0].client, { name: slaves[0].table });
    await createTable(slaves[1].client, { name: slaves[1].table });
    const handler = loadHandler({
      SLAVES: slaves.map(({ region, table }) => `${region}/${table}`).join(','),
      SLAVE_REGION: undefined,
      SLAVE_TABLE: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_REGION: masterRegion,
      // As the template deploys it: the partial answers name each failed record's slave.
      REPORT_BATCH_ITEM_FAILURES: 'true',
      POWERTOOLS_LOG_LEVEL: 'CRITICAL',
      // One EMF line per batch and slave: noise in the test output (the metrics have tests of their own).
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    const failureMessages: string[] = [];
    const observed: StreamHandler = async (event, context) => {
      try {
        const response = (await handler(event, context)) as { batchItemFailures: unknown[] };
        if (response.batchItemFailures.length > 0) failureMessages.push('partial failure');
        return response;
      } catch (error) {
        failureMessages.push(...messagesOf(error));
        throw error;
      }
    };
    await makeChanges(master, masterTable.name);

    // Act: replicate with the third slave missing (Lambda gives the batch up after one retry), create it, replicate
    // again from the start of the stream as Lambda's retry of the same records would.
    const firstPass = await drainStream({
      ...TEMPLATE_RESPONSE_TYPES,
      endpoint,
      region: masterRegion,
      streamArn: masterTable.streamArn,
      handler: observed,
      maximumRetryAttempts: 1,
    });
    const healthyAfterFirstPass = await Promise.all(
      slaves.slice(0, 2).map((slave) => compareTables({ client: master, table: masterTable.name }, slave)),
    );
    await createTable(slaves[2].client, { name: slaves[2].table });
    const secondPass = await drainStream({
      ...TEMPLATE_RESPONSE_TYPES,
      endpoint,
      region: masterRegion,
      streamArn: masterTable.streamArn,
      handler: observed,
    });
    const allAfterSecondPass = await Promise.all(
      slaves.map((slave) => compareTables({ client: master, table: masterTable.name }, slave)),
    );

    // Assess
    expect(firstPass.invocationErrors).toBeGreaterThan(0);
    const missingSlave = `${slaves[2].region}/${slaves[2].table}`;
    const recordMessages = failureMessages.filter((message) => message.startsWith('slave '));
    expect(recordMessages.length).toBeGreaterThan(0);
    for (const message of recordMessages) {
      expect(message).toContain(missingSlave);
      expect(message).toContain('not found');
    }
    expect(healthyAfterFirstPass.map((comparison) => comparison.equal)).toEqual([true, true]);
    expect(healthyAfterFirstPass[0].sourceCount).toBeGreaterThan(0);
    expect(secondPass.invocationErrors).toBe(0);
    expect(secondPass.failuresReported).toBe(0);
    expect(allAfterSecondPass.map((comparison) => comparison.equal)).toEqual([true, true, true]);
  });
});
