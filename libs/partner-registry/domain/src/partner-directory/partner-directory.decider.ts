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
import { duplicateAs2Id, partnerLimitExceeded } from '../partner-registry.errors';
import type { Plan } from '../settings/plans';
import type { PartnerDirectoryEvent } from './partner-directory.events';

export interface Reservation {
  readonly as2Id: string;
  readonly partnerId: string;
  readonly reservedAt: string;
}

/** The plan the creator is billed on, looked up by the caller; absent for an account's master partners. */
export interface PlanLimit {
  readonly plan: Plan;
  /** null: unlimited. */
  readonly limit: number | null;
}

export type PartnerDirectoryCommand =
  | {
      readonly type: 'reserve_as2_id';
      readonly as2Id: string;
      readonly partnerId: string;
      readonly planLimit: PlanLimit | null;
      /** Partner ids the caller found stale (partner never created, or deleted); their reservations are released first. */
      readonly staleReservations: readonly string[];
      readonly now: string;
    }
  /**
   * `as2Id` given: only that reservation of the partner (its old id after an AS2-id change); `reservedBefore` given:
   * only if it was reserved at or before that instant, so finishing an old change never frees the id a later change took back;
   * `unlessLatest`: not if it is the partner's latest reservation (a concurrent change back to it reserved it again).
   */
  | {
      readonly type: 'release_as2_id';
      readonly partnerId: string;
      readonly as2Id?: string;
      readonly reservedBefore?: string;
      readonly unlessLatest?: boolean;
      readonly reason: 'deleted' | 'stale' | 'changed';
      readonly now: string;
    };

export interface PartnerDirectoryState {
  /** Active reservations by AS2 id. */
  readonly reservations: PersistentMap<string, Reservation>;
  /** The AS2 id each partner holds, so a release finds it without a scan. */
  readonly as2IdOfPartner: PersistentMap<string, string>;
}

function reservationOf(state: PartnerDirectoryState, partnerId: string): Reservation | undefined {
  const as2Id = state.as2IdOfPartner.get(partnerId);
  const reservation = as2Id === undefined ? undefined : state.reservations.get(as2Id);
  return reservation?.partnerId === partnerId ? reservation : undefined;
}

function releaseStale(state: PartnerDirectoryState, partnerIds: readonly string[], now: string): PartnerDirectoryEvent[] {
  return partnerIds
    .map((partnerId) => reservationOf(state, partnerId))
    .filter((r): r is Reservation => r !== undefined)
    .map((r) => ({
      type: 'partner_directory.as2_id_released.v1' as const,
      data: { as2Id: r.as2Id, partnerId: r.partnerId, reason: 'stale' as const, releasedAt: now },
    }));
}

