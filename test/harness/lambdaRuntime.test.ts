/**
 * The local Lambda's runtimes (harness/lambdaRuntime): which Node major a run asks for, when an installed runtime
 * client counts as complete, and the message a failed build of its native client gives (it must name what is missing).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureRic, installedRic, LambdaRuntimeError, lambdaNodeMajor, RIC_VERSION } from '../../harness/lambdaRuntime';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'lambda-runtime-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes an installed aws-lambda-ric of `version` under `root`'s .cache, with or without its native client. */
function fakeInstall(version: string, withNativeClient: boolean): string {
  const dir = join(root, '.cache', 'aws-lambda-ric', 'node_modules', 'aws-lambda-ric');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'aws-lambda-ric', version }));
  writeFileSync(join(dir, 'index.mjs'), '');
  if (withNativeClient) writeFileSync(join(dir, 'rapid-client.node'), '');
  return join(dir, 'index.mjs');
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

describe('the installed runtime client', () => {
  test('counts only when it is the pinned version and has its native client', () => {
    // Prepare, Act, Assess: nothing, another version, no native client, then the complete one.
    expect(installedRic(root)).toBeUndefined();
    fakeInstall('4.0.1', true);
    expect(installedRic(root)).toBeUndefined();
    fakeInstall(RIC_VERSION, false);
    expect(installedRic(root)).toBeUndefined();
    const bootstrap = fakeInstall(RIC_VERSION, true);
    expect(installedRic(root)).toBe(bootstrap);
  });

  test('a build without its tools is not tried: the error names the missing ones and how to install them', () => {
    // Prepare: a PATH with none of npm, cmake, make, g++.
    const path = process.env.PATH;
    process.env.PATH = join(root, 'empty-bin');
    try {
      // Act
      const thrown = (() => {
        try {
          ensureRic(root);
          return undefined;
        } catch (error) {
          return error;
        }
      })();

      // Assess
      expect(thrown).toBeInstanceOf(LambdaRuntimeError);
      expect((thrown as Error).message).toMatch(
        new RegExp(
          `^cannot build aws-lambda-ric@${RIC_VERSION}'s native client \\(rapid-client\\.node\\): npm, cmake, make, g\\+\\+, tar, xz not on the PATH`,
        ),
      );
      expect((thrown as Error).message).toContain('apt-get install cmake make g++ xz-utils');
      expect(installedRic(root)).toBeUndefined();
    } finally {
      process.env.PATH = path;
    }
  });
});
