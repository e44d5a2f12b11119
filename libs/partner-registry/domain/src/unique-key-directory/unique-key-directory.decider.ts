import { assertNever, bucketedMapsCodec, PersistentMap, type BucketRows, type Decider, type DomainError, type SnapshotCodec, type StaleClaim } from '@as2-partners/kernel';
import { afterSettlement, changesUnderWayFromHeader, changesUnderWayHeader, type ChangesUnderWay, noChangesUnderWay, onlyClaimedBy, settlementOf, withClaim, withoutClaimsOn, withoutHolder } from '../key-claims/key-claims';
import type { UniqueKeyDirectoryEvent } from './unique-key-directory.events';

export interface KeyReservation {
  readonly key: string;
  readonly holderId: string;
  readonly reservedAt: string;
}

export type UniqueKeyDirectoryCommand =
  | {
      readonly type: 'reserve_key';
      readonly key: string;
      readonly holderId: string;
      /** Holder ids the caller found stale (never created, or deleted); their reservations are released first. */
      readonly staleHolders: readonly string[];
      /** Keys the caller found claimed by changes a crash left before applying them; released first unless claimed since. */
      readonly staleClaims?: readonly StaleClaim[];
      /** Set by a change of an existing holder: the key stays reserved for it until it settles that claim. */
      readonly claimId?: string;
      readonly now: string;
    }
  /** Every key of the holder (deleted, or never created). */
  | { readonly type: 'release_key'; readonly holderId: string; readonly reason: 'deleted' | 'stale'; readonly now: string }
  /**
   * A change of the holder is done, applied or refused; `currentKey` is the holder's key read on its own stream after
   * it, at `revision`. Every key of the holder is released except its current one and those claimed by changes still
   * under way (claims made before `claimsStaleBefore` excepted: a crash left them).
   */
  | {
      readonly type: 'settle_key_claim';
      readonly holderId: string;
      readonly claimId: string;
      readonly currentKey: string | null;
      readonly revision: number;
      readonly claimsStaleBefore: string;
      readonly now: string;
    };

// O(1) per event (persistent maps, a holder's keys indexed): an account's partnership directory of 100,000 pairs folds
// and decides without copying them.
export interface UniqueKeyDirectoryState {
  readonly reservations: PersistentMap<string, KeyReservation>;
  /** The keys each holder holds (one or a few), so a holder's are found without a scan. */
  readonly keysOfHolder: PersistentMap<string, readonly string[]>;
  /** The reserved keys by each term the directory's `termsOf` reads in them (a partnership's partner), found without a scan. */
  readonly keysOfTerm: PersistentMap<string, readonly string[]>;
  readonly changes: ChangesUnderWay;
}

/** What a key is looked up by besides itself (a partnership's pair key: its partner); none by default. */
export type KeyTerms = (key: string) => readonly string[];

const noTerms: KeyTerms = () => [];

function withKey(index: PersistentMap<string, readonly string[]>, entry: string, key: string, held: boolean): PersistentMap<string, readonly string[]> {
  const keys = (index.get(entry) ?? []).filter((k) => k !== key);
  if (held) keys.push(key);
  return keys.length === 0 ? index.delete(entry) : index.set(entry, keys);
}

function withTerms(keysOfTerm: PersistentMap<string, readonly string[]>, terms: readonly string[], key: string, held: boolean): PersistentMap<string, readonly string[]> {
  let index = keysOfTerm;
  for (const term of terms) index = withKey(index, term, key, held);
  return index;
}

