/**
 * Condition expressions that make the tools' writes safe next to a live replicator.
 *
 * - `absentCondition`: write only where the slave lacks the item, so a copy never replaces what the stream wrote.
 * - `unchangedCondition`: write (or delete) only if the slave's item still is the snapshot we based the decision
 *   on — a compare-and-set by value. If the stream changed the item meanwhile, the condition fails and the stream's
 *   newer version stays. DynamoDB's `=` compares by value (numbers as numbers, sets without order, maps deeply).
 */
import type { Item } from '../../shared/item';

/** The condition part of a PutItem/DeleteItem request. */
export interface Condition {
  readonly ConditionExpression: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues?: Item;
}

/** DynamoDB's limit on the length of an expression. */
const MAX_EXPRESSION_LENGTH = 4096;

/** True where the table has no item with this key yet. */
export function absentCondition(partitionKeyName: string): Condition {
  return { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': partitionKeyName } };
}

/**
 * True while the item still equals `snapshot` and lacks each of `absentNames` (attributes a newer version might have
 * added). Key attributes come first; when an item has so many attributes that the full comparison would exceed
 * DynamoDB's 4 KB expression limit, the comparison stops at the limit — a weaker but still value-based guard.
 */
export function unchangedCondition(
  snapshot: Item,
  keyNames: readonly string[],
  absentNames: readonly string[] = [],
): Condition {
  const names: Record<string, string> = {};
  const values: Item = {};
  const parts: string[] = [];
  let length = 0;
  const add = (part: string): boolean => {
    const extra = part.length + (parts.length > 0 ? 5 : 0);
    if (length + extra > MAX_EXPRESSION_LENGTH) return false;
    parts.push(part);
    length += extra;
    return true;
  };
  const ordered = [...keyNames, ...Object.keys(snapshot).filter((name) => !keyNames.includes(name))];
  for (const name of ordered) {
    const value = snapshot[name];
    if (value === undefined) continue;
    const index = parts.length;
    if (!add(`#a${index} = :v${index}`)) break;
    names[`#a${index}`] = name;
    values[`:v${index}`] = value;
  }
  for (const name of absentNames) {
    if (snapshot[name] !== undefined) continue;
    const index = parts.length;
    if (!add(`attribute_not_exists(#a${index})`)) break;
    names[`#a${index}`] = name;
  }
  return {
    ConditionExpression: parts.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
