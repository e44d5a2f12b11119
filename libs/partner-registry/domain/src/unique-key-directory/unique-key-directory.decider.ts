import { assertNever, type Decider, type DomainError } from '@as2-partners/kernel';
import type { UniqueKeyDirectoryEvent } from './unique-key-directory.events';

export interface KeyReservation {
  readonly key: string;
  readonly holderId: string;
  readonly reservedAt: string;
}

/** A key reserved for a change of its holder that has not settled yet. */
export interface KeyClaim {
  readonly key: string;
  readonly claimedAt: string;
}

export type UniqueKeyDirectoryCommand =
  | {
      readonly type: 'reserve_key';
      readonly key: string;
      readonly holderId: string;
      /** Holder ids the caller found stale (never created, or deleted); their reservations are released first. */
      readonly staleHolders: readonly string[];
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

export interface UniqueKeyDirectoryState {
  readonly reservations: ReadonlyMap<string, KeyReservation>;
  /** Per holder, the claims of its changes under way, by claim id. */
  readonly claims: ReadonlyMap<string, ReadonlyMap<string, KeyClaim>>;
  /** Per holder, the latest reading of its key a settled change brought (a later revision wins over an earlier one). */
  readonly settled: ReadonlyMap<string, { readonly key: string | null; readonly revision: number }>;
}

function withClaims(state: UniqueKeyDirectoryState, holderId: string, change: (claims: Map<string, KeyClaim>) => void): UniqueKeyDirectoryState['claims'] {
  const claims = new Map(state.claims);
  const own = new Map(state.claims.get(holderId));
  change(own);
  if (own.size === 0) claims.delete(holderId);
  else claims.set(holderId, own);
  return claims;
}

function evolve(state: UniqueKeyDirectoryState, event: UniqueKeyDirectoryEvent): UniqueKeyDirectoryState {
  switch (event.type) {
    case 'unique_key_directory.key_reserved.v1': {
      const { key, holderId, reservedAt, claimId } = event.data;
      const reservations = new Map(state.reservations).set(key, { key, holderId, reservedAt });
      const claims = claimId === undefined ? state.claims : withClaims(state, holderId, (own) => own.set(claimId, { key, claimedAt: reservedAt }));
      return { ...state, reservations, claims };
    }
    case 'unique_key_directory.key_released.v1': {
      const { key, holderId, reason } = event.data;
      if (state.reservations.get(key)?.holderId !== holderId) return state;
      const reservations = new Map(state.reservations);
      reservations.delete(key);
      // A deleted holder's changes under way are refused on its stream; their claims go with its keys.
      const claims = withClaims(state, holderId, (own) => {
        for (const [claimId, claim] of own) if (claim.key === key || reason !== 'changed') own.delete(claimId);
      });
      if (reason === 'changed' || !state.settled.has(holderId)) return { ...state, reservations, claims };
      const settled = new Map(state.settled);
      settled.delete(holderId);
      return { reservations, claims, settled };
    }
    case 'unique_key_directory.key_claim_settled.v1': {
      const { holderId, claimId, staleClaims, currentKey, revision } = event.data;
      const claims = withClaims(state, holderId, (own) => {
        own.delete(claimId);
        for (const stale of staleClaims) own.delete(stale);
      });
      const settled = new Map(state.settled).set(holderId, { key: currentKey, revision });
      return { ...state, claims, settled };
    }
    default:
      return assertNever(event);
  }
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
  const known = state.settled.get(holderId);
  // Readings race (each change reads after itself): the one of the latest revision is the holder's key.
  const latest = known !== undefined && known.revision > command.revision ? known : { key: command.currentKey, revision: command.revision };
  const others = [...(state.claims.get(holderId) ?? new Map<string, KeyClaim>())].filter(([id]) => id !== claimId);
  const staleClaims = others.filter(([, claim]) => Date.parse(claim.claimedAt) < Date.parse(command.claimsStaleBefore)).map(([id]) => id);
  const stillClaimed = new Set(others.filter(([id]) => !staleClaims.includes(id)).map(([, claim]) => claim.key));
  const settledEvent: UniqueKeyDirectoryEvent = {
    type: 'unique_key_directory.key_claim_settled.v1',
    data: { holderId, claimId, staleClaims, currentKey: latest.key, revision: latest.revision, settledAt: now },
  };
  const releases = keysHeldBy(state, holderId)
    .filter((r) => r.key !== latest.key && !stillClaimed.has(r.key))
    .map((r) => released(r, 'changed', now));
  return [settledEvent, ...releases];
}

/**
 * A directory of keys unique in one scope (our AS2 ids among a tenant's instances, a partnership's pair), each held
 * by one entity. `duplicate` is the scope's own refusal, so each directory answers with its documented code.
 *
 * A change of key claims the new one (`reserve_key` with a claim id) before it is applied on the holder's stream and
 * settles that claim after, with the key it then reads there: concurrent changes of one holder, in any order, leave
 * exactly its current key reserved, and the key of a change still under way is never released under it.
 */
export function uniqueKeyDirectoryDecider(
  duplicate: (key: string) => DomainError,
): Decider<UniqueKeyDirectoryCommand, UniqueKeyDirectoryState, UniqueKeyDirectoryEvent> {
  return {
    initialState: () => ({ reservations: new Map(), claims: new Map(), settled: new Map() }),
    evolve,
    decide: (command, state) => {
      switch (command.type) {
        case 'reserve_key': {
          const existing = state.reservations.get(command.key);
          if (existing?.holderId === command.holderId) return command.claimId === undefined ? [] : [reserved(command)];
          const releases = [...state.reservations.values()]
            .filter((r) => command.staleHolders.includes(r.holderId))
            .map((r) => released(r, 'stale', command.now));
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

export function keysHeldBy(state: UniqueKeyDirectoryState, holderId: string): KeyReservation[] {
  return [...state.reservations.values()].filter((r) => r.holderId === holderId);
}
