/**
 * `node scripts/run.mjs scripts/lambda-runtime.ts [22] [24]`: prepares the local Lambda's runtimes (Node 22 and/or 24,
 * the runtime interface clients each runs and their transport, fetched into .cache/ by harness/lambdaRuntime) and
 * prints one line per runtime and mode, e.g. `nodejs22.x on-demand: Node v22.23.5, aws-lambda-ric 3.3.0 (JavaScript
 * transport)`. CI runs it before the tests, so an unreachable registry fails there with the message that says so;
 * jest's global setup and `npm start` prepare the same on their own. With LAMBDA_RIC_NATIVE=1 it builds the clients'
 * native transport instead (a C toolchain, and autotools for 3.x).
 */
import { runScript } from '../harness/cleanup';
import { ensureLambdaRuntime, LAMBDA_NODE_MAJORS, lambdaNodeMajor } from '../harness/lambdaRuntime';

async function main(): Promise<boolean> {
  const asked = process.argv.slice(2);
  const majors = asked.length > 0 ? asked.map((value) => lambdaNodeMajor(value)) : [...LAMBDA_NODE_MAJORS];
  for (const major of majors) {
    for (const managedInstances of [false, true]) {
      const started = Date.now();
      const runtime = ensureLambdaRuntime(major, managedInstances);
      const took = ((Date.now() - started) / 1000).toFixed(1);
      const mode = managedInstances ? 'Managed Instances' : 'on-demand';
      console.log(
        `nodejs${major}.x ${mode}: Node ${runtime.nodeVersion}, aws-lambda-ric ${runtime.ricVersion} ` +
          `(${runtime.transport === 'native' ? 'native' : 'JavaScript'} transport, ready in ${took} s)`,
      );
    }
  }
  return true;
}

runScript('lambda-runtime', main);
