/**
 * What a slave write carried, read from the request and answer the latency proxy saw: the (key, version) of every
 * item the slave acknowledged. `bench:lag` items are `pk` and `sk` (together the key) and `v` (the version).
 */

/** One acknowledged item of a slave write. */
export interface CarriedItem {
  readonly key: string;
  readonly version: number;
}

type Json = Record<string, unknown>;

/** The ledger's name of an item: its partition and sort key values. */
export function lagKey(partition: string, sort: string): string {
  return `${partition}#${sort}`;
}

function itemOf(item: unknown): CarriedItem | undefined {
  const attributes = item as { pk?: { S?: unknown }; sk?: { S?: unknown }; v?: { N?: unknown } } | undefined;
  const partition = attributes?.pk?.S;
  const sort = attributes?.sk?.S;
  const version = Number(attributes?.v?.N);
  return typeof partition === 'string' && typeof sort === 'string' && Number.isFinite(version)
    ? { key: lagKey(partition, sort), version }
    : undefined;
}

function putItems(requestItems: unknown): CarriedItem[] {
  const items: CarriedItem[] = [];
  for (const requests of Object.values((requestItems ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(requests)) continue;
    for (const request of requests) {
      const carried = itemOf((request as { PutRequest?: { Item?: unknown } }).PutRequest?.Item);
      if (carried) items.push(carried);
    }
  }
  return items;
}

/**
 * The items a successful `BatchWriteItem` or `PutItem` (by `X-Amz-Target`) acknowledged: those it sent minus the
 * answer's `UnprocessedItems`. Anything else, and any answer but 200, acknowledged nothing.
 */
export function acknowledgedItems(
  target: string | undefined,
  status: number,
  request: Buffer,
  answer: Buffer,
): CarriedItem[] {
  if (status !== 200 || target === undefined) return [];
  try {
    const body = JSON.parse(request.toString('utf8')) as Json;
    if (target.endsWith('.PutItem')) {
      const carried = itemOf(body.Item);
      return carried ? [carried] : [];
    }
    if (!target.endsWith('.BatchWriteItem')) return [];
    const unprocessed = new Set(
      putItems((JSON.parse(answer.toString('utf8')) as Json).UnprocessedItems).map(
        (item) => `${item.key}#${item.version}`,
      ),
    );
    return putItems(body.RequestItems).filter((item) => !unprocessed.has(`${item.key}#${item.version}`));
  } catch {
    return [];
  }
}
