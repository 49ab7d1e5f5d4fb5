/**
 * Stream JSON → SDK attribute values.
 *
 * Lambda's event is JSON, so `B` and every member of `BS` arrive as base64 strings, at any depth (`M`, `L`, keys).
 * Handing those strings to SDK v3 would make it base64-encode them once more and write the text of the base64 as
 * the bytes: the slave would silently hold different binary data. Here they become the original bytes, and every
 * value is checked, so a malformed image fails its own record with a message instead of reaching the slave.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../shared/item';
import { InvalidRecordError } from './errors';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function fail(path: string, problem: string): never {
  throw new InvalidRecordError(`invalid attribute value at ${path}: ${problem}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function decodeBinary(value: unknown, path: string): Uint8Array {
  if (typeof value !== 'string' || !BASE64.test(value)) fail(path, 'B must be a base64 string');
  return Buffer.from(value, 'base64');
}

function checkNumber(value: unknown, path: string): string {
  if (typeof value !== 'string' || !NUMBER.test(value)) fail(path, 'N must be a number written as a string');
  return value;
}

function stringArray(value: unknown, path: string, tag: string): unknown[] {
  if (!Array.isArray(value)) fail(path, `${tag} must be an array`);
  return value;
}

/** Converts one attribute value from Lambda's JSON to the SDK's form; `path` names it in error messages. */
export function toAttributeValue(json: unknown, path: string): AttributeValue {
  if (!isObject(json)) fail(path, 'expected an object with one type tag');
  const tags = Object.keys(json);
  if (tags.length !== 1) fail(path, `expected exactly one type tag, found ${tags.length ? tags.join(', ') : 'none'}`);
  const tag = tags[0] as string;
  const value = json[tag];
  switch (tag) {
    case 'S':
      if (typeof value !== 'string') fail(path, 'S must be a string');
      return { S: value };
    case 'N':
      return { N: checkNumber(value, path) };
    case 'B':
      return { B: decodeBinary(value, path) };
    case 'BOOL':
      if (typeof value !== 'boolean') fail(path, 'BOOL must be true or false');
      return { BOOL: value };
    case 'NULL':
      if (value !== true) fail(path, 'NULL must be true');
      return { NULL: true };
    case 'SS':
      return {
        SS: stringArray(value, path, tag).map((member, index) => {
          if (typeof member !== 'string') fail(`${path}[${index}]`, 'SS members must be strings');
          return member;
        }),
      };
    case 'NS':
      return { NS: stringArray(value, path, tag).map((member, index) => checkNumber(member, `${path}[${index}]`)) };
    case 'BS':
      return { BS: stringArray(value, path, tag).map((member, index) => decodeBinary(member, `${path}[${index}]`)) };
    case 'L':
      if (!Array.isArray(value)) fail(path, 'L must be an array');
      return { L: value.map((member, index) => toAttributeValue(member, `${path}[${index}]`)) };
    case 'M':
      if (!isObject(value)) fail(path, 'M must be an object');
      return { M: toItem(value, path) };
    default:
      return fail(path, `unknown type tag ${JSON.stringify(tag)}`);
  }
}

/** Converts a whole image (`Keys`, `NewImage`) from Lambda's JSON to an SDK item; `path` prefixes error paths. */
export function toItem(json: unknown, path: string): Item {
  if (!isObject(json)) fail(path, 'expected a map of attribute names to values');
  const item: Item = {};
  for (const name of Object.keys(json)) {
    const value = toAttributeValue(json[name], `${path}.${name}`);
    // An attribute named __proto__ must stay an attribute; assignment would set the object's prototype instead.
    if (name === '__proto__')
      Object.defineProperty(item, name, { value, enumerable: true, writable: true, configurable: true });
    else item[name] = value;
  }
  return item;
}