function evolveWith(termsOf: KeyTerms): (state: UniqueKeyDirectoryState, event: UniqueKeyDirectoryEvent) => UniqueKeyDirectoryState {
  return (state, event) => {
    switch (event.type) {
      case 'unique_key_directory.key_reserved.v1': {
        const { key, holderId, reservedAt, claimId } = event.data;
        const previous = state.reservations.get(key)?.holderId;
        const withoutPrevious = previous === undefined || previous === holderId ? state.keysOfHolder : withKey(state.keysOfHolder, previous, key, false);
        return {
          reservations: state.reservations.set(key, { key, holderId, reservedAt }),
          keysOfHolder: withKey(withoutPrevious, holderId, key, true),
          // Terms follow the key, whoever holds it: a key reserved again is indexed already.
          keysOfTerm: previous === undefined ? withTerms(state.keysOfTerm, termsOf(key), key, true) : state.keysOfTerm,
          changes: claimId === undefined ? state.changes : withClaim(state.changes, holderId, claimId, { key, claimedAt: reservedAt }),
        };
      }
      case 'unique_key_directory.key_released.v1': {
        const { key, holderId, reason } = event.data;
        if (state.reservations.get(key)?.holderId !== holderId) return state;
        return {
          reservations: state.reservations.delete(key),
          keysOfHolder: withKey(state.keysOfHolder, holderId, key, false),
          keysOfTerm: withTerms(state.keysOfTerm, termsOf(key), key, false),
          // A deleted holder's changes under way are refused on its stream: their claims go with its keys.
          changes: reason === 'changed' ? withoutClaimsOn(state.changes, holderId, key) : withoutHolder(state.changes, holderId),
        };
      }
      case 'unique_key_directory.key_claim_settled.v1': {
        const { holderId, claimId, staleClaims, currentKey, revision } = event.data;
        return { ...state, changes: afterSettlement(state.changes, holderId, claimId, staleClaims, { key: currentKey, revision }) };
      }
      default:
        return assertNever(event);
    }
  };
}

function released(r: KeyReservation, reason: 'deleted' | 'stale' | 'changed', now: string): UniqueKeyDirectoryEvent {
  return { type: 'unique_key_directory.key_released.v1', data: { key: r.key, holderId: r.holderId, reason, releasedAt: now } };
}

function reserved(command: Extract<UniqueKeyDirectoryCommand, { type: 'reserve_key' }>): UniqueKeyDirectoryEvent {
  const { key, holderId, claimId, now } = command;
  return { type: 'unique_key_directory.key_reserved.v1', data: { key, holderId, reservedAt: now, ...(claimId === undefined ? {} : { claimId }) } };
}

function settle(state: UniqueKeyDirectoryState, command: Extract<UniqueKeyDirectoryCommand, { type: 'settle_key_claim' }>): UniqueKeyDirectoryEvent[] {
  const { holderId, claimId, now } = command;
  const settlement = settlementOf(state.changes, holderId, claimId, { key: command.currentKey, revision: command.revision }, command.claimsStaleBefore);
  if (settlement === null) return [];
  const { latest, staleClaims, keep } = settlement;
  const settledEvent: UniqueKeyDirectoryEvent = {
    type: 'unique_key_directory.key_claim_settled.v1',
    data: { holderId, claimId, staleClaims, currentKey: latest.key, revision: latest.revision, settledAt: now },
  };
  return [settledEvent, ...keysHeldBy(state, holderId).filter((r) => !keep.has(r.key)).map((r) => released(r, 'changed', now))];
}

const RESERVATION_ROWS: BucketRows<string, KeyReservation> = {
  width: 3,
  toRow: (_, r) => [r.key, r.holderId, r.reservedAt],
  valueOf: (items, at) => ({ key: items[at] as string, holderId: items[at + 1] as string, reservedAt: items[at + 2] as string }),
};
// A holder holds one key, or a few while a change is under way; a term a few keys: JSON, escaped by the bucket's text like any string.
const KEY_LIST_ROWS: BucketRows<string, readonly string[]> = {
  width: 2,
  toRow: (entry, keys) => [entry, JSON.stringify(keys)],
  valueOf: (items, at) => JSON.parse(items[at + 1] as string) as string[],
};

/**
 * Snapshots, so an account's partnership directory (every tenant's partnerships, one stream) is not folded event by
 * event at its first command after a restart; restored without decoding (see bucketedMapsCodec).
 */
