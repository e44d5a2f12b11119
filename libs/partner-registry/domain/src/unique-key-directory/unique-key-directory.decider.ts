import { assertNever, type Decider, type DomainError } from '@as2-partners/kernel';
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
      readonly now: string;
    }
  /**
   * `key` absent: every key of the holder; present: only that one (the old key after a change), and with `unlessLatest`
   * not if it is the holder's latest reservation (a concurrent change back to it reserved it again).
   */
  | {
      readonly type: 'release_key';
      readonly holderId: string;
      readonly key?: string;
      readonly unlessLatest?: boolean;
      readonly reason: 'deleted' | 'stale' | 'changed';
      readonly now: string;
    };

export interface UniqueKeyDirectoryState {
  readonly reservations: ReadonlyMap<string, KeyReservation>;
  /** The key each holder reserved last (its current one, while a change is under way the new one). */
  readonly latestKeyOf: ReadonlyMap<string, string>;
}

function evolve(state: UniqueKeyDirectoryState, event: UniqueKeyDirectoryEvent): UniqueKeyDirectoryState {
  const reservations = new Map(state.reservations);
  const latestKeyOf = new Map(state.latestKeyOf);
  switch (event.type) {
    case 'unique_key_directory.key_reserved.v1':
      reservations.set(event.data.key, { key: event.data.key, holderId: event.data.holderId, reservedAt: event.data.reservedAt });
      latestKeyOf.set(event.data.holderId, event.data.key);
      return { reservations, latestKeyOf };
    case 'unique_key_directory.key_released.v1':
      if (reservations.get(event.data.key)?.holderId === event.data.holderId) reservations.delete(event.data.key);
      if (latestKeyOf.get(event.data.holderId) === event.data.key) latestKeyOf.delete(event.data.holderId);
      return { reservations, latestKeyOf };
    default:
      return assertNever(event);
  }
}

function released(r: KeyReservation, reason: 'deleted' | 'stale' | 'changed', now: string): UniqueKeyDirectoryEvent {
  return { type: 'unique_key_directory.key_released.v1', data: { key: r.key, holderId: r.holderId, reason, releasedAt: now } };
}

/**
 * A directory of keys unique in one scope (our AS2 ids among a tenant's instances, a partnership's pair), each held
 * by one entity. `duplicate` is the scope's own refusal, so each directory answers with its documented code.
 */
export function uniqueKeyDirectoryDecider(
  duplicate: (key: string) => DomainError,
): Decider<UniqueKeyDirectoryCommand, UniqueKeyDirectoryState, UniqueKeyDirectoryEvent> {
  return {
    initialState: () => ({ reservations: new Map(), latestKeyOf: new Map() }),
    evolve,
    decide: (command, state) => {
      switch (command.type) {
        case 'reserve_key': {
          const existing = state.reservations.get(command.key);
          // Held already: nothing to do, unless it is a key a change is leaving (not the holder's latest), which is
          // reserved afresh so that change's release leaves it.
          if (existing?.holderId === command.holderId && state.latestKeyOf.get(command.holderId) === command.key) return [];
          if (existing?.holderId === command.holderId) {
            return [{ type: 'unique_key_directory.key_reserved.v1', data: { key: command.key, holderId: command.holderId, reservedAt: command.now } }];
          }
          const releases = [...state.reservations.values()]
            .filter((r) => command.staleHolders.includes(r.holderId))
            .map((r) => released(r, 'stale', command.now));
          const after = releases.reduce(evolve, state);
          if (after.reservations.has(command.key)) throw duplicate(command.key);
          return [...releases, { type: 'unique_key_directory.key_reserved.v1', data: { key: command.key, holderId: command.holderId, reservedAt: command.now } }];
        }
        case 'release_key':
          return [...state.reservations.values()]
            .filter((r) => r.holderId === command.holderId && (command.key === undefined || r.key === command.key))
            .filter((r) => command.unlessLatest !== true || state.latestKeyOf.get(r.holderId) !== r.key)
            .map((r) => released(r, command.reason, command.now));
        default:
          return assertNever(command);
      }
    },
  };
}

export function keysHeldBy(state: UniqueKeyDirectoryState, holderId: string): KeyReservation[] {
  return [...state.reservations.values()].filter((r) => r.holderId === holderId);
}
