import { inSlices, SNAPSHOT_SLICE } from './decider';

/** How a map's entry is written as a fixed number (2 or more) of strings, its key first, in a bucket's text, and read back. */
export interface BucketRows<K, V> {
  readonly width: number;
  readonly toRow: (key: K, value: V) => readonly string[];
  /** The value of the entry whose row starts at `items[at]` (its key is `items[at]`). */
  readonly valueOf: (items: readonly string[], at: number) => V;
}

/** The entries of a map grouped by their key's hash into `texts.length` buckets, each one text (a snapshot's form). */
export interface MapBuckets {
  readonly size: number;
  readonly texts: string[];
}

/**
 * A bucket's text: its rows' strings joined by commas, with '%' and ',' inside a string percent-escaped. No quotes,
 * so the text stays as short once a snapshot stores it inside JSON (JSON inside JSON escapes every quote).
 */
export function encodeBucket(items: readonly string[]): string {
  return items.map((item) => (item.includes('%') || item.includes(',') ? item.replace(/%/g, '%25').replace(/,/g, '%2C') : item)).join(',');
}

export function decodeBucket(text: string): string[] {
  if (text === '') return [];
  const items = text.split(',');
  if (!text.includes('%')) return items;
  return items.map((item) => (item.includes('%') ? item.replace(/%2C/g, ',').replace(/%25/g, '%') : item));
}

/** Entries per bucket a new bucketing aims at: an event after a restore decodes this many entries of each map it touches. */
const ENTRIES_PER_BUCKET = 8;

/** FNV-1a over the key's UTF-16 code units: the same bucket in every process, so a saved bucketing is read back as saved. */
export function bucketOf(key: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % buckets;
}

/** Buckets for `size` entries: ~ENTRIES_PER_BUCKET each. */
export function bucketsFor(size: number): number {
  return Math.max(1, Math.ceil(size / ENTRIES_PER_BUCKET));
}

/** A kept bucketing is rebuilt when its buckets average outside 4–64 entries (the map grew or shrank a lot since). */
function fits(buckets: number, size: number): boolean {
  return size <= buckets * 64 && size >= buckets * 4;
}

/**
 * A Map restored from bucketed text (a snapshot) without decoding it: each bucket is parsed the first time one of its
 * keys is read or written, so a 100,000-entry directory is ready to answer as soon as its texts are read, and a restore
 * followed by a few hundred events decodes only the buckets those events touch. Iterating decodes every bucket.
 */
export class BucketedMap<K extends string, V> extends Map<K, V> {
  /** Undecoded bucket texts; null once decoded into the map itself. */
  private readonly texts: (string | null)[];
  /** Entries still in undecoded texts. */
  private pending: number;

  constructor(
    private readonly rows: BucketRows<K, V>,
    buckets: MapBuckets,
  ) {
    super();
    this.texts = buckets.texts.slice();
    this.pending = buckets.size;
  }

  get bucketCount(): number {
    return this.texts.length;
  }

  override get size(): number {
    return super.size + this.pending;
  }

  override get(key: K): V | undefined {
    this.decode(bucketOf(key, this.texts.length));
    return super.get(key);
  }

  override has(key: K): boolean {
    this.decode(bucketOf(key, this.texts.length));
    return super.has(key);
  }

  override set(key: K, value: V): this {
    // Called by Map's constructor before the fields exist.
    if (this.texts) this.decode(bucketOf(key, this.texts.length));
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.decode(bucketOf(key, this.texts.length));
    return super.delete(key);
  }

  override clear(): void {
    this.texts.fill(null);
    this.pending = 0;
    super.clear();
  }

  override entries(): MapIterator<[K, V]> {
    this.decodeAll();
    return super.entries();
  }

  override keys(): MapIterator<K> {
    this.decodeAll();
    return super.keys();
  }

