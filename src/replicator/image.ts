/**
 * Stream JSON → SDK attribute values.
 *
 * Lambda's event is JSON, so `B` and every member of `BS` arrive as base64 strings, at any depth (`M`, `L`, keys).
 * Handing those strings to SDK v3 would make it base64-encode them once more and write the text of the base64 as
 * the bytes: the slave would silently hold different binary data. Here they become the original bytes, and every
 * value is checked, so a malformed image fails its own record with a message instead of reaching the slave.
 *
 * Every attribute of every record passes through here, so the path that names a malformed value in the error
 * message is only built when one is found: each level adds its segment while the problem travels up.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../shared/item';
import { InvalidRecordError } from './errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A malformed value on its way up to the caller that knows the path prefix; never leaves this file. */
class Malformed extends Error {
  /** Path segments from the value up, innermost first (`.name`, `[index]`). */
  readonly segments: string[] = [];
}

function fail(problem: string): never {
  throw new Malformed(problem);
}

/** Adds `segment` to a {@link Malformed} passing through; other errors pass unchanged. */
function via(error: unknown, segment: string): unknown {
  if (error instanceof Malformed) error.segments.push(segment);
  return error;
}

/** The record error a {@link Malformed} becomes, its path starting at `path`. */
function located(error: unknown, path: string): unknown {
  if (!(error instanceof Malformed)) return error;
  return new InvalidRecordError(
    `invalid attribute value at ${path}${error.segments.reverse().join('')}: ${error.message}`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkBinary(value: unknown): string {
  if (typeof value !== 'string' || !BASE64.test(value)) fail('B must be a base64 string');
  return value;
}

function decodeBinary(value: unknown): Uint8Array {
  return Buffer.from(checkBinary(value), 'base64');
}

function checkNumber(value: unknown): string {
  if (typeof value !== 'string' || !NUMBER.test(value)) fail('N must be a number written as a string');
  return value;
}

function checkString(value: unknown): string {
  if (typeof value !== 'string') fail('SS members must be strings');
  return value;
}

/**
 * Converts each member of a list or set, naming the failing member's index; when only `checking`, converts nothing
 * and returns `undefined`.
 */
function members<T>(
  value: unknown,
  problem: string,
  convert: (member: unknown) => T,
  checking: boolean,
): T[] | undefined {
  if (!Array.isArray(value)) fail(problem);
  const converted = checking ? undefined : new Array<T>(value.length);
  let index = 0;
  try {
    for (; index < value.length; index++) {
      const member = convert(value[index]);
      if (converted) converted[index] = member;
    }
  } catch (error) {
    throw via(error, `[${index}]`);
  }
  return converted;
}

/** The single own key of a type-tagged value. */
function tagOf(json: Record<string, unknown>): string {
  let tag: string | undefined;
  let count = 0;
  for (const key in json) {
    if (!Object.hasOwn(json, key)) continue;
    tag ??= key;
    count += 1;
  }
  if (count !== 1) {
    const tags = Object.keys(json);
    fail(`expected exactly one type tag, found ${tags.length ? tags.join(', ') : 'none'}`);
  }
  return tag as string;
}

/**
 * One attribute value in the SDK's form; when only `checking`, the same checks without building anything, and
 * `undefined` (a superseded image is checked, as its record fails when malformed, but never written).
 */
function decodeValue(json: unknown, checking: boolean): AttributeValue | undefined {
  if (!isObject(json)) fail('expected an object with one type tag');
  const tag = tagOf(json);
  const value = json[tag];
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') fail('S must be a string');
      return checking ? undefined : { S: value };
    case 'N': {
      const number = checkNumber(value);
      return checking ? undefined : { N: number };
    }
    case 'B': {
      if (checking) return void checkBinary(value);
      return { B: decodeBinary(value) };
    }
    case 'BOOL':
      if (typeof value !== 'boolean') fail('BOOL must be true or false');
      return checking ? undefined : { BOOL: value };
    case 'NULL':
      if (value !== true) fail('NULL must be true');
      return checking ? undefined : { NULL: true };
    case 'SS': {
      const strings = members(value, 'SS must be an array', checkString, checking);
      return strings && { SS: strings };
    }
    case 'NS': {
      const numbers = members(value, 'NS must be an array', checkNumber, checking);
      return numbers && { NS: numbers };
    }
    case 'BS': {
      if (checking) return void members(value, 'BS must be an array', checkBinary, true);
      const binaries = members(value, 'BS must be an array', decodeBinary, false);
      return binaries && { BS: binaries };
    }
    case 'L': {
      const list = members(value, 'L must be an array', (member) => decodeValue(member, checking), checking);
      return list && { L: list as AttributeValue[] };
    }
    case 'M': {
      if (!isObject(value)) fail('M must be an object');
      const map = decodeMap(value, checking);
      return map && { M: map };
    }
    default:
      return fail(`unknown type tag ${JSON.stringify(tag)}`);
  }
}

/** An image (or `M` value) in the SDK's form; when only `checking`, its checks alone, and `undefined`. */
function decodeMap(json: unknown, checking: boolean): Item | undefined {
  if (!isObject(json)) fail('expected a map of attribute names to values');
  const item: Item | undefined = checking ? undefined : {};
  for (const name of Object.keys(json)) {
    let value: AttributeValue | undefined;
    try {
      value = decodeValue(json[name], checking);
    } catch (error) {
      throw via(error, `.${name}`);
    }
    if (!item) continue;
    // An attribute named __proto__ must stay an attribute; assignment would set the object's prototype instead.
    if (name === '__proto__')
      Object.defineProperty(item, name, { value, enumerable: true, writable: true, configurable: true });
    else item[name] = value as AttributeValue;
  }
  return item;
}

/** Converts one attribute value from Lambda's JSON to the SDK's form; `path` names it in error messages. */
export function toAttributeValue(json: unknown, path: string): AttributeValue {
  try {
    return decodeValue(json, false) as AttributeValue;
  } catch (error) {
    throw located(error, path);
  }
}

/** Converts a whole image (`Keys`, `NewImage`) from Lambda's JSON to an SDK item; `path` prefixes error paths. */
export function toItem(json: unknown, path: string): Item {
  try {
    return decodeMap(json, false) as Item;
  } catch (error) {
    throw located(error, path);
  }
}

/**
 * Checks a whole image as {@link toItem} does, with the same errors, without building the item: for an image whose
 * item a later change supersedes.
 */
export function checkImage(json: unknown, path: string): void {
  try {
    decodeMap(json, true);
  } catch (error) {
    throw located(error, path);
  }
}
