/** Jest global teardown: stops the DynamoDB Local that the global setup started and removes its packed package. */
import { rmSync } from 'node:fs';
import type { DynamoDBLocal } from '../../harness/dynamodbLocal';

export default async function globalTeardown(): Promise<void> {
  if (process.env.PACKED_PACKAGE_DIR) rmSync(process.env.PACKED_PACKAGE_DIR, { recursive: true, force: true });
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
