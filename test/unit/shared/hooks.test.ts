/**
 * The replica hooks' semantics (src/shared/hooks.ts), as the replicator and the tools share them: filter false means
 * "not on the slave", transform must keep the key byte for byte, and every failure is a HookError naming the key.
 */
import {
  applyHooks,
  chainHooks,
  excludedKeyAttributes,
  excludingAttributes,
  HookError,
} from '../../../src/shared/hooks';
import type { Item } from '../../../src/shared/item';

const ITEM: Item = { pk: { S: 'a' }, sk: { N: '1.50' }, name: { S: 'Ann' }, ssn: { S: '123' } };
const KEYS = ['pk', 'sk'];

describe('applyHooks', () => {
  test('no hooks: the item is put as it is', () => {
    // Act
    const result = applyHooks(ITEM, KEYS, {});

    // Assess
    expect(result).toEqual({ kind: 'put', item: ITEM });
  });

  test('filter true puts the item, filter false asks for its delete', () => {
    // Act
    const kept = applyHooks(ITEM, KEYS, { filter: () => true });
    const dropped = applyHooks(ITEM, KEYS, { filter: () => false });

    // Assess
    expect(kept).toEqual({ kind: 'put', item: ITEM });
    expect(dropped).toEqual({ kind: 'delete' });
  });

  test('filter and transform are given the record', () => {
    // Prepare
    const seen: unknown[] = [];

    // Act
    applyHooks(
      ITEM,
      KEYS,
      {
        filter: (_item, record) => seen.push(record) > 0,
        transform: (item, record) => {
          seen.push(record);
          return item;
        },
      },
      'the record',
    );

    // Assess
    expect(seen).toEqual(['the record', 'the record']);
  });

  test('a filter returning no boolean is a HookError naming the key', () => {
    // Act
    const act = () => applyHooks(ITEM, KEYS, { filter: () => 'yes' as unknown as boolean });

    // Assess
    expect(act).toThrow(HookError);
    expect(act).toThrow('filter returned string for the item pk="a", sk=1.50');
  });

  test('a transform changing a key attribute (even only a number’s spelling) is a HookError naming it', () => {
    // Act
    const act = () => applyHooks(ITEM, KEYS, { transform: (item) => ({ ...item, sk: { N: '1.5' } }) });

    // Assess
    expect(act).toThrow('transform changed the key attribute(s) sk of the item pk="a", sk=1.50');
  });

  test('a transform dropping a key attribute is a HookError naming it', () => {
    // Act
    const act = () => applyHooks(ITEM, KEYS, { transform: ({ pk: _pk, ...rest }) => rest });

    // Assess
    expect(act).toThrow('transform changed the key attribute(s) pk');
  });

  test('a throwing hook becomes a HookError naming the key and keeping the cause', () => {
    // Prepare
    const cause = new Error('boom');

    // Act
    let caught: unknown;
    try {
      applyHooks(ITEM, KEYS, {
        transform: () => {
          throw cause;
        },
      });
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(HookError);
    expect((caught as HookError).message).toBe('transform threw for the item pk="a", sk=1.50: boom');
    expect((caught as HookError).cause).toBe(cause);
  });

  test('a transform returning no item is a HookError', () => {
    // Act
    const act = () => applyHooks(ITEM, KEYS, { transform: () => undefined as unknown as Item });

    // Assess
    expect(act).toThrow('transform returned no item for the item pk="a", sk=1.50');
  });
});

describe('excluded attributes', () => {
  test('excludingAttributes drops the named top-level attributes and keeps the rest', () => {
    // Act
    const result = applyHooks(ITEM, KEYS, excludingAttributes(['ssn', 'absent']));

    // Assess
    expect(result).toEqual({ kind: 'put', item: { pk: { S: 'a' }, sk: { N: '1.50' }, name: { S: 'Ann' } } });
  });

  test('excludedKeyAttributes names the excluded attributes that are key attributes', () => {
    // Act
    const named = excludedKeyAttributes(['ssn', 'sk'], KEYS);

    // Assess
    expect(named).toEqual(['sk']);
  });

  test('chainHooks filters with both and transforms with the first, then the second', () => {
    // Prepare
    const hooks = chainHooks<undefined>(
      {
        filter: (item) => item.name !== undefined,
        transform: (item) => ({ ...item, ssn: { S: 'masked' }, x: { S: '1' } }),
      },
      excludingAttributes(['ssn']),
    );

    // Act
    const result = applyHooks(ITEM, KEYS, hooks);
    const dropped = applyHooks({ pk: { S: 'b' }, sk: { N: '2' } }, KEYS, hooks);

    // Assess
    expect(result).toEqual({
      kind: 'put',
      item: { pk: { S: 'a' }, sk: { N: '1.50' }, name: { S: 'Ann' }, x: { S: '1' } },
    });
    expect(dropped).toEqual({ kind: 'delete' });
  });
});
