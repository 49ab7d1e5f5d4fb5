/**
 * Local Lambda functions (the zip under the official runtime client, harness/localLambda) for the tests of one file:
 * each is closed after the test that made it, so no container outlives its test, also when the test fails.
 */
import type { LocalLambda } from '../../harness/localLambda';
import { type LambdaSettings, localReplicator, type ReplicatorOptions } from '../../harness/replicator';

/** A maker of local replicator functions, closed after each test (call at the top of a test file). */
export function useLocalReplicators(): (options: ReplicatorOptions, settings?: LambdaSettings) => LocalLambda {
  const open: LocalLambda[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((lambda) => lambda.close()));
  });
  return (options, settings) => {
    const lambda = localReplicator(options, settings);
    open.push(lambda);
    return lambda;
  };
}
