import { absentCondition, unchangedCondition } from '../../../src/cli/table/conditions';

describe('conditions', () => {
  it('absentCondition tests the partition key through a placeholder (reserved words work)', () => {
    expect(absentCondition('name')).toEqual({
      ConditionExpression: 'attribute_not_exists(#k)',
      ExpressionAttributeNames: { '#k': 'name' },
    });
  });

  it('unchangedCondition compares every attribute of the snapshot, key first, and requires new attributes absent', () => {
    const condition = unchangedCondition({ price: { N: '1' }, pk: { S: 'a' } }, ['pk'], ['pk', 'price', 'added']);
    expect(condition.ConditionExpression).toBe('#a0 = :v0 AND #a1 = :v1 AND attribute_not_exists(#a2)');
    expect(condition.ExpressionAttributeNames).toEqual({ '#a0': 'pk', '#a1': 'price', '#a2': 'added' });
    expect(condition.ExpressionAttributeValues).toEqual({ ':v0': { S: 'a' }, ':v1': { N: '1' } });
  });

  it('unchangedCondition stays within DynamoDB 4 KB expression limit for items with very many attributes', () => {
    const snapshot = Object.fromEntries(
      Array.from({ length: 600 }, (_, index) => [`attribute${index}`, { N: String(index) }]),
    );
    const condition = unchangedCondition({ pk: { S: 'a' }, ...snapshot }, ['pk']);
    expect(condition.ConditionExpression.length).toBeLessThanOrEqual(4096);
    expect(condition.ConditionExpression.startsWith('#a0 = :v0 AND')).toBe(true);
    expect(condition.ExpressionAttributeNames['#a0']).toBe('pk');
  });
});
