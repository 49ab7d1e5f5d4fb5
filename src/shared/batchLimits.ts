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
