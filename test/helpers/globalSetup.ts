/**
 * Jest global setup of the `integration` project (jest.config.js; the unit and contract tests need none of it): a
 * current build, the local Lambda's runtimes, and one DynamoDB Local for the whole run.
 *
 * The integration tests run the BUILT bundle (dist/), so a `jest` run without `npm run build` first would test
 * yesterday's code: when dist/ is older than any source (or missing), it is rebuilt here (esbuild, about a second).
 * The DynamoDB Local endpoint reaches the test workers through `DYNAMODB_LOCAL_ENDPOINT`; its PID is kept for the
 * teardown, which stops it even when tests fail. The integration tests run the zip under Lambda's runtime clients on
 * Node 22 and 24 (harness/lambdaRuntime: 3.x for nodejs22.x on-demand, 4.x for Managed Instances and nodejs24.x):
 * both Nodes and both clients' JavaScript are fetched into .cache/ once, here, so that a fresh clone's `npm test`
 * needs nothing else (nothing is compiled; LAMBDA_RIC_NATIVE=1 builds and runs the clients' native transport).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, staleBuildReason } from '../../harness/bundle';
import { startDynamoDBLocal } from '../../harness/dynamodbLocal';
import { ensureLambdaRuntime, LAMBDA_NODE_MAJORS } from '../../harness/lambdaRuntime';

export default async function globalSetup(): Promise<void> {
  // The SDK's notice that Node 20 support ends, printed once per SDK copy loaded in each worker: noise in the
  // test output (the workers inherit this environment; the local Lambda's containers get only Lambda's).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const root = projectRoot();
  const stale = staleBuildReason(root);
  if (stale !== undefined) {
    process.stderr.write(`\nrebuilding dist/ (${stale})\n`);
    execFileSync(process.execPath, [join('scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    const still = staleBuildReason(root);
    if (still !== undefined) throw new Error(`dist/ is still out of date after node scripts/build.mjs: ${still}`);
  }
  for (const major of LAMBDA_NODE_MAJORS) {
    for (const managedInstances of [false, true]) ensureLambdaRuntime(major, managedInstances, root);
  }
  // The packed package, installed once for the suites that run it as users install it (test/integration/packedTask).
  process.env.PACKED_PACKAGE_DIR = mkdtempSync(join(tmpdir(), 'dynamo-replicator-packed-'));
  const local = await startDynamoDBLocal();
  process.env.DYNAMODB_LOCAL_ENDPOINT = local.endpoint;
  process.env.DYNAMODB_LOCAL_PID = String(local.pid);
  (globalThis as { __dynamodbLocal__?: typeof local }).__dynamodbLocal__ = local;
}
