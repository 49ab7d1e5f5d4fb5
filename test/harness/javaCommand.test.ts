/**
 * `javaCommand` (harness/dynamodbLocal), checked before DynamoDB Local starts: a machine without Java, or with one
 * older than 17, gets one line saying how to install it (a PrerequisiteError, which the scripts print alone) instead
 * of a port that never answers. Checked with JAVA_HOME pointing at throw-away folders.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaCommand } from '../../harness/dynamodbLocal';
import { PrerequisiteError } from '../../harness/prerequisite';
import { thrownBy } from '../helpers/thrown';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'java-home-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** A `bin/java` under the throw-away JAVA_HOME that prints `version` as `java -version` does (on stderr). */
function fakeJava(version: string): string {
  mkdirSync(join(home, 'bin'));
  const java = join(home, 'bin', 'java');
  writeFileSync(java, `#!/bin/sh\necho 'openjdk version "${version}" 2025-04-15' >&2\n`);
  chmodSync(java, 0o755);
  return java;
}

describe('the Java DynamoDB Local runs on', () => {
  test('no java under JAVA_HOME: one line saying how to install Java 17', () => {
    // Act
    const error = thrownBy(() => javaCommand({ JAVA_HOME: home, PATH: process.env.PATH }));

    // Assess
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect(error.message).toMatch(/^DynamoDB Local needs Java, and \S+ could not run: install Java 17/);
    expect(error.message).toContain('apt-get install openjdk-17-jre-headless');
    expect(error.message).not.toContain('\n');
  });

  test('a Java older than 17 is refused, naming its version', () => {
    // Prepare
    fakeJava('11.0.22');

    // Act
    const error = thrownBy(() => javaCommand({ JAVA_HOME: home, PATH: process.env.PATH }));

    // Assess
    expect(error).toBeInstanceOf(PrerequisiteError);
    expect(error.message).toMatch(/^DynamoDB Local needs Java 17 or later, and \S+ is Java 11: install/);
  });

  test('Java 17 is the java DynamoDB Local runs', () => {
    // Prepare
    const java = fakeJava('17.0.15');

    // Act, Assess
    expect(javaCommand({ JAVA_HOME: home, PATH: process.env.PATH })).toBe(java);
  });
});
