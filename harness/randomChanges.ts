/**
 * Seeded random puts, updates and deletes on a master table, for the end-to-end test and the demo.
 *
 * The values reach for what a replica gets wrong: numbers of 38 significant digits and the extreme exponents
 * DynamoDB allows, string/number/binary sets, NULL, BOOL, empty strings, empty binary, empty lists and maps, deep
 * nesting, and binary at every depth (in the sort key, in maps, in lists, in sets). A few hot items take a large
 * share of the changes, so one stream batch holds many changes to the same item; deleted items come back later.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type ScalarAttributeType,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { sleep } from '../src/shared/sleep';
import { Prng } from './prng';
import { canonicalNumber, type Item } from './tables';

/** What to generate. */
export interface RandomChangeOptions {
  seed: number;
  /** Distinct items the changes pick from. */
  items: number;
  changes: number;
  /** Items that take {@link HOT_SHARE} of all changes (default 3). */
  hotItems?: number;
  /** Type of the table's sort key `sk`, as in {@link TableSpec}; none when absent. */
  sortKeyType?: ScalarAttributeType;
  /** Partition keys the items share when there is a sort key (default 7): many sort keys per partition key. */
  partitions?: number;
  /** Changes per second at most (default: as fast as the table answers), for a writer that overlaps replication. */
  writesPerSecond?: number;
  /** Called after each change, e.g. for progress output. */
  onChange?: (done: number) => void;
  /**
   * Called with each change once DynamoDB acknowledged it, in acknowledgement order (one request at a time, so that is
   * the order the master applied them): the item's key and its state after the change (`undefined`: deleted).
   */
  onCommitted?: (key: Item, state: Item | undefined) => void;
}

/** Counts of what was done; `reinserts` are writes to an item deleted earlier in the run. */
export interface ChangeSummary {
  puts: number;
  updates: number;
  deletes: number;
  reinserts: number;
}

/** Share of changes that go to the hot items. */
export const HOT_SHARE = 0.3;

/** Applies `changes` random changes to `table`, one request at a time, in a reproducible order. */
export async function applyRandomChanges(
  client: DynamoDBClient,
  table: string,
  options: RandomChangeOptions,
): Promise<ChangeSummary> {
  const rng = new Prng(options.seed);
  const hot = Math.min(options.hotItems ?? 3, options.items);
  const summary: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
  const deleted = new Set<number>();
  const started = Date.now();
  for (let done = 0; done < options.changes; done += 1) {
    if (options.writesPerSecond) await sleep(started + (1000 * done) / options.writesPerSecond - Date.now());
    const index = rng.chance(HOT_SHARE) ? rng.int(0, hot - 1) : rng.int(0, options.items - 1);
    const key = keyOf(index, options.sortKeyType, options.partitions);
    const roll = rng.next();
    let state: Item | undefined;
    if (roll < 0.15) {
      await client.send(new DeleteItemCommand({ TableName: table, Key: key }));
      summary.deletes += 1;
      deleted.add(index);
    } else {
      if (deleted.delete(index)) summary.reinserts += 1;
      if (roll < 0.55) {
        state = { ...randomAttributes(rng), ...key };
        await client.send(new PutItemCommand({ TableName: table, Item: state }));
        summary.puts += 1;
      } else {
        state = (await client.send(randomUpdate(rng, table, key))).Attributes;
        summary.updates += 1;
      }
    }
    options.onCommitted?.(key, state);
    options.onChange?.(done + 1);
  }
  return summary;
}

/**
 * Random changes in rounds, each with its own seed and number of changes, calling `afterRound` (e.g. draining the
 * stream) after each; returns the rounds' summaries added up.
 */
export async function applyRandomRounds(
  client: DynamoDBClient,
  table: string,
  rounds: ReadonlyArray<{ seed: number; changes: number }>,
  options: Omit<RandomChangeOptions, 'seed' | 'changes'>,
  afterRound: () => Promise<unknown>,
): Promise<ChangeSummary> {
  const total: ChangeSummary = { puts: 0, updates: 0, deletes: 0, reinserts: 0 };
  for (const round of rounds) {
    const summary = await applyRandomChanges(client, table, { ...options, ...round });
    await afterRound();
    for (const kind of Object.keys(total) as Array<keyof ChangeSummary>) total[kind] += summary[kind];
  }
  return total;
}

/**
 * The key of item `index`: `pk` a string (one of `partitions` when there is a sort key), `sk` (if any) of the given
 * type; binary keys include 0x00 and 0xff.
 */
export function keyOf(index: number, sortKeyType?: ScalarAttributeType, partitions = 7): Item {
  const key: Item = { pk: { S: `item-${index % partitions}` } };
  if (sortKeyType === 'B') key.sk = { B: Uint8Array.from([index, 0x00, 0xff, (index * 37) & 0xff]) };
  if (sortKeyType === 'N') key.sk = { N: `${index}.${index * 7}` };
  if (sortKeyType === 'S') key.sk = { S: `sort#${index}` };
  if (!sortKeyType) key.pk = { S: `item-${index}` };
  return key;
}

/**
 * A number of 38 significant digits times 10^`exponent` (-130 to 125: DynamoDB's range), spelled either plain
 * (`0.000…1234`, `1234…000`) or with an exponent (`1.234…E-87`).
 */
