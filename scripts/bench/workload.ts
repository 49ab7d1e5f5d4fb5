/**
 * Synthetic DynamoDB Streams batches with a realistic mix, generated from a seed (no stream needed).
 *
 * Shape of a batch of N records:
 * - 30 % of the records hit a few hot items (1 % of N, at least 3), which therefore change many times per batch;
 *   the rest pick uniformly from a pool of 0.6 × N items, so some of those change twice or more too. About 40 % of
 *   N are distinct items.
 * - An item that does not exist yet is INSERTed; an existing one is MODIFYed (80 %) or REMOVEd (20 %). 60 % of the
 *   items exist before the batch starts (the batch is a slice of a longer stream).
 * - Items weigh about 1 KB: strings, numbers, a map, a list, sets, and binary (`B` on 30 % of items, `BS` on 10 %),
 *   all in Lambda's JSON form with binary as base64 strings. The view type is NEW_AND_OLD_IMAGES.
 */
import { Prng } from '../../harness/prng';
import type { BenchStreamEvent, BenchStreamRecord, JsonAttributeValue, JsonImage } from './types';

/** Stream ARN of the benchmark's master table. */
export const MASTER_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:123456789012:table/BenchMaster/stream/2024-01-01T00:00:00.000';

/** Key schema of the master table, which the slaves share. */
export const KEY_SCHEMA = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** Options of one generated batch. */
export interface WorkloadOptions {
  readonly records: number;
  readonly seed: number;
  /** Index of the first record in the imaginary stream: consecutive batches get increasing sequence numbers. */
  readonly firstIndex?: number;
}

const WORDS = [
  'amber',
  'basil',
  'cedar',
  'delta',
  'ember',
  'fjord',
  'garnet',
  'harbor',
  'iris',
  'juniper',
  'kelp',
  'lumen',
  'maple',
  'nectar',
  'opal',
  'pepper',
  'quartz',
  'raven',
  'saffron',
  'tundra',
  'umber',
  'violet',
  'willow',
  'xenon',
  'yarrow',
  'zephyr',
];
const CITIES = ['Lisbon', 'Osaka', 'Denver', 'Nairobi', 'Tallinn', 'Perth', 'Quito', 'Bergen'];
const EPOCH_SECONDS = 1_704_067_200; // 2024-01-01T00:00:00Z
const SEQUENCE_BASE = 100_000_000_000_000_000_000n;

function words(rng: Prng, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i += 1) out.push(rng.pick(WORDS));
  return out.join(' ');
}

function keyOf(index: number): JsonImage {
  return { pk: { S: `customer#${String(index).padStart(7, '0')}` }, sk: { N: String(index % 7) } };
}

/** A full item of about 1 KB for `key` at `version`. */
function itemImage(rng: Prng, key: JsonImage, version: number): JsonImage {
  const item: JsonImage = {
    ...key,
    name: { S: words(rng, 3) },
    description: { S: words(rng, rng.int(70, 100)) },
    price: { N: (rng.int(100, 999_999) / 100).toFixed(2) },
    quantity: { N: String(rng.int(0, 5000)) },
    version: { N: String(version) },
    active: { BOOL: rng.chance(0.8) },
    tags: { SS: rng.sample(WORDS, rng.int(2, 5)) },
    address: {
      M: {
        street: { S: `${rng.int(1, 999)} ${words(rng, 2)} street` },
        city: { S: rng.pick(CITIES) },
        zip: { S: String(rng.int(10000, 99999)) },
        geo: { M: { lat: { N: (rng.next() * 180 - 90).toFixed(5) }, lon: { N: (rng.next() * 360 - 180).toFixed(5) } } },
      },
    },
    history: {
      L: Array.from(
        { length: rng.int(2, 5) },
        (): JsonAttributeValue => ({
          M: { at: { N: String(EPOCH_SECONDS - rng.int(0, 1e7)) }, by: { S: rng.pick(WORDS) } },
        }),
      ),
    },
  };
  if (rng.chance(0.3)) item.thumbnail = { B: rng.bytes(rng.int(64, 256)).toString('base64') };
  if (rng.chance(0.1)) {
    const chunks = new Set<string>();
    const wanted = rng.int(2, 3);
    while (chunks.size < wanted) chunks.add(rng.bytes(rng.int(8, 48)).toString('base64'));
    item.chunks = { BS: [...chunks] };
  }
  if (rng.chance(0.2)) item.scores = { NS: [...new Set(Array.from({ length: 3 }, () => String(rng.int(1, 100))))] };
  if (rng.chance(0.05)) item.archivedAt = { NULL: true };
  return item;
}

function sizeOf(...images: (JsonImage | undefined)[]): number {
  return images.reduce((total, image) => total + (image ? JSON.stringify(image).length : 0), 0);
}

/** Generates a batch of `options.records` stream records as Lambda would deliver it. */
export function generateWorkload(options: WorkloadOptions): BenchStreamEvent {
  const rng = new Prng(options.seed);
  const count = options.records;
  const firstIndex = options.firstIndex ?? 0;
  const hotItems = Math.max(3, Math.round(count * 0.01));
  const coldItems = Math.max(1, Math.round(count * 0.6));
  // Per item: its current image in the master, or undefined when it does not exist.
  const current = new Map<number, JsonImage | undefined>();
  const versions = new Map<number, number>();

  const records: BenchStreamRecord[] = [];
  for (let i = 0; i < count; i += 1) {
    // Item indexes are offset by the seed so batches with different seeds touch different items.
    const itemIndex =
      (options.seed % 1000) * 1_000_000 +
      (rng.chance(0.3) ? rng.int(0, hotItems - 1) : hotItems + rng.int(0, coldItems - 1));
    if (!current.has(itemIndex)) {
      const existed = rng.chance(0.6);
      versions.set(itemIndex, existed ? rng.int(1, 20) : 0);
      current.set(itemIndex, existed ? itemImage(rng, keyOf(itemIndex), versions.get(itemIndex) ?? 1) : undefined);
    }
    const before = current.get(itemIndex);
    const key = keyOf(itemIndex);
    const version = (versions.get(itemIndex) ?? 0) + 1;
    versions.set(itemIndex, version);
    let record: BenchStreamRecord['dynamodb'];
    let eventName: BenchStreamRecord['eventName'];
    const base = {
      ApproximateCreationDateTime: EPOCH_SECONDS + Math.floor((firstIndex + i) / 10),
      Keys: key,
      SequenceNumber: String(SEQUENCE_BASE + BigInt(firstIndex + i) * 1000n + BigInt(rng.int(0, 999))),
      StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
    };
    if (before === undefined) {
      eventName = 'INSERT';
      const after = itemImage(rng, key, version);
      current.set(itemIndex, after);
      record = { ...base, NewImage: after, SizeBytes: sizeOf(key, after) };
    } else if (rng.chance(0.8)) {
      eventName = 'MODIFY';
      const after = itemImage(rng, key, version);
      current.set(itemIndex, after);
      record = { ...base, NewImage: after, OldImage: before, SizeBytes: sizeOf(key, after, before) };
    } else {
      eventName = 'REMOVE';
      current.set(itemIndex, undefined);
      record = { ...base, OldImage: before, SizeBytes: sizeOf(key, before) };
    }
    records.push({
      eventID: rng.hex(32),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: record,
      eventSourceARN: MASTER_STREAM_ARN,
    });
  }
  return { Records: records };
}