  override values(): MapIterator<V> {
    this.decodeAll();
    return super.values();
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    this.decodeAll();
    super.forEach(callback, thisArg);
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Decodes every bucket, `perTurn` buckets a turn: the map's content is the same before and after. */
  async decodeInSlices(perTurn: number, nextTurn: () => Promise<void>): Promise<void> {
    for (let from = 0; from < this.texts.length; from += perTurn) {
      if (from > 0) await nextTurn();
      for (let i = from; i < Math.min(this.texts.length, from + perTurn); i++) this.decode(i);
    }
  }

  /** Bucket `index`'s undecoded text, or null when decoded (its entries are in decodedEntries). */
  textOf(index: number): string | null {
    return this.texts[index] ?? null;
  }

  /** The keys decoded so far, without decoding more. */
  decodedKeys(): MapIterator<K> {
    return super.keys();
  }

  /** The values decoded so far, in the order of decodedKeys. */
  decodedValues(): MapIterator<V> {
    return super.values();
  }

  private decodeAll(): void {
    for (let i = 0; i < this.texts.length; i++) this.decode(i);
  }

  private decode(index: number): void {
    const text = this.texts[index];
    if (text === null || text === undefined) return;
    this.texts[index] = null;
    const items = decodeBucket(text);
    const width = this.rows.width;
    const valueOf = this.rows.valueOf;
    for (let at = 0; at < items.length; at += width) super.set(items[at] as K, valueOf(items, at));
    this.pending -= items.length / width;
  }
}

/**
 * The map's entries as bucket texts, built a slice at a time: the entries to group are copied in the first turn (a
 * version of a persistent map changes once another version is read), then grouped and encoded SNAPSHOT_SLICE entries
 * per turn. A BucketedMap whose bucketing still fits keeps it, and the texts of its undecoded buckets are reused as
 * they are.
 */
export async function toBuckets<K extends string, V>(current: () => ReadonlyMap<K, V>, rows: BucketRows<K, V>, nextTurn: () => Promise<void>): Promise<MapBuckets> {
  let map = current();
  // A bucketing to change needs every entry: decoded a slice per turn first, so the copy below stays one short turn.
  if (map instanceof BucketedMap && !fits(map.bucketCount, map.size)) {
    await map.decodeInSlices(Math.max(1, Math.floor(SNAPSHOT_SLICE / ENTRIES_PER_BUCKET)), nextTurn);
    map = current();
  }
  const kept = map instanceof BucketedMap && fits(map.bucketCount, map.size) ? (map as BucketedMap<K, V>) : null;
  const count = kept ? kept.bucketCount : bucketsFor(map.size);
  const size = map.size;
  const texts: (string | null)[] = Array.from({ length: count }, (_, i) => kept?.textOf(i) ?? null);
  const keys = [...(kept ? kept.decodedKeys() : map.keys())];
  const values = [...(kept ? kept.decodedValues() : map.values())];
  const groups: string[][] = Array.from({ length: count }, () => []);
  await inSlices(keys.length, SNAPSHOT_SLICE, nextTurn, (from, to) => {
    for (let i = from; i < to; i++) {
      const key = keys[i] as K;
      (groups[bucketOf(key, count)] as string[]).push(...rows.toRow(key, values[i] as V));
    }
  });
  const perTurn = Math.max(1, Math.floor(SNAPSHOT_SLICE / ENTRIES_PER_BUCKET));
  await inSlices(count, perTurn, nextTurn, (from, to) => {
    for (let i = from; i < to; i++) texts[i] ??= encodeBucket(groups[i] as string[]);
  });
  return { size, texts: texts as string[] };
}

/** The same buckets in one call, for a small map or a test. */
export function toBucketsNow<K extends string, V>(map: ReadonlyMap<K, V>, rows: BucketRows<K, V>): MapBuckets {
  const count = map instanceof BucketedMap && fits(map.bucketCount, map.size) ? map.bucketCount : bucketsFor(map.size);
  const groups: string[][] = Array.from({ length: count }, () => []);
  for (const [key, value] of map) (groups[bucketOf(key, count)] as string[]).push(...rows.toRow(key, value));
  return { size: map.size, texts: groups.map(encodeBucket) };
}
