import { BucketedMap, toBuckets, toBucketsNow, type BucketRows, type MapBuckets } from './bucketed-map';
import type { SnapshotCodec } from './decider';
import { PersistentMap } from './persistent-map';

/** One large map of a state: the snapshot header's field for it, and how its entries are written. */
export interface SnapshotMap {
  readonly field: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each map has its own value type; the codec only moves them
  readonly rows: BucketRows<string, any>;
}

/** A state as the codec sees it: its large maps, in the order of the shape's `maps`, and the small rest (JSON fields of the header). */
export interface SnapshotParts {
  readonly maps: readonly PersistentMap<string, unknown>[];
  readonly header?: Readonly<Record<string, unknown>>;
}

/** How one state is split into its parts and built back. */
export interface BucketedMapsShape<S> {
  readonly name: string;
  readonly previous?: SnapshotCodec<S>;
  /** The largest first (its size weighs the state in the write model's cache); no field a header field names. */
  readonly maps: readonly SnapshotMap[];
  readonly partsOf: (state: S) => SnapshotParts;
  readonly stateOf: (parts: { readonly maps: PersistentMap<string, unknown>[]; readonly header: Readonly<Record<string, unknown>> }) => S;
}

/**
 * Every large map as hash buckets of text (~8 entries each), decoded on first use: a restore reads the texts and
 * builds no entry, so a state of 100,000 entries (a directory, a station's members, a partner's recorded tests)
 * answers its first command after a restart at once, and a save reuses the texts of the buckets nothing touched
 * since. The header holds each map's size and bucket count, in the shape's order, and the rest of the state; the
 * texts follow, map after map.
 */
export function bucketedMapsCodec<S>(shape: BucketedMapsShape<S>): SnapshotCodec<S> {
  const toJson = (buckets: readonly MapBuckets[], parts: SnapshotParts): unknown[] => {
    const header: Record<string, unknown> = {};
    shape.maps.forEach((map, i) => (header[map.field] = { size: buckets[i]?.size, buckets: buckets[i]?.texts.length }));
    Object.assign(header, parts.header);
    return [header, ...buckets.flatMap((b) => b.texts)];
  };
  const fromJson = (json: unknown): S => {
    const [header, ...texts] = json as [Record<string, unknown>, ...string[]];
    let from = 0;
    const maps = shape.maps.map(({ field, rows }) => {
      const { size, buckets } = header[field] as { size: number; buckets: number };
      from += buckets;
      return PersistentMap.adopt(new BucketedMap(rows, { size, texts: texts.slice(from - buckets, from) }));
    });
    return shape.stateOf({ maps, header });
  };
  const rowsOf = (i: number) => (shape.maps[i] as SnapshotMap).rows;
  return {
    name: shape.name,
    ...(shape.previous ? { previous: shape.previous } : {}),
    // No fixed `every`: a save encodes only the buckets touched since the last one, but the store writes the whole state
    // again (11.6 MB for a hub's 100,000 partners), so saves follow the write model's rule (every 1,000 events, or a
    // tenth of the stream when longer) and their cost per event stays flat as the state grows.
    toJson: (state) => {
      const parts = shape.partsOf(state);
      return toJson(
        parts.maps.map((map, i) => toBucketsNow(map.current(), rowsOf(i))),
        parts,
      );
    },
    toJsonInSlices: async (state, nextTurn) => {
      const parts = shape.partsOf(state);
      const buckets: MapBuckets[] = [];
      for (const [i, map] of parts.maps.entries()) buckets.push(await toBuckets(() => map.current(), rowsOf(i), nextTurn));
      return toJson(buckets, parts);
    },
    fromJson,
    restore: async (json) => fromJson(json),
    weigh: (state) => shape.partsOf(state).maps[0]?.size ?? 1,
  };
}
