import { BucketedMap, PersistentMap, toBuckets, toBucketsNow, type BucketRows, type MapBuckets, type SnapshotCodec } from '@as2-partners/kernel';
import { changesUnderWayFromRows, changesUnderWayToRows, type ChangesUnderWay, type ChangesUnderWayRow } from '../key-claims/key-claims';

/** One map of a directory's state: the snapshot header's field for it, and how its entries are written. */
export interface DirectoryMap {
  readonly field: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each map has its own value type; the codec only moves them
  readonly rows: BucketRows<string, any>;
}

/** A directory's state as the codec sees it: its maps, in the order of the shape's `maps`, and the changes under way. */
export interface DirectoryParts {
  readonly maps: readonly PersistentMap<string, unknown>[];
  readonly changes: ChangesUnderWay;
}

/** How one directory's state is split into its parts and built back. */
export interface DirectoryCodecShape<S> {
  readonly name: string;
  readonly previous?: SnapshotCodec<S>;
  /** The reservations first (their count weighs the state in the write model's cache), then the indexes of them. */
  readonly maps: readonly DirectoryMap[];
  readonly partsOf: (state: S) => DirectoryParts;
  readonly stateOf: (parts: DirectoryParts) => S;
}

type Header = Readonly<Record<string, { readonly size: number; readonly buckets: number }>> & {
  /** Changes under way when the snapshot was taken; absent when none (and in snapshots from before). */
  readonly changes?: ChangesUnderWayRow[];
};

/**
 * Every map as hash buckets of text (~8 entries each), decoded on first use: a restore reads the texts and builds
 * no entry, so a 100,000-entry directory answers its first command after a restart at once, and a save reuses the
 * texts of the buckets nothing touched since. The header holds each map's size and bucket count, in the shape's
 * order, and the changes under way; the texts follow, map after map.
 */
export function bucketedDirectoryCodec<S>(shape: DirectoryCodecShape<S>): SnapshotCodec<S> {
  const toJson = (buckets: readonly MapBuckets[], changes: ChangesUnderWay): unknown[] => {
    const header: Record<string, unknown> = {};
    shape.maps.forEach((map, i) => (header[map.field] = { size: buckets[i]?.size, buckets: buckets[i]?.texts.length }));
    if (changes.size > 0) header['changes'] = changesUnderWayToRows(changes);
    return [header, ...buckets.flatMap((b) => b.texts)];
  };
  const fromJson = (json: unknown): S => {
    const [header, ...texts] = json as [Header, ...string[]];
    let from = 0;
    const maps = shape.maps.map(({ field, rows }) => {
      const { size, buckets } = header[field] as { size: number; buckets: number };
      from += buckets;
      return PersistentMap.adopt(new BucketedMap(rows, { size, texts: texts.slice(from - buckets, from) }));
    });
    return shape.stateOf({ maps, changes: changesUnderWayFromRows(header.changes) });
  };
  return {
    name: shape.name,
    ...(shape.previous ? { previous: shape.previous } : {}),
    // A save costs the buckets touched since the last one: frequent saves keep a restore's fold, and what it decodes, short.
    every: 1_000,
    toJson: (state) => {
      const { maps, changes } = shape.partsOf(state);
      return toJson(
        maps.map((map, i) => toBucketsNow(map.current(), (shape.maps[i] as DirectoryMap).rows)),
        changes,
      );
    },
    toJsonInSlices: async (state, nextTurn) => {
      const { maps, changes } = shape.partsOf(state);
      const buckets: MapBuckets[] = [];
      for (const [i, map] of maps.entries()) buckets.push(await toBuckets(() => map.current(), (shape.maps[i] as DirectoryMap).rows, nextTurn));
      return toJson(buckets, changes);
    },
    fromJson,
    restore: async (json) => fromJson(json),
    weigh: (state) => shape.partsOf(state).maps[0]?.size ?? 0,
  };
}
