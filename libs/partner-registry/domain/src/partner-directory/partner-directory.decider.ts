import { assertNever, bucketedMapsCodec, inSlices, PersistentMap, SNAPSHOT_SLICE, type BucketRows, type Decider, type SnapshotCodec, type StaleClaim } from '@as2-partners/kernel';
import {
  afterSettlement,
  changesUnderWayFromHeader,
  changesUnderWayHeader,
  claimedKeys,
  isClaimed,
  noChangesUnderWay,
  onlyClaimedBy,
  settlementOf,
  withClaim,
  withoutClaimsOn,
  withoutHolder,
  type ChangesUnderWay,
} from '../key-claims/key-claims';
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
      /** Ids the caller found claimed by AS2-id changes a crash left before applying them; released first unless claimed since. */
      readonly staleClaims?: readonly StaleClaim[];
      /** Set by an AS2-id change: the new id stays reserved for it until it settles that claim (`settle_as2_id_claim`). */
      readonly claimId?: string;
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
    }
  /**
   * An AS2-id change is done, applied or refused; `currentAs2Id` is the partner's id read on its own stream after it,
   * at `revision` (null once deleted). The partner's ids are released except its current one and those claimed by
   * changes still under way (claims made before `claimsStaleBefore` excepted: a crash left them). See key-claims.
   */
  | {
      readonly type: 'settle_as2_id_claim';
      readonly partnerId: string;
      readonly claimId: string;
      readonly currentAs2Id: string | null;
      readonly revision: number;
      readonly claimsStaleBefore: string;
      readonly now: string;
    }
  /**
   * After a recorded change (`oldAs2Id` → `newAs2Id` at `changedAt`), whatever happened to the process that made it:
   * settles its claim if the caller found it still under way (`claimId`: a crash came before), else releases
   * `oldAs2Id` as a change left it (reserved at or before `changedAt`, neither the partner's id nor claimed since).
   * Idempotent.
   */
  | {
      readonly type: 'finish_as2_id_change';
      readonly partnerId: string;
      readonly claimId: string | null;
      readonly oldAs2Id: string;
      readonly changedAt: string;
      readonly currentAs2Id: string | null;
      readonly revision: number;
      readonly claimsStaleBefore: string;
      readonly now: string;
    };

export interface PartnerDirectoryState {
  /** Active reservations by AS2 id. */
  readonly reservations: PersistentMap<string, Reservation>;
  /** The AS2 id each partner holds, so a release finds it without a scan. */
  readonly as2IdOfPartner: PersistentMap<string, string>;
  /** AS2-id changes under way, by partner (usually none): the ids they claimed. */
  readonly changes: ChangesUnderWay;
}

/** Every reservation of the partner: the id it holds and those its changes under way claimed. */
function reservationsOf(state: PartnerDirectoryState, partnerId: string): Reservation[] {
  const ids = new Set([state.as2IdOfPartner.get(partnerId), ...claimedKeys(state.changes, partnerId)]);
  return [...ids].map((as2Id) => (as2Id === undefined ? undefined : state.reservations.get(as2Id))).filter((r): r is Reservation => r?.partnerId === partnerId);
}

function released(r: Reservation, reason: 'deleted' | 'stale' | 'changed', now: string): PartnerDirectoryEvent {
  return { type: 'partner_directory.as2_id_released.v1', data: { as2Id: r.as2Id, partnerId: r.partnerId, reason, releasedAt: now } };
}

function releaseStale(state: PartnerDirectoryState, partnerIds: readonly string[], now: string): PartnerDirectoryEvent[] {
  return partnerIds.flatMap((partnerId) => reservationsOf(state, partnerId)).map((r) => released(r, 'stale', now));
}

/** The reservation of an id a crash left claimed, unless it is the partner's id now or claimed by a change since. */
function crashLeft(state: PartnerDirectoryState, claim: StaleClaim): Reservation[] {
  const reservation = state.reservations.get(claim.key);
  if (reservation?.partnerId !== claim.holderId || state.as2IdOfPartner.get(claim.holderId) === claim.key) return [];
  return onlyClaimedBy(state.changes, claim.holderId, claim.key, claim.claimIds) ? [reservation] : [];
}

