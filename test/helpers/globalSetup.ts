/**
 * Jest global setup: one DynamoDB Local for the whole run. Its endpoint reaches the test workers through
 * `DYNAMODB_LOCAL_ENDPOINT`; its PID is kept for the teardown, which stops it even when tests fail.
 */
import { startDynamoDBLocal } from '../../harness/dynamodbLocal';

export default async function globalSetup(): Promise<void> {
  const local = await startDynamoDBLocal();
  process.env.DYNAMODB_LOCAL_ENDPOINT = local.endpoint;
  process.env.DYNAMODB_LOCAL_PID = String(local.pid);
  (globalThis as { __dynamodbLocal__?: typeof local }).__dynamodbLocal__ = local;
}
