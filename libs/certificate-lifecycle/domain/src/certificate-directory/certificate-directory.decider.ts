import {
  assertNever,
  BucketedMap,
  inSlices,
  PersistentMap,
  SNAPSHOT_SLICE,
  toBuckets,
  toBucketsNow,
  type BucketRows,
  type Decider,
  type MapBuckets,
  type SnapshotCodec,
} from '@as2-partners/kernel';
import { certificateLimitExceeded } from '../certificate-lifecycle.errors';

export type CertificateDirectoryEvent =
  | { readonly type: 'certificate_directory.reserved.v1'; readonly data: { readonly certificateId: string; readonly reservedAt: string } }
  | { readonly type: 'certificate_directory.released.v1'; readonly data: { readonly certificateId: string; readonly releasedAt: string } };

export const CERTIFICATE_DIRECTORY_EVENT_TYPES = ['certificate_directory.reserved.v1', 'certificate_directory.released.v1'] as const;

/** The plan the uploader is billed on; null for account-level certificates, which no plan limits. */
export interface StoragePlan {
  readonly plan: string;
  readonly limit: number | null;
}

export type CertificateDirectoryCommand =
  | { readonly type: 'reserve'; readonly certificateId: string; readonly plan: StoragePlan | null; readonly now: string }
  | { readonly type: 'release'; readonly certificateId: string; readonly now: string };

/** The certificates stored under one tenant (or one account), so concurrent uploads can never pass the plan limit. */
export interface CertificateDirectoryState {
  /** Certificate ids stored, with when each was reserved. */
  readonly stored: PersistentMap<string, string>;
}

function decide(command: CertificateDirectoryCommand, state: CertificateDirectoryState): CertificateDirectoryEvent[] {
  switch (command.type) {
    case 'reserve': {
      if (state.stored.has(command.certificateId)) return [];
      const limit = command.plan?.limit ?? null;
      if (command.plan && limit !== null && state.stored.size >= limit) {
        throw certificateLimitExceeded(state.stored.size + 1, limit, command.plan.plan);
      }
      return [{ type: 'certificate_directory.reserved.v1', data: { certificateId: command.certificateId, reservedAt: command.now } }];
    }
    case 'release':
      if (!state.stored.has(command.certificateId)) return [];
      return [{ type: 'certificate_directory.released.v1', data: { certificateId: command.certificateId, releasedAt: command.now } }];
    default:
      return assertNever(command);
  }
}

function evolve(state: CertificateDirectoryState, event: CertificateDirectoryEvent): CertificateDirectoryState {
  switch (event.type) {
    // O(1) per event: a persistent map, not a copied set.
    case 'certificate_directory.reserved.v1':
      return { stored: state.stored.set(event.data.certificateId, event.data.reservedAt) };
    case 'certificate_directory.released.v1':
      return { stored: state.stored.delete(event.data.certificateId) };
    default:
      return assertNever(event);
  }
}

/** The first snapshot form: one [certificateId, reservedAt] entry per certificate, every one built on restore. */
const entriesCodec: SnapshotCodec<CertificateDirectoryState> = {
  name: 'certificate_directory.v1',
  toJson: (state) => [...state.stored.entries()],
  fromJson: (json) => ({ stored: PersistentMap.of(json as [string, string][]) }),
  weigh: (state) => state.stored.size,
  restore: async (json, nextTurn) => {
    // SNAPSHOT_SLICE entries per turn, as the partner directory's.
    const entries = json as [string, string][];
    const stored = new Map<string, string>();
    await inSlices(entries.length, SNAPSHOT_SLICE, nextTurn, (from, to) => {
      for (let i = from; i < to; i++) {
        const [certificateId, reservedAt] = entries[i] as [string, string];
        stored.set(certificateId, reservedAt);
      }
    });
    return { stored: PersistentMap.adopt(stored) };
  },
};

const STORED_ROWS: BucketRows<string, string> = { width: 2, toRow: (certificateId, reservedAt) => [certificateId, reservedAt], valueOf: (items, at) => items[at + 1] as string };

function fromBucketedJson(json: unknown): CertificateDirectoryState {
  const [header, ...texts] = json as [{ readonly size: number }, ...string[]];
  return { stored: PersistentMap.adopt(new BucketedMap(STORED_ROWS, { size: header.size, texts })) };
}

const bucketedJson = (buckets: MapBuckets): unknown[] => [{ size: buckets.size }, ...buckets.texts];

/** As the partner directory's: hash buckets of text decoded on first use, so a restore builds no entry. */
const bucketedCodec: SnapshotCodec<CertificateDirectoryState> = {
  name: 'certificate_directory.v2',
  previous: entriesCodec,
  every: 1_000,
  toJson: (state) => bucketedJson(toBucketsNow(state.stored.current(), STORED_ROWS)),
  toJsonInSlices: async (state, nextTurn) => bucketedJson(await toBuckets(() => state.stored.current(), STORED_ROWS, nextTurn)),
  fromJson: fromBucketedJson,
  restore: async (json) => fromBucketedJson(json),
  weigh: (state) => state.stored.size,
};

export const certificateDirectoryDecider: Decider<CertificateDirectoryCommand, CertificateDirectoryState, CertificateDirectoryEvent> = {
  initialState: () => ({ stored: PersistentMap.empty() }),
  decide,
  evolve,
  snapshot: bucketedCodec,
};