const snapshotCodec: SnapshotCodec<UniqueKeyDirectoryState> = bucketedMapsCodec({
  name: 'unique_key_directory.v1',
  maps: [
    { field: 'reservations', rows: RESERVATION_ROWS },
    { field: 'holders', rows: KEY_LIST_ROWS },
    { field: 'terms', rows: KEY_LIST_ROWS },
  ],
  partsOf: (state) => ({ maps: [state.reservations, state.keysOfHolder, state.keysOfTerm], header: changesUnderWayHeader(state.changes) }),
  stateOf: ({ maps: [reservations, keysOfHolder, keysOfTerm], header }) => ({
    reservations: reservations as UniqueKeyDirectoryState['reservations'],
    keysOfHolder: keysOfHolder as UniqueKeyDirectoryState['keysOfHolder'],
    keysOfTerm: keysOfTerm as UniqueKeyDirectoryState['keysOfTerm'],
    changes: changesUnderWayFromHeader(header),
  }),
});

/**
 * A directory of keys unique in one scope (our AS2 ids among a tenant's instances, a partnership's pair), each held
 * by one entity. `duplicate` is the scope's own refusal, so each directory answers with its documented code.
 * A change of key claims the new one and settles the claim after (see key-claims). `termsOf` names what else a key
 * is found by (`keysWithTerm`).
 */
export function uniqueKeyDirectoryDecider(
  duplicate: (key: string) => DomainError,
  termsOf: KeyTerms = noTerms,
): Decider<UniqueKeyDirectoryCommand, UniqueKeyDirectoryState, UniqueKeyDirectoryEvent> {
  const evolve = evolveWith(termsOf);
  return {
    initialState: () => ({ reservations: PersistentMap.empty(), keysOfHolder: PersistentMap.empty(), keysOfTerm: PersistentMap.empty(), changes: noChangesUnderWay }),
    evolve,
    snapshot: snapshotCodec,
    decide: (command, state) => {
      switch (command.type) {
        case 'reserve_key': {
          const existing = state.reservations.get(command.key);
          if (existing?.holderId === command.holderId) return command.claimId === undefined ? [] : [reserved(command)];
          const releases = [
            ...command.staleHolders.flatMap((holderId) => keysHeldBy(state, holderId)).map((r) => released(r, 'stale', command.now)),
            ...(command.staleClaims ?? []).flatMap((claim) => crashLeft(state, claim)).map((r) => released(r, 'changed', command.now)),
          ];
          const after = releases.reduce(evolve, state);
          if (after.reservations.has(command.key)) throw duplicate(command.key);
          return [...releases, reserved(command)];
        }
        case 'release_key':
          return keysHeldBy(state, command.holderId).map((r) => released(r, command.reason, command.now));
        case 'settle_key_claim':
          return settle(state, command);
        default:
          return assertNever(command);
      }
    },
  };
}

/** The reservation of a key a crash left claimed, unless it is held otherwise now or claimed by a change since. */
function crashLeft(state: UniqueKeyDirectoryState, claim: StaleClaim): KeyReservation[] {
  const reservation = state.reservations.get(claim.key);
  if (reservation?.holderId !== claim.holderId || !onlyClaimedBy(state.changes, claim.holderId, claim.key, claim.claimIds)) return [];
  return [reservation];
}

export function keysHeldBy(state: UniqueKeyDirectoryState, holderId: string): KeyReservation[] {
  return (state.keysOfHolder.get(holderId) ?? []).map((key) => state.reservations.get(key)).filter((r): r is KeyReservation => r?.holderId === holderId);
}

/** The reservations of the keys with `term` (see `termsOf`). */
export function keysWithTerm(state: UniqueKeyDirectoryState, term: string): KeyReservation[] {
  return (state.keysOfTerm.get(term) ?? []).map((key) => state.reservations.get(key)).filter((r): r is KeyReservation => r !== undefined);
}
