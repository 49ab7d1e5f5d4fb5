/**
 * Jest-side access to the DynamoDB Local that the global setup started: its endpoint, and master/slave clients for
 * one test file (made when the file loads, destroyed after its last test). Jest-only: scripts use the other helpers.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { localClient } from '../../harness/tables';

/** The jest-wide DynamoDB Local's endpoint. */
export function localEndpoint(): string {
  const endpoint = process.env.DYNAMODB_LOCAL_ENDPOINT;
  if (!endpoint)
    throw new Error('DYNAMODB_LOCAL_ENDPOINT is not set: run through jest (its global setup starts DynamoDB Local)');
  return endpoint;
}

/** Clients of the master's and the slave's region for the tests of one file. */
export function useRegionClients(
  masterRegion: string,
  slaveRegion: string,
): { master: DynamoDBClient; slave: DynamoDBClient } {
  // The SDK's notice that Node 20 support ends, printed once per SDK copy: noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const clients = {
    master: localClient(localEndpoint(), masterRegion),
    slave: localClient(localEndpoint(), slaveRegion),
  };
  afterAll(() => {
    clients.master.destroy();
    clients.slave.destroy();
  });
  return clients;
}