function reserved(command: Extract<PartnerDirectoryCommand, { type: 'reserve_as2_id' }>): PartnerDirectoryEvent {
  const { as2Id, partnerId, claimId, now } = command;
  if (claimId === undefined) return { type: 'partner_directory.as2_id_reserved.v1', data: { as2Id, partnerId, reservedAt: now } };
  return { type: 'partner_directory.as2_id_reserved.v1', data: { as2Id, partnerId, reservedAt: now, claimId } };
}

function settle(state: PartnerDirectoryState, command: Extract<PartnerDirectoryCommand, { type: 'settle_as2_id_claim' }>): PartnerDirectoryEvent[] {
  const { partnerId, claimId, now } = command;
  const settlement = settlementOf(state.changes, partnerId, claimId, { key: command.currentAs2Id, revision: command.revision }, command.claimsStaleBefore);
  if (settlement === null) return [];
  const { latest, staleClaims, keep } = settlement;
  const settledEvent: PartnerDirectoryEvent = {
    type: 'partner_directory.as2_id_claim_settled.v1',
    data: { partnerId, claimId, staleClaims, currentAs2Id: latest.key, revision: latest.revision, settledAt: now },
  };
  return [settledEvent, ...reservationsOf(state, partnerId).filter((r) => !keep.has(r.as2Id)).map((r) => released(r, 'changed', now))];
}