function decide(command: PartnerDirectoryCommand, state: PartnerDirectoryState): PartnerDirectoryEvent[] {
  switch (command.type) {
    case 'reserve_as2_id': {
      const existing = state.reservations.get(command.as2Id);
      // Held by the partner already: nothing to do, unless it is an id left over by an unfinished AS2-id change, which
      // is reserved afresh (a new time) so finishing that old change cannot release it.
      if (existing?.partnerId === command.partnerId && state.as2IdOfPartner.get(command.partnerId) === command.as2Id) return [];
      if (existing?.partnerId === command.partnerId) {
        return [{ type: 'partner_directory.as2_id_reserved.v1', data: { as2Id: command.as2Id, partnerId: command.partnerId, reservedAt: command.now } }];
      }
      const releases = releaseStale(state, command.staleReservations, command.now);
      const afterReleases = releases.reduce(evolve, state);
      if (afterReleases.reservations.has(command.as2Id)) throw duplicateAs2Id(command.as2Id);
      const current = afterReleases.reservations.size;
      const planLimit = command.planLimit;
      if (planLimit && planLimit.limit !== null && current >= planLimit.limit) {
        // Counted with the partner asked for, as seed 002's example (6 on the free plan's 5) and the certificate limit do.
        throw partnerLimitExceeded(current + 1, planLimit.limit, planLimit.plan);
      }
      return [
        ...releases,
        {
          type: 'partner_directory.as2_id_reserved.v1',
          data: { as2Id: command.as2Id, partnerId: command.partnerId, reservedAt: command.now },
        },
      ];
    }
    case 'release_as2_id': {
      const held =
        command.as2Id === undefined
          ? reservationOf(state, command.partnerId)
          : state.reservations.get(command.as2Id)?.partnerId === command.partnerId
            ? state.reservations.get(command.as2Id)
            : undefined;
      if (!held) return [];
      if (command.reservedBefore !== undefined && Date.parse(held.reservedAt) > Date.parse(command.reservedBefore)) return [];
      if (command.unlessLatest === true && state.as2IdOfPartner.get(command.partnerId) === held.as2Id) return [];
      return [
        {
          type: 'partner_directory.as2_id_released.v1',
          data: { as2Id: held.as2Id, partnerId: held.partnerId, reason: command.reason, releasedAt: command.now },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

type SnapshotEntry = [as2Id: string, partnerId: string, reservedAt: string];

/** Adds entries [from, to) of a snapshot to the two maps, in one pass with no intermediate arrays. */
function addEntries(entries: readonly SnapshotEntry[], from: number, to: number, reservations: Map<string, Reservation>, as2IdOfPartner: Map<string, string>): void {
  const end = Math.min(to, entries.length);
  for (let i = from; i < end; i++) {
    const [as2Id, partnerId, reservedAt] = entries[i] as SnapshotEntry;
    reservations.set(as2Id, { as2Id, partnerId, reservedAt });
    as2IdOfPartner.set(partnerId, as2Id);
  }
}

// O(1) per event: persistent maps, so a 100,000-event directory folds in linear time.
function evolve(state: PartnerDirectoryState, event: PartnerDirectoryEvent): PartnerDirectoryState {
  switch (event.type) {
    case 'partner_directory.as2_id_reserved.v1': {
      const { as2Id, partnerId, reservedAt } = event.data;
      return {
        reservations: state.reservations.set(as2Id, { as2Id, partnerId, reservedAt }),
        as2IdOfPartner: state.as2IdOfPartner.set(partnerId, as2Id),
      };
    }
    case 'partner_directory.as2_id_released.v1': {
      const { as2Id, partnerId } = event.data;
      if (state.reservations.get(as2Id)?.partnerId !== partnerId) return state;
      const held = state.as2IdOfPartner.get(partnerId) === as2Id;
      return { reservations: state.reservations.delete(as2Id), as2IdOfPartner: held ? state.as2IdOfPartner.delete(partnerId) : state.as2IdOfPartner };
    }
    default:
      return assertNever(event);
  }
}

/** The first snapshot form: one [as2Id, partnerId, reservedAt] entry per reservation, every one built on restore. */
const entriesCodec: SnapshotCodec<PartnerDirectoryState> = {
  name: 'partner_directory.v1',
  toJson: (state) => [...state.reservations.values()].map((r) => [r.as2Id, r.partnerId, r.reservedAt]),
  fromJson: (json) => {
    const reservations = new Map<string, Reservation>();
    const as2IdOfPartner = new Map<string, string>();
    addEntries(json as SnapshotEntry[], 0, Number.POSITIVE_INFINITY, reservations, as2IdOfPartner);
    return { reservations: PersistentMap.adopt(reservations), as2IdOfPartner: PersistentMap.adopt(as2IdOfPartner) };
  },
  restore: async (json, nextTurn) => {
    // SNAPSHOT_SLICE entries per turn: 100,000 reservations never block the event loop at once.
    const entries = json as SnapshotEntry[];
    const reservations = new Map<string, Reservation>();
    const as2IdOfPartner = new Map<string, string>();
    await inSlices(entries.length, SNAPSHOT_SLICE, nextTurn, (from, to) => addEntries(entries, from, to, reservations, as2IdOfPartner));
    return { reservations: PersistentMap.adopt(reservations), as2IdOfPartner: PersistentMap.adopt(as2IdOfPartner) };
  },
  weigh: (state) => state.reservations.size,
};

const RESERVATION_ROWS: BucketRows<string, Reservation> = {
  width: 3,
  toRow: (_, r) => [r.as2Id, r.partnerId, r.reservedAt],
  valueOf: (items, at) => ({ as2Id: items[at] as string, partnerId: items[at + 1] as string, reservedAt: items[at + 2] as string }),
};
const PARTNER_ROWS: BucketRows<string, string> = { width: 2, toRow: (partnerId, as2Id) => [partnerId, as2Id], valueOf: (items, at) => items[at + 1] as string };

interface BucketedSnapshotHeader {
  readonly reservations: { readonly size: number; readonly buckets: number };
  readonly partners: { readonly size: number; readonly buckets: number };
}

function bucketedJson(reservations: MapBuckets, partners: MapBuckets): unknown[] {
  const header: BucketedSnapshotHeader = {
    reservations: { size: reservations.size, buckets: reservations.texts.length },
    partners: { size: partners.size, buckets: partners.texts.length },
  };
  return [header, ...reservations.texts, ...partners.texts];
}

function fromBucketedJson(json: unknown): PartnerDirectoryState {
  const [header, ...texts] = json as [BucketedSnapshotHeader, ...string[]];
  const split = header.reservations.buckets;
  return {
    reservations: PersistentMap.adopt(new BucketedMap(RESERVATION_ROWS, { size: header.reservations.size, texts: texts.slice(0, split) })),
    as2IdOfPartner: PersistentMap.adopt(new BucketedMap(PARTNER_ROWS, { size: header.partners.size, texts: texts.slice(split) })),
  };
}

/**
 * Both maps as hash buckets of text (~8 entries each), decoded on first use: a restore reads the texts and builds
 * no entry, so a 100,000-entry directory answers its first create after a restart at once, and a save reuses the
 * texts of the buckets nothing touched since.
 */
const bucketedCodec: SnapshotCodec<PartnerDirectoryState> = {
  name: 'partner_directory.v2',
  previous: entriesCodec,
  // A save costs the buckets touched since the last one: frequent saves keep a restore's fold, and what it decodes, short.
  every: 1_000,
  toJson: (state) => bucketedJson(toBucketsNow(state.reservations.current(), RESERVATION_ROWS), toBucketsNow(state.as2IdOfPartner.current(), PARTNER_ROWS)),
  toJsonInSlices: async (state, nextTurn) => {
    const reservations = await toBuckets(() => state.reservations.current(), RESERVATION_ROWS, nextTurn);
    const partners = await toBuckets(() => state.as2IdOfPartner.current(), PARTNER_ROWS, nextTurn);
    return bucketedJson(reservations, partners);
  },
  fromJson: fromBucketedJson,
  restore: async (json) => fromBucketedJson(json),
  weigh: (state) => state.reservations.size,
};

/**
 * The write-side guard for AS2-id uniqueness and plan limits: one stream per scope
 * (`partner_directory-<account>.<tenant>`, `master_partner_directory-<account>`), appended with its expected revision,
 * so concurrent creates serialise on it.
 */
export const partnerDirectoryDecider: Decider<PartnerDirectoryCommand, PartnerDirectoryState, PartnerDirectoryEvent> = {
  initialState: () => ({ reservations: PersistentMap.empty(), as2IdOfPartner: PersistentMap.empty() }),
  decide,
  evolve,
  snapshot: bucketedCodec,
};

/** Reservations made before `cutoff` (ISO-8601): only these may be judged stale, younger ones may be mid-create. */
export function reservationsMadeBefore(state: PartnerDirectoryState, cutoff: string): Reservation[] {
  return [...state.reservations.values()].filter((r) => r.reservedAt < cutoff);
}

export function reservationFor(state: PartnerDirectoryState, as2Id: string): Reservation | undefined {
  return state.reservations.get(as2Id);
}
