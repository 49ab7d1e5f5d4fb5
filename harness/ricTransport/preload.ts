/**
 * Loaded with `node --require` into every local Lambda container that runs the JavaScript transport (and, through
 * the inherited `execArgv`, into the 4.x client's worker threads): when the runtime interface client requires its
 * native `./rapid-client.node`, it gets the bundle of harness/ricTransport/rapidClient3 or 4 instead. Nothing else is
 * resolved differently and nothing is added to the environment, so the handler sees the process Lambda gives it.
 * `module.registerHooks` is Node's synchronous resolution hook (Node 22.15 and 23.5 on; both Lambda majors have it).
 */
import * as nodeModule from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ResolveResult {
  readonly url: string;
  readonly format?: string;
  readonly shortCircuit?: boolean;
}
type ResolveHook = (
  specifier: string,
  context: { readonly parentURL?: string },
  nextResolve: (specifier: string, context: { readonly parentURL?: string }) => ResolveResult,
) => ResolveResult;

const { registerHooks } = nodeModule as unknown as {
  registerHooks?: (hooks: { resolve: ResolveHook }) => unknown;
};
if (registerHooks === undefined) {
  throw new Error(
    `the local Lambda's JavaScript transport needs module.registerHooks (Node 22.15 or later), not ${process.version}`,
  );
}
/** The transport module of the client that `parentURL` belongs to (3.x's bundle is under `dist/`, 4.x's is not). */
function transportFor(parentURL: string): string {
  const line = parentURL.endsWith('/aws-lambda-ric/dist/index.mjs') ? 3 : 4;
  return pathToFileURL(join(__dirname, `rapidClient${line}.cjs`)).href;
}

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === './rapid-client.node' && context.parentURL?.includes('/aws-lambda-ric/')) {
      return { url: transportFor(context.parentURL), format: 'commonjs', shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});
