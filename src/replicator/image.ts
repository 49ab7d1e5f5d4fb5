/**
 * Stream JSON → SDK attribute values.
 *
 * Lambda's event is JSON, so `B` and every member of `BS` arrive as base64 strings, at any depth (`M`, `L`, keys).
 * Handing those strings to SDK v3 would make it base64-encode them once more and write the text of the base64 as
 * the bytes: the slave would silently hold different binary data. Here they become the original bytes, and every
 * value is checked, so a malformed image fails its own record with a message instead of reaching the slave.
 *
 * Every attribute of every record passes through here, so the path that names a malformed value in the error
 * message is only built when one is found: each level adds its segment while the problem travels up. And since the
 * SDK's form of every other type is the stream's JSON as it is, a checked value without binary below it is handed on
 * as the same object: only values holding `B` or `BS` are built anew, so decoding allocates next to nothing.
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
 * One attribute value in the SDK's form: `json` itself when nothing below it is binary, else a new value with the
 * bytes; when only `checking`, the same checks, and `undefined` (a superseded image is checked, as its record fails
 * when malformed, but never written).
 */
function decodeValue(json: unknown, checking: boolean): AttributeValue | undefined {
  if (!isObject(json)) fail('expected an object with one type tag');
  const tag = tagOf(json);
  const value = json[tag];
  const same = checking ? undefined : (json as unknown as AttributeValue);
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') fail('S must be a string');
      return same;
    case 'N':
      checkNumber(value);
      return same;
    case 'B': {
      if (checking) return void checkBinary(value);
      return { B: decodeBinary(value) };
    }
    case 'BOOL':
      if (typeof value !== 'boolean') fail('BOOL must be true or false');
      return same;
    case 'NULL':
      if (value !== true) fail('NULL must be true');
      return same;
    case 'SS':
      members(value, 'SS must be an array', checkString, true);
      return same;
    case 'NS':
      members(value, 'NS must be an array', checkNumber, true);
      return same;
    case 'BS': {
      if (checking) return void members(value, 'BS must be an array', checkBinary, true);
      const binaries = members(value, 'BS must be an array', decodeBinary, false);
      return binaries && { BS: binaries };
    }
    case 'L': {
      if (!Array.isArray(value)) fail('L must be an array');
      const list = decodeList(value, checking);
      return list === value ? same : list && { L: list };
    }
    case 'M': {
      if (!isObject(value)) fail('M must be an object');
      const map = decodeMap(value, checking);
      return map === value ? same : map && { M: map };
    }
    default:
      return fail(`unknown type tag ${JSON.stringify(tag)}`);
  }
}

/** The members of an `L` in the SDK's form: `json` itself when none changed; `undefined` when only `checking`. */
function decodeList(json: unknown[], checking: boolean): AttributeValue[] | undefined {
  let list: AttributeValue[] | undefined;
  for (let index = 0; index < json.length; index++) {
    let member: AttributeValue | undefined;
    try {
      member = decodeValue(json[index], checking);
    } catch (error) {
      throw via(error, `[${index}]`);
    }
    if (checking || (list === undefined && member === json[index])) continue;
    list ??= json.slice(0, index) as AttributeValue[];
    list.push(member as AttributeValue);
  }
  return checking ? undefined : (list ?? (json as AttributeValue[]));
}

/**
 * An image (or `M` value) in the SDK's form: `json` itself when no attribute changed, else a copy with the changed
 * ones; when only `checking`, its checks alone, and `undefined`.
 */
function decodeMap(json: unknown, checking: boolean): Item | undefined {
  if (!isObject(json)) fail('expected a map of attribute names to values');
  const names = Object.keys(json);
  let item: Item | undefined;
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string;
    let value: AttributeValue | undefined;
    try {
      value = decodeValue(json[name], checking);
    } catch (error) {
      throw via(error, `.${name}`);
    }
    if (checking || (item === undefined && value === json[name])) continue;
    if (item === undefined) {
      item = {};
      for (const earlier of names.slice(0, index)) setAttribute(item, earlier, json[earlier] as AttributeValue);
    }
    setAttribute(item, name, value as AttributeValue);
  }
  return checking ? undefined : (item ?? (json as Item));
}

/** Sets one attribute: one named __proto__ must stay an attribute, where assignment would set the prototype. */
function setAttribute(item: Item, name: string, value: AttributeValue): void {
  if (name === '__proto__')
    Object.defineProperty(item, name, { value, enumerable: true, writable: true, configurable: true });
  else item[name] = value;
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
