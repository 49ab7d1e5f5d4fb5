import { ToolError } from '../../../src/cli/errors';
import { replicaShape } from '../../../src/cli/table/replica';
import type { TableInfo } from '../../../src/cli/table/tableInfo';
import { HookError, type ReplicaHooks } from '../../../src/shared/hooks';
import type { Item } from '../../../src/shared/item';

const master: TableInfo = {
  ref: { region: 'us-east-1', table: 'Orders' },
  keySchema: { partitionKey: { name: 'pk', type: 'S' }, sortKey: { name: 'sk', type: 'N' } },
  itemCount: 0,
  status: 'ACTIVE',
};

const item = (pk: string, tenant: string): Item => ({
  pk: { S: pk },
  sk: { N: '1' },
  tenant: { S: tenant },
  ssn: { S: '000' },
});

describe('replicaShape', () => {
  it('without hooks expects the master item as it is and copies every item of a page', () => {
    const shape = replicaShape({}, master);
    expect(shape.filters).toBe(false);
    expect(shape.expected(item('a', 'x'))).toEqual(item('a', 'x'));
    expect(shape.expected(undefined)).toBeUndefined();
    expect(shape.shapePage([item('a', 'x'), item('b', 'y')])).toEqual({
      put: [item('a', 'x'), item('b', 'y')],
      skipped: 0,
      failed: [],
    });
  });

  it('runs the hooks before dropping the excluded attributes, so a filter may read an excluded one', () => {
    // Arrange
    const hooks: ReplicaHooks = { filter: (candidate) => candidate.tenant?.S === 'a' };

    // Act
    const shape = replicaShape({ hooks, excludeAttributes: ['tenant', 'ssn'] }, master);

    // Assess
    expect(shape.filters).toBe(true);
    expect(shape.expected(item('1', 'a'))).toEqual({ pk: { S: '1' }, sk: { N: '1' } });
    expect(shape.expected(item('2', 'b'))).toBeUndefined();
  });

  it('shapes a page item by item: kept, skipped, and failed with a HookError naming the key', () => {
    // Arrange
    const shape = replicaShape(
      {
        hooks: {
          filter: (candidate) => candidate.tenant?.S !== 'b',
          transform: (candidate) => {
            if (candidate.pk?.S === 'bad') throw new Error('boom');
            return candidate;
          },
        },
      },
      master,
    );

    // Act
    const page = shape.shapePage([item('ok', 'a'), item('out', 'b'), item('bad', 'a')]);

    // Assess
    expect(page.put).toEqual([item('ok', 'a')]);
    expect(page.skipped).toBe(1);
    expect(page.failed).toHaveLength(1);
    expect(page.failed[0]?.error).toBeInstanceOf(HookError);
    expect(String(page.failed[0]?.error)).toContain('transform threw for the item pk="bad", sk=1: boom');
  });

  it('refuses an excluded key attribute, naming it, the table and the fix', () => {
    const attempt = (): unknown => replicaShape({ excludeAttributes: ['ssn', 'sk'] }, master);
    expect(attempt).toThrow(ToolError);
    expect(attempt).toThrow(
      '--exclude-attributes names the key attribute(s) sk of the master us-east-1/Orders (key: pk (S) + sk (N))',
    );
    expect(attempt).toThrow('remove sk from --exclude-attributes');
  });
});
