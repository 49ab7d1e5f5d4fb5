/**
 * The two forms an item takes: as the SDK sends it (`Item`: binary as bytes, numbers as their exact strings), and as
 * JSON carries it (`StreamImage`: Lambda's stream event, and the CLI's JSON output), where `B`/`BS` are base64 text.
 * Both sides of the package read and write items, so both forms live here.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/** One attribute value as Lambda's JSON carries it (`B`/`BS` are base64 strings). */
export type StreamAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { M: Record<string, StreamAttributeValue> }
  | { L: StreamAttributeValue[] }
  | { NULL: true }
  | { BOOL: boolean };

/** An item or key as Lambda's JSON carries it. */
export type StreamImage = Record<string, StreamAttributeValue>;

/** An item or key ready for the SDK (binary decoded to bytes). */
export type Item = Record<string, AttributeValue>;
