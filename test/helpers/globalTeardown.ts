/** Jest global teardown: stops the DynamoDB Local that the global setup started. */
import type { DynamoDBLocal } from '../../harness/dynamodbLocal';

export default async function globalTeardown(): Promise<void> {
  const local = (globalThis as { __dynamodbLocal__?: DynamoDBLocal }).__dynamodbLocal__;
  if (local) {
    await local.stop();
  } else if (process.env.DYNAMODB_LOCAL_PID) {
    try {
      process.kill(Number(process.env.DYNAMODB_LOCAL_PID), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
