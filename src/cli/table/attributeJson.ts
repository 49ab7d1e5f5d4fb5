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

/**
 * What is wrong with a JSON value, and the path below it (`.M.a.L[2]`). Each level adds its step while the error
 * unwinds, so no path is built while the JSON is valid — an export's load reads millions of items through here.
 */
class MalformedJson extends TypeError {
  public constructor(
    public readonly below: string,
    public readonly problem: string,
  ) {
    super(problem);
  }

  /** The same problem seen from one level up, `step` being how that level reached the failed value. */
  public under(step: string): MalformedJson {
    return new MalformedJson(`${step}${this.below}`, this.problem);
  }
}

/** `error` seen one level up, through `step`, when it is a MalformedJson. */
function under(error: unknown, step: string): unknown {
  return error instanceof MalformedJson ? error.under(step) : error;
}

function stringArray(value: unknown, type: string): string[] {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) {
    throw new MalformedJson(`.${type}`, 'expected an array of strings');
  }
  return value as string[];
}

/** The bytes of base64 `text` (a Buffer: a Uint8Array, sharing Node's pool for small values, not copied again). */
const fromBase64 = (text: string): Uint8Array => Buffer.from(text, 'base64');

/** The one attribute type field of a JSON attribute value (no array of field names is built for a valid one). */
function typeField(json: Record<string, unknown>): string {
  let type: string | undefined;
  let fields = 0;
  for (const field in json) {
    type = field;
    fields += 1;
  }
  if (fields !== 1 || type === undefined)
    throw new MalformedJson('', `expected exactly one type field, got ${Object.keys(json).join(', ')}`);
  return type;
}

/** An SDK value from its JSON form; throws a MalformedJson naming the path below it. */
function toValue(json: unknown): AttributeValue {
  if (!isRecord(json)) throw new MalformedJson('', 'expected an attribute value object');
  const type = typeField(json);
  const inner = json[type];
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      if (typeof inner !== 'string') throw new MalformedJson(`.${type}`, 'expected a string');
      if (type === 'B') return { B: fromBase64(inner) };
      return type === 'S' ? { S: inner } : { N: inner };
    case 'SS':
      return { SS: stringArray(inner, 'SS') };
    case 'NS':
      return { NS: stringArray(inner, 'NS') };
    case 'BS':
      return { BS: stringArray(inner, 'BS').map(fromBase64) };
    case 'M':
      try {
        return { M: toItem(inner) };
      } catch (error) {
        throw under(error, '.M');
      }
    case 'L': {
      if (!Array.isArray(inner)) throw new MalformedJson('.L', 'expected an array');
      const list: AttributeValue[] = new Array(inner.length);
      for (let index = 0; index < inner.length; index += 1) {
        try {
          list[index] = toValue(inner[index]);
        } catch (error) {
          throw under(error, `.L[${index}]`);
        }
      }
      return { L: list };
    }
    case 'NULL':
      return { NULL: true };
    case 'BOOL':
      if (typeof inner !== 'boolean') throw new MalformedJson('.BOOL', 'expected a boolean');
      return { BOOL: inner };
    default:
      throw new MalformedJson('', `unknown attribute type ${type}`);
  }
}

/** An SDK item from its JSON form; throws a MalformedJson naming the path below it. */
function toItem(json: unknown): Item {
  if (!isRecord(json)) throw new MalformedJson('', 'expected an object of attributes');
  const item: Item = {};
  for (const name in json) {
    try {
      item[name] = toValue(json[name]);
    } catch (error) {
      throw under(error, `.${name}`);
    }
  }
  return item;
}

/** An SDK item or key from its JSON form; throws a TypeError naming the path when the JSON is not a valid item. */
export function itemFromJson(json: unknown, path = '$'): Item {
  try {
    return toItem(json);
  } catch (error) {
    if (error instanceof MalformedJson) throw new TypeError(`${path}${error.below}: ${error.problem}`);
    throw error;
  }
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
