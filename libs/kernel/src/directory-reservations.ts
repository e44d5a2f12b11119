import type { Decider } from './decider';
import { DomainError } from './domain-error';
import type { EventMetadata } from './event-envelope';
import { EventStoreUnavailableError } from './event-store.errors';
import type { DecidedEvent } from './new-events';
import type { BatchedCommand, Decision, WriteModel } from './write-model';

/** Whether the entity behind a reservation exists: not (yet), or no longer. */
export type ReservationHolderStatus = 'none' | 'active' | 'deleted';

export interface ReservationHolder {
  readonly holderId: string;
  /** ISO-8601 UTC; for a claim, when its latest change claimed the key. */
  readonly reservedAt: string;
  /**
   * Set when the key stands in the way only for changes of the holder under way (claims, see a directory's key
   * claims), not as the key it has: their ids, and the key.
   */
  readonly claim?: { readonly key: string; readonly claimIds: readonly string[] };
}

/** A key a holder's changes claimed and never applied (a crash between the claim and the change): to release. */
export interface StaleClaim {
  readonly holderId: string;
  readonly key: string;
  readonly claimIds: readonly string[];
}

/** What stands in a reservation's way and can go: holders deleted or never created, and claims a crash left. */
export interface StaleReservations {
  readonly holders: readonly string[];
  readonly claims: readonly StaleClaim[];
}

/**
 * A directory stream whose reservations hold an invariant over many entity streams (an AS2 id unique in a
 * tenant, a plan's limit): what the reservations pattern needs to know about it.
 */
export interface ReservationDirectory<C, S, E extends DecidedEvent> {
  readonly stream: string;
  readonly decider: Decider<C, S, E>;
  /** The reservations standing in the way of a reservation refused with `error`; none when the refusal is final. */
  readonly blockers: (state: S, command: C, error: DomainError) => readonly ReservationHolder[];
  /** Looked up on the holder's own stream: the write side, never a view. */
  readonly holderStatus: (holderId: string) => Promise<ReservationHolderStatus>;
  /**
   * Whether the holder has `key` now, read on its own stream: a claim older than the grace whose key the holder does
   * not have was left by a crash before its change was applied. Required by a directory whose blockers have claims.
   */
  readonly holderHasKey?: (holderId: string, key: string) => Promise<boolean>;
}

/** How a directory's reserve command is built once the stale reservations in its way are known. */
export type ReserveCommand<C> = (staleHolders: readonly string[], staleClaims: readonly StaleClaim[]) => C;

export interface ReservedEntity<C, S, E extends DecidedEvent> {
  readonly stream: string;
  readonly decider: Decider<C, S, E>;
  readonly command: C;
  /**
   * Makes the create idempotent (WriteModel's `commandId`): decided again with the same id, it answers the events it
   * appended the first time. The entity's id should derive from it too (`commandEntityId`), so its reservation is its own.
   */
  readonly commandId?: string;
  /** Its id was made just now (not from a command id): its stream is not read before the create (WriteModel's `newStream`). */
  readonly newStream?: boolean;
}

/** The decision once it is on disk. */
async function durableDecision<S, E>(committed: Promise<Committed<S, E>>): Promise<Decision<S, E>> {
  const { decision, durable } = await committed;
  await durable;
  return decision;
}

/** A reservation younger than this may belong to a creation still in flight, so it is never judged stale. */
export const DEFAULT_RESERVATION_GRACE_MS = 30_000;

const DIRECTORY_ATTEMPTS = 20;
/** At most this many queued reservations are decided and appended together. */
const MAX_BATCH = 256;

/** A reservation decided and committed, and when it is on disk. */
interface Committed<S, E> {
  readonly decision: Decision<S, E>;
  readonly durable: Promise<void>;
}