function decide(command: PartnerDirectoryCommand, state: PartnerDirectoryState): PartnerDirectoryEvent[] {
  switch (command.type) {
    case 'reserve_as2_id': {
      const existing = state.reservations.get(command.as2Id);
      // Held by the partner already: nothing to do, unless it is an id left over by an unfinished AS2-id change, which
      // is reserved afresh (a new time) so finishing that old change cannot release it.
      // A change's claim is recorded all the same.
      if (existing?.partnerId === command.partnerId && state.as2IdOfPartner.get(command.partnerId) === command.as2Id && command.claimId === undefined) return [];
      if (existing?.partnerId === command.partnerId) return [reserved(command)];
      const releases = [
        ...releaseStale(state, command.staleReservations, command.now),
        ...(command.staleClaims ?? []).flatMap((claim) => crashLeft(state, claim)).map((r) => released(r, 'changed', command.now)),
      ];
      const afterReleases = releases.reduce(evolve, state);
      if (afterReleases.reservations.has(command.as2Id)) throw duplicateAs2Id(command.as2Id);
      const current = afterReleases.reservations.size;
      const planLimit = command.planLimit;
      if (planLimit && planLimit.limit !== null && current >= planLimit.limit) {
        // Counted with the partner asked for, as seed 002's example (6 on the free plan's 5) and the certificate limit do.
        throw partnerLimitExceeded(current + 1, planLimit.limit, planLimit.plan);
      }
      return [...releases, reserved(command)];
    }
    case 'release_as2_id': {
      if (command.as2Id === undefined) return reservationsOf(state, command.partnerId).map((r) => released(r, command.reason, command.now));
      const held = state.reservations.get(command.as2Id);
      if (held?.partnerId !== command.partnerId) return [];
      if (command.reservedBefore !== undefined && Date.parse(held.reservedAt) > Date.parse(command.reservedBefore)) return [];
      // The partner's id, or one a change under way claimed: not what an old change left.
      if (command.unlessLatest === true && (state.as2IdOfPartner.get(command.partnerId) === held.as2Id || isClaimed(state.changes, command.partnerId, held.as2Id))) return [];
      return [released(held, command.reason, command.now)];
    }
    case 'settle_as2_id_claim':
      return settle(state, command);
    case 'finish_as2_id_change': {
      if (command.claimId !== null) return settle(state, { ...command, type: 'settle_as2_id_claim', claimId: command.claimId });
      return decide({ type: 'release_as2_id', partnerId: command.partnerId, as2Id: command.oldAs2Id, reservedBefore: command.changedAt, unlessLatest: true, reason: 'changed', now: command.now }, state);
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
      const { as2Id, partnerId, reservedAt, claimId } = event.data;
      const reservations = state.reservations.set(as2Id, { as2Id, partnerId, reservedAt });
      // A change's claim: the partner's id is still the one it holds until the change settles.
      // Object literals, not spreads: this runs once per create and per stored event on a load.
      if (claimId !== undefined) {
        return { reservations, as2IdOfPartner: state.as2IdOfPartner, changes: withClaim(state.changes, partnerId, claimId, { key: as2Id, claimedAt: reservedAt }) };
      }
      return { reservations, as2IdOfPartner: state.as2IdOfPartner.set(partnerId, as2Id), changes: state.changes };
    }
    case 'partner_directory.as2_id_released.v1': {
      const { as2Id, partnerId, reason } = event.data;
      if (state.reservations.get(as2Id)?.partnerId !== partnerId) return state;
      const held = state.as2IdOfPartner.get(partnerId) === as2Id;
      return {
        reservations: state.reservations.delete(as2Id),
        as2IdOfPartner: held ? state.as2IdOfPartner.delete(partnerId) : state.as2IdOfPartner,
        // A deleted partner's changes under way are refused on its stream: their claims go with its ids.
        changes: reason === 'changed' ? withoutClaimsOn(state.changes, partnerId, as2Id) : withoutHolder(state.changes, partnerId),
      };
    }
    case 'partner_directory.as2_id_claim_settled.v1': {
      const { partnerId, claimId, staleClaims, currentAs2Id, revision } = event.data;
      const changes = afterSettlement(state.changes, partnerId, claimId, staleClaims, { key: currentAs2Id, revision });
      const holds = currentAs2Id !== null && state.reservations.get(currentAs2Id)?.partnerId === partnerId;
      return { reservations: state.reservations, as2IdOfPartner: holds ? state.as2IdOfPartner.set(partnerId, currentAs2Id) : state.as2IdOfPartner, changes };
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
    return { reservations: PersistentMap.adopt(reservations), as2IdOfPartner: PersistentMap.adopt(as2IdOfPartner), changes: noChangesUnderWay };
  },
  restore: async (json, nextTurn) => {
    // SNAPSHOT_SLICE entries per turn: 100,000 reservations never block the event loop at once.
    const entries = json as SnapshotEntry[];
    const reservations = new Map<string, Reservation>();
    const as2IdOfPartner = new Map<string, string>();
    await inSlices(entries.length, SNAPSHOT_SLICE, nextTurn, (from, to) => addEntries(entries, from, to, reservations, as2IdOfPartner));
    return { reservations: PersistentMap.adopt(reservations), as2IdOfPartner: PersistentMap.adopt(as2IdOfPartner), changes: noChangesUnderWay };
  },
  weigh: (state) => state.reservations.size,
};

const RESERVATION_ROWS: BucketRows<string, Reservation> = {
  width: 3,
  toRow: (_, r) => [r.as2Id, r.partnerId, r.reservedAt],
  valueOf: (items, at) => ({ as2Id: items[at] as string, partnerId: items[at + 1] as string, reservedAt: items[at + 2] as string }),
};
const PARTNER_ROWS: BucketRows<string, string> = { width: 2, toRow: (partnerId, as2Id) => [partnerId, as2Id], valueOf: (items, at) => items[at + 1] as string };

/** Both maps as hash buckets of text, decoded on first use (see bucketedMapsCodec). */
const bucketedCodec: SnapshotCodec<PartnerDirectoryState> = bucketedMapsCodec({
  name: 'partner_directory.v2',
  previous: entriesCodec,
  maps: [
    { field: 'reservations', rows: RESERVATION_ROWS },
    { field: 'partners', rows: PARTNER_ROWS },
  ],
  partsOf: (state) => ({ maps: [state.reservations, state.as2IdOfPartner], header: changesUnderWayHeader(state.changes) }),
  stateOf: ({ maps: [reservations, as2IdOfPartner], header }) => ({
    reservations: reservations as PartnerDirectoryState['reservations'],
    as2IdOfPartner: as2IdOfPartner as PartnerDirectoryState['as2IdOfPartner'],
    changes: changesUnderWayFromHeader(header),
  }),
});

/**
 * The write-side guard for AS2-id uniqueness and plan limits: one stream per scope
 * (`partner_directory-<account>.<tenant>`, `master_partner_directory-<account>`), appended with its expected revision,
 * so concurrent creates serialise on it.
 */
export const partnerDirectoryDecider: Decider<PartnerDirectoryCommand, PartnerDirectoryState, PartnerDirectoryEvent> = {
  initialState: () => ({ reservations: PersistentMap.empty(), as2IdOfPartner: PersistentMap.empty(), changes: noChangesUnderWay }),
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
