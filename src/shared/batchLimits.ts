/**
 * DynamoDB's per-call limits of its batch APIs, and cutting a list into calls that respect them. Both the
 * replicator (writes to the slave, reads from the master) and the tools (backfill, verify) batch, so the limits
 * have one name and the cutting one implementation.
 */

/** Largest number of keys a BatchGetItem takes. */
export const BATCH_GET_LIMIT = 100;

/** Largest number of writes (puts and deletes) a BatchWriteItem takes. */
export const BATCH_WRITE_LIMIT = 25;

/** `items` cut into consecutive runs of at most `size`, in order (none for an empty list). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/**
 * The entry of one table in a batch call's answer (`Responses`, `UnprocessedItems`, `UnprocessedKeys`). Every batch
 * call here names one table, by its name or by its ARN; the answer is keyed by the table "in the same form as
 * RequestItems", and should DynamoDB key it by the other form (name for ARN or back), the answer's only entry is
 * still that table's, so unprocessed writes are never taken as written.
 */
export function entryOf<T>(answer: Readonly<Record<string, T>> | undefined, table: string): T | undefined {
  if (!answer) return undefined;
  const entry = answer[table];
  if (entry !== undefined) return entry;
  const entries = Object.values(answer);
  return entries.length === 1 ? entries[0] : undefined;
}