interface Queued<C, S, E> extends BatchedCommand<C, S> {
  readonly resolve: (committed: Committed<S, E>) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Multi-stream invariants as reservations: reserve on the directory stream (its expected revision stops concurrent
 * reservations in any process), append the entity, and release the reservation when the entity is refused. The
 * entity's stream existing is the confirmation; a reservation left by a crash in between is released by the next
 * reservation it blocks, once its holder is deleted, or was never created and is older than the grace period.
 */
export class DirectoryReservations {
  // Reservations on one directory queue in this process instead of racing on its revision (a hot stream); those
  // queued while one append is in flight are decided together and appended at once (one commit, not one each).
  private readonly queues = new Map<string, Queued<unknown, unknown, unknown>[]>();

  constructor(
    private readonly writeModel: WriteModel,
    private readonly graceMs = DEFAULT_RESERVATION_GRACE_MS,
  ) {}

  /** `reserve` is given the holders and claims found stale, for the directory's decider to release first. */
  async reserve<C, S, E extends DecidedEvent>(
    directory: ReservationDirectory<C, S, E>,
    reserve: ReserveCommand<C>,
    now: Date,
    metadata: EventMetadata,
  ): Promise<Decision<S, E>> {
    return durableDecision(this.reserveCommitted(directory, reserve, now, metadata));
  }

  async release<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, release: C, metadata: EventMetadata): Promise<Decision<S, E>> {
    return durableDecision(this.enqueue(directory, release, metadata));
  }

  /** Reserve, then decide the entity; if the entity is refused, its reservation is released before the refusal propagates. */
  async reserveThenCreate<DC, DS, DE extends DecidedEvent, C, S, E extends DecidedEvent>(
    directory: ReservationDirectory<DC, DS, DE>,
    reservation: { readonly reserve: ReserveCommand<DC>; readonly release: DC },
    entity: ReservedEntity<C, S, E>,
    now: Date,
    metadata: EventMetadata,
  ): Promise<{ readonly reserved: Decision<DS, DE>; readonly created: Decision<S, E> }> {
    // Decided on a new stream's state first, so a command refused anyway reserves nothing.
    entity.decider.decide(entity.command, entity.decider.initialState());
    // Answered at commit: the entity's append goes into a later commit, so the reservation is on disk when it is (one
    // sync to wait for, not two in a row), and the directory's next batch need not wait for this one's sync either.
    const { decision: reserved, durable } = await this.reserveCommitted(directory, reservation.reserve, now, metadata);
    let created: Decision<S, E>;
    try {
      // Once: a new entity's stream must not exist, so a concurrent append is a refusal, not something to retry.
      created = await this.writeModel.decide(entity.stream, entity.decider, entity.command, metadata, {
        attempts: 1,
        ...(entity.commandId === undefined ? {} : { commandId: entity.commandId }),
        ...(entity.newStream === true ? { newStream: true } : {}),
      });
    } catch (error) {
      // An append the store committed but could not confirm may be on disk: the reservation is then the entity's, and a
      // retry of the same command finds both. Released, the key would be free beside a stored entity that has it (a
      // second partner of one AS2 id). If it was not stored after all, the reservation goes once stale, as a crash's does.
      if (!(error instanceof EventStoreUnavailableError && error.maybeStored)) await this.release(directory, reservation.release, metadata).catch(() => undefined);
      throw error;
    }
    await durable;
    return { reserved, created };
  }