function preciseNumber(rng: Prng, exponent = rng.pick([-130, 125, rng.int(-129, 124), rng.int(-20, 30)])): string {
  const digits = String(rng.int(1, 9)) + Array.from({ length: 37 }, () => String(rng.int(0, 9))).join('');
  const sign = rng.chance(0.3) ? '-' : '';
  if (rng.chance(0.5)) return `${sign}${digits[0]}.${digits.slice(1)}E${exponent}`;
  const point = exponent + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function bytes(rng: Prng, max = 12): Uint8Array {
  return Uint8Array.from(rng.bytes(rng.int(1, max)));
}

/** `count` elements made by `make`, without repeats by `id` (a set must not repeat an element). */
function distinct<T>(count: number, make: () => T, id: (value: T) => string): T[] {
  const seen = new Map<string, T>();
  while (seen.size < count) {
    const value = make();
    seen.set(id(value), value);
  }
  return [...seen.values()];
}

/** One random leaf or container value; `depth` bounds nesting. */
function randomValue(rng: Prng, depth: number): AttributeValue {
  const kinds = depth > 0 ? 14 : 10;
  switch (rng.int(0, kinds - 1)) {
    case 0:
      return { S: rng.pick(['', 'plain', 'ünïcødé ✓ 🚀', 'line\nbreak', ' padded ']) };
    case 1:
      return { N: rng.chance(0.5) ? preciseNumber(rng) : String(rng.int(-1000, 1000)) };
    case 2:
      return { B: rng.chance(0.2) ? new Uint8Array(0) : bytes(rng) };
    case 3:
      return {
        SS: distinct(
          rng.int(1, 4),
          () => rng.hex(rng.int(1, 6)),
          (s) => s,
        ),
      };
    case 4: {
      // One exponent, 38 random digits each: different numbers, as a set requires.
      const exponent = rng.int(-130, 125);
      return { NS: distinct(rng.int(1, 4), () => preciseNumber(rng, exponent), canonicalNumber) };
    }
    case 5:
      return {
        BS: distinct(
          rng.int(1, 4),
          () => bytes(rng, 6),
          (b) => Buffer.from(b).toString('hex'),
        ),
      };
    case 6:
      return { NULL: true };
    case 7:
      return { BOOL: rng.chance(0.5) };
    case 8:
      return { L: [] };
    case 9:
      return { M: {} };
    case 10:
    case 11:
      return { L: Array.from({ length: rng.int(1, 4) }, () => randomValue(rng, depth - 1)) };
    default:
      return {
        M: Object.fromEntries(Array.from({ length: rng.int(1, 4) }, (_, i) => [`f${i}`, randomValue(rng, depth - 1)])),
      };
  }
}

/** A value nested `levels` deep, alternating maps and lists, with binary at the bottom (DynamoDB allows 32 levels). */
function deepValue(rng: Prng, levels: number): AttributeValue {
  let value: AttributeValue = { B: bytes(rng) };
  for (let level = 0; level < levels; level += 1)
    value = level % 2 ? { L: [value, { N: String(level) }] } : { M: { [`d${level}`]: value } };
  return value;
}

/** A random set of non-key attributes: always `v` (a precise number), some of the others. */
function randomAttributes(rng: Prng): Item {
  const item: Item = { v: { N: preciseNumber(rng) } };
  const count = rng.int(1, 6);
  for (let i = 0; i < count; i += 1) item[`a${rng.int(0, 9)}`] = randomValue(rng, 3);
  if (rng.chance(0.2)) item.deep = deepValue(rng, rng.int(10, 30));
  if (rng.chance(0.3))
    item.binaries = {
      BS: distinct(
        3,
        () => bytes(rng),
        (b) => Buffer.from(b).toString('hex'),
      ),
    };
  return item;
}

/** An UpdateItem that sets, removes, adds to a set and appends to a list (creating the item if absent). */
function randomUpdate(rng: Prng, table: string, key: Item): UpdateItemCommand {
  const names: Record<string, string> = { '#v': 'v' };
  const values: Record<string, AttributeValue> = { ':v': { N: preciseNumber(rng) } };
  const set = ['#v = :v'];
  const remove: string[] = [];
  const attribute = `a${rng.int(0, 9)}`;
  names['#a'] = attribute;
  if (rng.chance(0.3)) {
    remove.push('#a');
  } else {
    values[':a'] = randomValue(rng, 2);
    set.push('#a = :a');
  }
  if (rng.chance(0.4)) {
    names['#log'] = 'log';
    values[':entry'] = { L: [randomValue(rng, 1)] };
    values[':empty'] = { L: [] };
    set.push('#log = list_append(if_not_exists(#log, :empty), :entry)');
  }
  const add: string[] = [];
  if (rng.chance(0.3)) {
    names['#tags'] = 'tags';
    values[':tags'] = { SS: [rng.hex(4)] };
    add.push('#tags :tags');
  }
  const expression = [
    `SET ${set.join(', ')}`,
    remove.length ? `REMOVE ${remove.join(', ')}` : '',
    add.length ? `ADD ${add.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return new UpdateItemCommand({
    TableName: table,
    ReturnValues: 'ALL_NEW',
    Key: key,
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  });
}
