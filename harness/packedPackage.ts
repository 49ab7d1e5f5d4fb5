/**
 * The package as users install it: `npm pack` of the project (what the registry would serve), installed into an
 * empty folder beside other packed packages, without the network.
 *
 * `npm install --offline` of a tarball alone cannot work on a machine whose npm cache was filled by `npm ci`: npm
 * resolves the tarball's dependency ranges from registry metadata, which `npm ci` never fetches (it installs from the
 * lockfile's versions and integrities). So the folder gets a lockfile too, made from the project's own: the packed
 * packages from their tarballs, and every runtime (non-dev) entry of the project's lockfile, whose tarballs `npm ci`
 * left in the cache. Then `npm install --offline` only unpacks. Should that fail (an older cache, a changed layout),
 * the install is tried again with `--prefer-offline`, which may ask the registry for what the cache lacks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { projectRoot } from './bundle';

/** `npm`, as the machine spells it. */
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** A lockfile entry, as npm writes it. */
type LockEntry = Record<string, unknown> & { dev?: boolean };

/** One packed package. */
export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.tgz`. */
  readonly tarball: string;
}

function npm(args: readonly string[], cwd: string): string {
  return execFileSync(NPM, [...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/**
 * `npm pack` of the folder `packageDir` (by default the project, which must be built first: `npm run build`) into
 * `destination`; returns the tarball. Lifecycle scripts are not run: a `prepack` that rebuilt dist/ would change the
 * files other tests are running while this one packs them.
 */
export function packPackage(destination: string, packageDir: string = projectRoot()): PackedPackage {
  mkdirSync(destination, { recursive: true });
  const output = npm(['pack', '--json', '--ignore-scripts', '--pack-destination', destination], packageDir);
  const json = output.slice(output.indexOf('['));
  const [packed] = JSON.parse(json) as Array<{ name: string; version: string; filename: string }>;
  if (!packed) throw new Error(`npm pack printed no package: ${output}`);
  return { name: packed.name, version: packed.version, tarball: join(destination, basename(packed.filename)) };
}

/** `npm pack` of a package installed in the project's node_modules (e.g. `es6-promise`), into `destination`. */
export function packInstalledDependency(name: string, destination: string): PackedPackage {
  return packPackage(destination, join(projectRoot(), 'node_modules', name));
}

/** The project's lockfile entries that a user's install of the packed project needs: the non-dev ones. */
function runtimeLockEntries(): Record<string, LockEntry> {
  const lock = JSON.parse(readFileSync(join(projectRoot(), 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, LockEntry>;
  };
  return Object.fromEntries(
    Object.entries(lock.packages ?? {}).filter(([path, entry]) => path.startsWith('node_modules/') && !entry.dev),
  );
}

/** The lockfile entry of a packed package, read from its own package.json (copied into the folder as `file:`). */
function tarballLockEntry(folder: string, packed: PackedPackage, file: string): LockEntry {
  const listed = execFileSync('tar', ['-xzOf', packed.tarball, 'package/package.json'], { cwd: folder }).toString();
  const manifest = JSON.parse(listed) as Record<string, unknown>;
  const entry: LockEntry = { version: packed.version, resolved: `file:${file}` };
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin', 'engines', 'license']) {
    if (manifest[field] !== undefined) entry[field] = manifest[field];
  }
  return entry;
}

/** How {@link installPackages} installed: offline, or with the fallback that may use the registry. */
export interface Installation {
  readonly folder: string;
  readonly mode: 'offline' | 'prefer-offline';
}

/**
 * Makes `folder` an application that depends on these packed packages (copied into it as `file:` tarballs) and
 * installs them with `npm install --offline`, falling back to `--prefer-offline`. Afterwards
 * `require('<name>')` from a module in `folder` loads the installed package.
 */
export function installPackages(folder: string, packages: readonly PackedPackage[]): Installation {
  mkdirSync(folder, { recursive: true });
  const files = packages.map((packed) => {
    const file = basename(packed.tarball);
    writeFileSync(join(folder, file), readFileSync(packed.tarball));
    return file;
  });
  const dependencies = Object.fromEntries(packages.map((packed, index) => [packed.name, `file:${files[index]}`]));
  const manifest = { name: 'lambda-task', version: '1.0.0', private: true, dependencies };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const packed = Object.fromEntries(
    packages.map((entry, index) => [`node_modules/${entry.name}`, tarballLockEntry(folder, entry, files[index] ?? '')]),
  );
  const lock = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': manifest, ...runtimeLockEntries(), ...packed },
  };
  writeFileSync(join(folder, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
  try {
    npm(['install', '--offline', '--no-audit', '--no-fund'], folder);
    return { folder, mode: 'offline' };
  } catch (offline) {
    try {
      npm(['install', '--prefer-offline', '--no-audit', '--no-fund'], folder);
      return { folder, mode: 'prefer-offline' };
    } catch (online) {
      throw new Error(`npm install of ${files.join(', ')} in ${folder} failed offline and online`, {
        cause: [offline, online],
      });
    }
  }
}

/**
 * The packages `pack()` returns, installed into `folder` once for every caller that asks for that folder, across
 * processes (the test files of one Jest run, in different workers): the first caller packs and installs under a lock
 * directory beside the folder, the others wait for it and share the installation. A caller whose installer failed
 * (the lock is gone, the folder not marked installed) tries again itself. The folder is the caller's to remove.
 */
export async function installPackagesOnce(folder: string, pack: () => PackedPackage[]): Promise<Installation> {
  const installed = join(folder, '.installation.json');
  const lock = `${folder}.lock`;
  for (;;) {
    if (existsSync(installed)) return JSON.parse(readFileSync(installed, 'utf8')) as Installation;
    try {
      mkdirSync(lock);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200)); // another caller is installing
      continue;
    }
    try {
      const installation = installPackages(folder, pack());
      writeFileSync(installed, JSON.stringify(installation));
      return installation;
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