  /**
   * What a reservation would be refused with now, read on the directory (stale reservations in its way released first,
   * as the reservation itself would): null when it would pass. For writes with effects elsewhere to check before them; a
   * concurrent reservation may still take the key in between, and the reservation then refuses as usual.
   */
  async refusal<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, reserve: ReserveCommand<C>, now: Date): Promise<DomainError | null> {
    const { state } = await this.writeModel.load(directory.stream, directory.decider);
    const stale = await this.staleReservations(directory, state, reserve([], []), now);
    try {
      directory.decider.decide(reserve(stale.holders, stale.claims), state);
      return null;
    } catch (error) {
      if (error instanceof DomainError) return error;
      throw error;
    }
  }

  private reserveCommitted<C, S, E extends DecidedEvent>(
    directory: ReservationDirectory<C, S, E>,
    reserve: ReserveCommand<C>,
    now: Date,
    metadata: EventMetadata,
  ): Promise<Committed<S, E>> {
    return this.enqueue(
      directory,
      async (state: S) => {
        const stale = await this.staleReservations(directory, state, reserve([], []), now);
        return reserve(stale.holders, stale.claims);
      },
      metadata,
    );
  }

  private enqueue<C, S, E extends DecidedEvent>(
    directory: ReservationDirectory<C, S, E>,
    command: BatchedCommand<C, S>['command'],
    metadata: EventMetadata,
  ): Promise<Committed<S, E>> {
    return new Promise<Committed<S, E>>((resolve, reject) => {
      const waiting = this.queues.get(directory.stream);
      const queued = { command, metadata, resolve, reject } as Queued<C, S, E>;
      if (waiting) {
        waiting.push(queued as unknown as Queued<unknown, unknown, unknown>);
        return;
      }
      const queue: Queued<C, S, E>[] = [queued];
      this.queues.set(directory.stream, queue as unknown as Queued<unknown, unknown, unknown>[]);
      void this.drain(directory, queue);
    });
  }

  /** Decides what is queued on the directory, a batch at a time, until nothing is; then the queue goes. */
  private async drain<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, queue: Queued<C, S, E>[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const outcomes = await this.writeModel.decideBatch(directory.stream, directory.decider, batch, { attempts: DIRECTORY_ATTEMPTS, untilCommitted: true });
        outcomes.forEach((outcome, i) => {
          const waiting = batch[i] as Queued<C, S, E>;
          if (outcome.ok) waiting.resolve({ decision: outcome.decision, durable: outcome.durable });
          else waiting.reject(outcome.error);
        });
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.queues.delete(directory.stream);
  }

  /** The stale reservations in this reservation's way: none unless the plain decision is refused. */
  private async staleReservations<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, state: S, command: C, now: Date): Promise<StaleReservations> {
    try {
      directory.decider.decide(command, state);
      return { holders: [], claims: [] };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const holders: string[] = [];
      const claims: StaleClaim[] = [];
      for (const holder of directory.blockers(state, command, error)) {
        if (!(await this.isStale(directory, holder, now))) continue;
        if (holder.claim) claims.push({ holderId: holder.holderId, ...holder.claim });
        else holders.push(holder.holderId);
      }
      return { holders, claims };
    }
  }

  /**
   * Whether a reservation in the way can go, as a reservation it blocks judges it: its holder deleted, or never
   * created and past the grace; for a claim, its change never applied (see isStaleClaim).
   */
  async isStale<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, holder: ReservationHolder, now: Date): Promise<boolean> {
    return holder.claim ? this.isStaleClaim(directory, holder, holder.claim, now) : this.isStaleHolder(directory, holder, now);
  }

  private async isStaleHolder<C, S, E extends DecidedEvent>(directory: ReservationDirectory<C, S, E>, holder: ReservationHolder, now: Date): Promise<boolean> {
    const status = await directory.holderStatus(holder.holderId);
    if (status === 'deleted') return true;
    return status === 'none' && this.pastGrace(holder, now);
  }

  /** A claim past the grace whose key its holder does not have: its change was never applied, and never will be. */
  private async isStaleClaim<C, S, E extends DecidedEvent>(
    directory: ReservationDirectory<C, S, E>,
    holder: ReservationHolder,
    claim: NonNullable<ReservationHolder['claim']>,
    now: Date,
  ): Promise<boolean> {
    if (!this.pastGrace(holder, now)) return false;
    if (!directory.holderHasKey) throw new Error(`Directory ${directory.stream} names claims in its blockers but cannot read a holder's key`);
    return !(await directory.holderHasKey(holder.holderId, claim.key));
  }

  private pastGrace(holder: ReservationHolder, now: Date): boolean {
    return Date.parse(holder.reservedAt) < now.getTime() - this.graceMs;
  }
}
