/**
 * `dynamo-replicator zip`: its command line, the copy of the packaged zip (never over an existing file without
 * --force), the SHA-256 it prints, and the console settings it prints held to deploy/template.json's function.
 * The packed package's `npx dynamo-replicator zip` end to end: test/integration/library.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ToolError, UsageError } from '../../../src/cli/errors';
import { parseCommandLine } from '../../../src/cli/options';
import { CONSOLE_SETTINGS, formatZip, writeZip } from '../../../src/cli/zip/zip';
import { thrownBy } from '../../helpers/thrown';

const env = { isTTY: false, cpus: 2, cwd: '/work', writeProgress: (): void => undefined };

let dir: string;
let source: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'zip-command-'));
  source = join(dir, 'packaged.zip');
  writeFileSync(source, Buffer.from('PK\u0003\u0004 a zip of the function'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('zip: the command line', () => {
  test('writes ./dynamo-replicator.zip by default, and takes --out, --force and --json', () => {
    // Act
    const plain = parseCommandLine(['zip'], env);
    const given = parseCommandLine(['zip', '--out', 'build/fn.zip', '--force', '--json'], env);

    // Assess
    expect(plain).toEqual({ command: 'zip', json: false, config: { out: 'dynamo-replicator.zip', force: false } });
    expect(given).toEqual({ command: 'zip', json: true, config: { out: 'build/fn.zip', force: true } });
  });

  test('a positional argument or an empty --out is a usage error that names --out', () => {
    // Act
    const errors = [
      thrownBy(() => parseCommandLine(['zip', 'fn.zip'], env)),
      thrownBy(() => parseCommandLine(['zip', '--out', ''], env)),
    ];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toContain('--out');
    }
  });
});

describe('zip: the file', () => {
  test('copies the packaged zip byte for byte and reports its size and SHA-256', () => {
    // Act
    const summary = writeZip({ out: 'out.zip', force: false }, dir, source);

    // Assess
    const bytes = readFileSync(source);
    expect(readFileSync(join(dir, 'out.zip')).equals(bytes)).toBe(true);
    expect(summary).toMatchObject({
      command: 'zip',
      file: join(dir, 'out.zip'),
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });

  test('an existing file is kept and named, with --force as the way to replace it; --force replaces it', () => {
    // Prepare
    const out = join(dir, 'out.zip');
    writeFileSync(out, 'the user’s own file');

    // Act
    const refused = thrownBy(() => writeZip({ out: 'out.zip', force: false }, dir, source));
    const kept = readFileSync(out, 'utf8');
    writeZip({ out: 'out.zip', force: true }, dir, source);

    // Assess
    expect(refused).toBeInstanceOf(ToolError);
    expect(refused.message).toBe(`${out} exists; give --force to replace it, or --out to write another file`);
    expect(kept).toBe('the user’s own file');
    expect(readFileSync(out).equals(readFileSync(source))).toBe(true);
  });

  test('a folder as --out is refused even with --force; a missing packaged zip says to build', () => {
    // Prepare
    mkdirSync(join(dir, 'folder'));

    // Act
    const folder = thrownBy(() => writeZip({ out: 'folder', force: true }, dir, source));
    const missing = thrownBy(() => writeZip({ out: 'out.zip', force: false }, dir, join(dir, 'absent.zip')));

    // Assess
    expect(folder.message).toContain('is a folder; give --out a file name');
    expect(missing.message).toContain('npm run build');
  });
});

describe('zip: what it prints', () => {
  test("the runtime and handler are deploy/template.json's function's, with the README's environment variables", () => {
    // Prepare
    const template = JSON.parse(readFileSync(join(__dirname, '../../../deploy/template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Runtime?: string; Handler?: string } }>;
    };
    const [fn] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

    // Act
    const text = formatZip(writeZip({ out: 'out.zip', force: false }, dir, source));

    // Assess
    expect({ runtime: CONSOLE_SETTINGS.runtime, handler: CONSOLE_SETTINGS.handler }).toEqual({
      runtime: fn?.Properties.Runtime,
      handler: fn?.Properties.Handler,
    });
    for (const name of Object.keys(CONSOLE_SETTINGS.environment)) {
      expect(readme).toContain(`\`${name}\``);
      expect(text).toContain(`${name}=`);
    }
    expect(text).toContain(`handler      index.handler`);
  });
});
