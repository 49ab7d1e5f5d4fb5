/**
 * The local Lambda's runtimes (harness/lambdaRuntime): which Node major a run asks for, which runtime client each
 * runtime and mode runs, which transport `LAMBDA_RIC_NATIVE` selects, when an installed runtime client counts as
 * complete, and the message an opt-in build of its native client gives without its tools (it must name them).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ensureRic,
  installedRic,
  LambdaRuntimeError,
  lambdaNodeMajor,
  RIC_RELEASES,
  type RicLine,
  type RicTransport,
  ricLineFor,
  ricTransport,
} from '../../harness/lambdaRuntime';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lambda-runtime-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/**
 * Writes, in the folder of `line`'s client for `transport` under `root`'s .cache, an installed aws-lambda-ric of
 * `version` with or without its native client (at the path that line's release builds it to).
 */
function fakeInstall(line: RicLine, transport: RicTransport, version: string, withNativeClient: boolean): string {
  const release = RIC_RELEASES[line];
  const folder = `aws-lambda-ric-${release.version}${transport === 'native' ? '-native' : ''}`;
  const dir = join(root, '.cache', folder, 'node_modules', 'aws-lambda-ric');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'aws-lambda-ric', version }));
  writeFileSync(join(dir, release.bootstrap), '');
  if (withNativeClient) writeFileSync(join(dir, release.nativeClient), '');
  return join(dir, release.bootstrap);
}

describe('LAMBDA_NODE_MAJOR', () => {
  test.each([
    [undefined, 22],
    ['', 22],
    ['22', 22],
    ['24', 24],
  ])('%p selects Node %i', (value, major) => {
    expect(lambdaNodeMajor(value)).toBe(major);
  });

  test('a major Lambda has no runtime for is refused, naming the ones it has', () => {
    expect(() => lambdaNodeMajor('20')).toThrow(
      new LambdaRuntimeError('LAMBDA_NODE_MAJOR=20 is not a Lambda runtime here: use 22 or 24'),
    );
  });
});

describe('the runtime client of each runtime and mode', () => {
  test.each([
    [22, false, 3],
    [22, true, 4],
    [24, false, 4],
    [24, true, 4],
  ] as const)('Node %i with Managed Instances %p runs the %i.x client', (major, managedInstances, line) => {
    expect(ricLineFor(major, managedInstances)).toBe(line);
  });
});

describe('the transport', () => {
  test.each([
    [undefined, 'javascript'],
    ['', 'javascript'],
    ['0', 'javascript'],
    ['1', 'native'],
  ] as const)('LAMBDA_RIC_NATIVE=%p selects the %s transport', (value, transport) => {
    expect(ricTransport(value)).toBe(transport);
  });
});

describe('the installed runtime client', () => {
  test.each([3, 4] as const)(
    'the %i.x client unpacked for the JavaScript transport counts when it is the pinned version, native client or not',
    (line) => {
      // Prepare, Act, Assess: nothing, another version, then the pinned one without a native client.
      const { version } = RIC_RELEASES[line];
      expect(installedRic(line, root)).toBeUndefined();
      fakeInstall(line, 'javascript', `${version}-other`, false);
      expect(installedRic(line, root)).toBeUndefined();
      const bootstrap = fakeInstall(line, 'javascript', version, false);
      expect(installedRic(line, root)).toBe(bootstrap);
      // Assess: each line and transport has its own folder, so the others are still missing.
      expect(installedRic(line === 3 ? 4 : 3, root)).toBeUndefined();
      expect(installedRic(line, root, 'native')).toBeUndefined();
    },
  );

  test.each([3, 4] as const)(
    'the %i.x client built for the native transport counts only when it is the pinned version and has its native client',
    (line) => {
      // Prepare, Act, Assess: nothing, another version, no native client, then the complete one.
      const { version } = RIC_RELEASES[line];
      expect(installedRic(line, root, 'native')).toBeUndefined();
      fakeInstall(line, 'native', `${version}-other`, true);
      expect(installedRic(line, root, 'native')).toBeUndefined();
      fakeInstall(line, 'native', version, false);
      expect(installedRic(line, root, 'native')).toBeUndefined();
      const bootstrap = fakeInstall(line, 'native', version, true);
      expect(installedRic(line, root, 'native')).toBe(bootstrap);
    },
  );

  test.each([
    [4, 'npm, cmake, make, g\\+\\+, tar, xz', 'apt-get install cmake make g++ xz-utils'],
    [
      3,
      'npm, cmake, make, g\\+\\+, tar, autoreconf, automake, libtoolize',
      'apt-get install cmake make g++ autoconf automake libtool',
    ],
  ] as const)(
    'an opt-in native build of the %i.x client without its tools is not tried: the error names them and how to install them',
    (line, tools, install) => {
      // Prepare: a PATH with none of npm, cmake, make, g++.
      const path = process.env.PATH;
      process.env.PATH = join(root, 'empty-bin');
      try {
        // Act
        const thrown = (() => {
          try {
            ensureRic(line, root, 'native');
            return undefined;
          } catch (error) {
            return error;
          }
        })();

        // Assess
        expect(thrown).toBeInstanceOf(LambdaRuntimeError);
        expect((thrown as Error).message).toMatch(
          new RegExp(
            `^cannot build aws-lambda-ric@${RIC_RELEASES[line].version}'s native client \\(rapid-client\\.node\\): ${tools} not on the PATH`,
          ),
        );
        expect((thrown as Error).message).toContain(install);
        expect(installedRic(line, root, 'native')).toBeUndefined();
      } finally {
        process.env.PATH = path;
      }
    },
  );
});
