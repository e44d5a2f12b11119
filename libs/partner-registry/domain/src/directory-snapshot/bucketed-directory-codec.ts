import { BucketedMap, PersistentMap, toBuckets, toBucketsNow, type BucketRows, type MapBuckets, type SnapshotCodec } from '@as2-partners/kernel';
import { changesUnderWayFromRows, changesUnderWayToRows, type ChangesUnderWay, type ChangesUnderWayRow } from '../key-claims/key-claims';

/** What every directory of unique keys folds to: its reservations, an index of them by holder, and the changes under way. */
export interface DirectoryParts<R, H> {
  readonly reservations: PersistentMap<string, R>;
  readonly byHolder: PersistentMap<string, H>;
  readonly changes: ChangesUnderWay;
}

/** How one directory's state is split into its parts and built back, and how each map's entries are written. */
export interface DirectoryCodecShape<S, R, H> {
  readonly name: string;
  readonly previous?: SnapshotCodec<S>;
  /** The header's field for the holder index (the partner directory's first snapshots named it `partners`). */
  readonly byHolderField: string;
  readonly reservationRows: BucketRows<string, R>;
  readonly byHolderRows: BucketRows<string, H>;
  readonly partsOf: (state: S) => DirectoryParts<R, H>;
  readonly stateOf: (parts: DirectoryParts<R, H>) => S;
}

interface Header {
  readonly reservations: { readonly size: number; readonly buckets: number };
  readonly [byHolder: string]: { readonly size: number; readonly buckets: number } | ChangesUnderWayRow[] | undefined;
  /** Changes under way when the snapshot was taken; absent when none (and in snapshots from before). */
  readonly changes?: ChangesUnderWayRow[];
}

/**
 * Both maps as hash buckets of text (~8 entries each), decoded on first use: a restore reads the texts and builds
 * no entry, so a 100,000-entry directory answers its first command after a restart at once, and a save reuses the
 * texts of the buckets nothing touched since.
 */
export function bucketedDirectoryCodec<S, R, H>(shape: DirectoryCodecShape<S, R, H>): SnapshotCodec<S> {
  const toJson = (reservations: MapBuckets, byHolder: MapBuckets, changes: ChangesUnderWay): unknown[] => {
    const header: Header = {
      reservations: { size: reservations.size, buckets: reservations.texts.length },
      [shape.byHolderField]: { size: byHolder.size, buckets: byHolder.texts.length },
      ...(changes.size === 0 ? {} : { changes: changesUnderWayToRows(changes) }),
    };
    return [header, ...reservations.texts, ...byHolder.texts];
  };
  const fromJson = (json: unknown): S => {
    const [header, ...texts] = json as [Header, ...string[]];
    const split = header.reservations.buckets;
    const byHolder = header[shape.byHolderField] as { readonly size: number };
    return shape.stateOf({
      reservations: PersistentMap.adopt(new BucketedMap(shape.reservationRows, { size: header.reservations.size, texts: texts.slice(0, split) })),
      byHolder: PersistentMap.adopt(new BucketedMap(shape.byHolderRows, { size: byHolder.size, texts: texts.slice(split) })),
      changes: changesUnderWayFromRows(header.changes),
    });
  };
  return {
    name: shape.name,
    ...(shape.previous ? { previous: shape.previous } : {}),
    // A save costs the buckets touched since the last one: frequent saves keep a restore's fold, and what it decodes, short.
    every: 1_000,
    toJson: (state) => {
      const { reservations, byHolder, changes } = shape.partsOf(state);
      return toJson(toBucketsNow(reservations.current(), shape.reservationRows), toBucketsNow(byHolder.current(), shape.byHolderRows), changes);
    },
    toJsonInSlices: async (state, nextTurn) => {
      const { reservations, byHolder, changes } = shape.partsOf(state);
      const reservationBuckets = await toBuckets(() => reservations.current(), shape.reservationRows, nextTurn);
      const byHolderBuckets = await toBuckets(() => byHolder.current(), shape.byHolderRows, nextTurn);
      return toJson(reservationBuckets, byHolderBuckets, changes);
    },
    fromJson,
    restore: async (json) => fromJson(json),
    weigh: (state) => shape.partsOf(state).reservations.size,
  };
}
