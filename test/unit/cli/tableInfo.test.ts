import { keySchemaMismatch, type TableInfo } from '../../../src/cli/table/tableInfo';

describe('keySchemaMismatch', () => {
  const info = (table: string, sortKey?: { name: string; type: 'S' | 'N' | 'B' }): TableInfo => ({
    ref: { region: 'r-1', table },
    keySchema: sortKey
      ? { partitionKey: { name: 'pk', type: 'S' }, sortKey }
      : { partitionKey: { name: 'pk', type: 'S' } },
    itemCount: 0,
    status: 'ACTIVE',
  });

  it('accepts equal schemas and names both when they differ in a sort key or its type', () => {
    expect(
      keySchemaMismatch(info('m', { name: 'sk', type: 'N' }), info('s', { name: 'sk', type: 'N' })),
    ).toBeUndefined();
    expect(keySchemaMismatch(info('m', { name: 'sk', type: 'N' }), info('s', { name: 'sk', type: 'S' }))).toContain(
      'master r-1/m has pk (S) + sk (N), slave r-1/s has pk (S) + sk (S)',
    );
    expect(keySchemaMismatch(info('m'), info('s', { name: 'sk', type: 'S' }))).toContain('key schemas differ');
  });
});
