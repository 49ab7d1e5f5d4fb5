import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, newState, saveState } from '../../../src/cli/backfill/stateFile';
import { ToolError } from '../../../src/cli/errors';

const identity = { master: 'us-east-1/Orders', slave: 'eu-west-1/Copy', totalSegments: 4 };

describe('backfill state file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'backfill-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips binary and numeric last keys per segment, as bytes and exact text', () => {
    const path = join(dir, 'state.json');
    const state = newState(identity, [0, 1, 2]);
    Object.assign(state.segments.get(0) ?? {}, {
      lastKey: { pk: { B: new Uint8Array([0, 255, 16]) }, sk: { N: '1.50' } },
      scanned: 10,
      written: 7,
      present: 3,
    });
    Object.assign(state.segments.get(1) ?? {}, { done: true, scanned: 5, written: 5 });
    saveState(path, state);

    const loaded = loadState(path, identity, [0, 1, 2, 3]);

    const zero = loaded?.segments.get(0);
    expect(Buffer.from(zero?.lastKey?.pk?.B ?? new Uint8Array()).toString('hex')).toBe('00ff10');
    expect(zero?.lastKey?.sk).toEqual({ N: '1.50' });
    expect(zero).toMatchObject({ done: false, scanned: 10, written: 7, present: 3 });
    expect(loaded?.segments.get(1)).toMatchObject({ done: true, scanned: 5 });
    expect(loaded?.segments.get(3)).toMatchObject({ done: false, scanned: 0 });
    expect(loaded?.segments.get(3)?.lastKey).toBeUndefined();
  });

  it('returns nothing when there is no file yet', () => {
    expect(loadState(join(dir, 'absent.json'), identity, [0])).toBeUndefined();
  });

  it('refuses a file written for other tables or another segment count', () => {
    const path = join(dir, 'state.json');
    saveState(path, newState(identity, [0]));
    expect(() => loadState(path, { ...identity, totalSegments: 8 }, [0])).toThrow(ToolError);
    expect(() => loadState(path, { ...identity, slave: 'eu-west-1/Other' }, [0])).toThrow('belongs to another run');
  });

  it('refuses a file that is not JSON', () => {
    const path = join(dir, 'state.json');
    writeFileSync(path, '{ half');
    expect(() => loadState(path, identity, [0])).toThrow('is not readable JSON');
  });

  it('leaves no temporary file behind after saving', () => {
    const path = join(dir, 'state.json');
    saveState(path, newState(identity, [0]));
    expect(JSON.parse(readFileSync(path, 'utf8')).format).toBe('dynamo-replicator/backfill-state@1');
    expect(readdirSync(dir)).toEqual(['state.json']);
  });
});
