/**
 * Items and keys as JSON: DynamoDB JSON with binary (`B`, `BS`) as base64 strings, the form Lambda and the AWS CLI
 * use. `JSON.stringify` of an SDK value would turn bytes into `{"0":1,"1":2}` and lose the type on the way back, so
 * the state file (which stores the last key of each segment) and `--json` output go through here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item, StreamAttributeValue, StreamImage } from '../../shared/item';

/** One attribute value in JSON form: the same shape Lambda's stream events use. */
export type JsonAttributeValue = StreamAttributeValue;

/** An item or key in JSON form. */
export type JsonItem = StreamImage;

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** The JSON form of one SDK value. */
export function valueToJson(value: AttributeValue): JsonAttributeValue {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.B !== undefined) return { B: base64(value.B) };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: [...value.NS] };
  if (value.BS !== undefined) return { BS: value.BS.map(base64) };
  if (value.M !== undefined) return { M: itemToJson(value.M) };
  if (value.L !== undefined) return { L: value.L.map(valueToJson) };
  if (value.NULL !== undefined) return { NULL: true };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  throw new TypeError(`unsupported attribute value with fields ${Object.keys(value).join(', ') || '(none)'}`);
}

/** The JSON form of an SDK item or key. */
export function itemToJson(item: Item): JsonItem {
  const out: JsonItem = {};
  for (const [name, value] of Object.entries(item)) out[name] = valueToJson(value);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: unknown, path: string): string[] {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new TypeError(`${path}: expected an array of strings`);
  }
  return value as string[];
}

const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** An SDK value from its JSON form; throws a TypeError naming the path when the JSON is not a valid value. */
export function valueFromJson(json: unknown, path = '$'): AttributeValue {
  if (!isRecord(json)) throw new TypeError(`${path}: expected an attribute value object`);
  const fields = Object.keys(json);
  if (fields.length !== 1) throw new TypeError(`${path}: expected exactly one type field, got ${fields.join(', ')}`);
  const type = fields[0] as string;
  const inner = json[type];
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      if (typeof inner !== 'string') throw new TypeError(`${path}.${type}: expected a string`);
      if (type === 'B') return { B: fromBase64(inner) };
      return type === 'S' ? { S: inner } : { N: inner };
    case 'SS':
      return { SS: stringArray(inner, `${path}.SS`) };
    case 'NS':
      return { NS: stringArray(inner, `${path}.NS`) };
    case 'BS':
      return { BS: stringArray(inner, `${path}.BS`).map(fromBase64) };
    case 'M':
      return { M: itemFromJson(inner, `${path}.M`) };
    case 'L':
      if (!Array.isArray(inner)) throw new TypeError(`${path}.L: expected an array`);
      return { L: inner.map((entry, index) => valueFromJson(entry, `${path}.L[${index}]`)) };
    case 'NULL':
      return { NULL: true };
    case 'BOOL':
      if (typeof inner !== 'boolean') throw new TypeError(`${path}.BOOL: expected a boolean`);
      return { BOOL: inner };
    default:
      throw new TypeError(`${path}: unknown attribute type ${type}`);
  }
}

/** An SDK item or key from its JSON form. */
export function itemFromJson(json: unknown, path = '$'): Item {
  if (!isRecord(json)) throw new TypeError(`${path}: expected an object of attributes`);
  const item: Item = {};
  for (const [name, value] of Object.entries(json)) item[name] = valueFromJson(value, `${path}.${name}`);
  return item;
}

/** A short human-readable form of a key, e.g. `pk="order#1" sk=42` or `id=b64:AAE=`, for reports. */
export function formatKey(key: Item): string {
  return Object.keys(key)
    .sort()
    .map((name) => {
      const value = key[name] as AttributeValue;
      if (value.S !== undefined) return `${name}=${JSON.stringify(value.S)}`;
      if (value.N !== undefined) return `${name}=${value.N}`;
      if (value.B !== undefined) return `${name}=b64:${base64(value.B)}`;
      return `${name}=${JSON.stringify(valueToJson(value))}`;
    })
    .join(' ');
}
