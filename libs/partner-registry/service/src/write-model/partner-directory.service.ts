import {
  DirectoryReservations,
  DomainError,
  type ExpectedRevision,
  type DecidedEvent,
  type Decision,
  type EventMetadata,
  type ReservationDirectory,
  type ReservationHolder,
  type ReservationHolderStatus,
  type ReserveCommand,
  type ReservedEntity,
  type WriteModel,
} from '@as2-partners/kernel';
import {
  blockerOf,
  claimUnderWay,
  partnerDirectoryDecider,
  PartnerRegistryErrorCode,
  reservationFor,
  type PartnerDirectoryCommand,
  type PartnerDirectoryEvent,
  type PartnerDirectoryState,
  type PlanLimit,
  type Reservation,
} from '@as2-partners/partner-registry-domain';
import { settlementTimes } from './claim-settlement';

export { DEFAULT_RESERVATION_GRACE_MS } from '@as2-partners/kernel';

export type PartnerStatus = ReservationHolderStatus;

/** A directory stream and how to tell whether the partner behind one of its reservations still exists. */
export interface DirectoryScope {
  readonly stream: string;
  readonly partnerStatus: (partnerId: string) => Promise<PartnerStatus>;
  /** The partner's AS2 id on its own stream; null when it has none (never created, or deleted). */
  readonly partnerAs2Id: (partnerId: string) => Promise<string | null>;
}

export interface AS2IdReservation {
  readonly as2Id: string;
  readonly partnerId: string;
  readonly planLimit: PlanLimit | null;
  readonly now: Date;
  /** An AS2-id change's claim, settled by `settleClaim` once the change is applied or refused. */
  readonly claimId?: string;
}

/**
 * AS2-id uniqueness and plan limits on the write side, as the kernel's reservations over a scope's directory
 * stream: a duplicate AS2 id is blocked by its holder, a full plan by every reservation, and either is released
 * first when its partner was deleted or never created.
 */
export class PartnerDirectoryService {
  private readonly reservations: DirectoryReservations;

  constructor(
    private readonly writeModel: WriteModel,
    graceMs?: number,
  ) {
    this.reservations = new DirectoryReservations(writeModel, graceMs);
  }

  async reserve(scope: DirectoryScope, request: AS2IdReservation, metadata: EventMetadata): Promise<number | null> {
    return (await this.reservations.reserve(directoryOf(scope), reserveCommand(request), request.now, metadata)).position;
  }

  /** What reserving the AS2 id would be refused with now (a taken id, a full plan); null when it would pass. */
  async refusalOf(scope: DirectoryScope, request: AS2IdReservation): Promise<DomainError | null> {
    return this.reservations.refusal(directoryOf(scope), reserveCommand(request), request.now);
  }

  /** Reserves the AS2 id, then creates the partner; a refused partner releases its reservation. */
  async reserveThenCreate<C, S, E extends DecidedEvent>(
    scope: DirectoryScope,
    request: AS2IdReservation,
    partner: ReservedEntity<C, S, E>,
    metadata: EventMetadata,
  ): Promise<Decision<S, E>> {
    const release = releaseCommand(request.partnerId, 'stale', request.now);
    const { created } = await this.reservations.reserveThenCreate(directoryOf(scope), { reserve: reserveCommand(request), release }, partner, request.now, metadata);
    return created;
  }

  async release(scope: DirectoryScope, partnerId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    return (await this.reservations.release(directoryOf(scope), releaseCommand(partnerId, 'deleted', now), metadata)).position;
  }

  /**
   * Settles an AS2-id change's claim with the partner's id as read on its own stream after the change (null once
   * deleted): the ids it no longer holds are released, unless a change still under way claims them.
   */
  async settleClaim(scope: DirectoryScope, partnerId: string, claimId: string, current: { as2Id: string | null; revision: ExpectedRevision }, now: Date, metadata: EventMetadata): Promise<number | null> {
    const command: PartnerDirectoryCommand = { type: 'settle_as2_id_claim', partnerId, claimId, ...readingOf(current, now) };
    return (await this.reservations.release(directoryOf(scope), command, metadata)).position;
  }

  /** The claim of the partner's AS2-id change under way that `isTheChange` recognises (by its id); null when none is. */
  async claimOfChange(scope: DirectoryScope, partnerId: string, isTheChange: (claimId: string) => boolean): Promise<string | null> {
    const { state } = await this.writeModel.load(scope.stream, partnerDirectoryDecider);
    return claimUnderWay(state.changes, partnerId, isTheChange);
  }

  /**
   * Finishes a recorded AS2-id change, whatever happened to the process that made it: settles its claim (`claimId`,
   * found by `claimOfChange`) with the partner's id as read now if a crash left it, else releases the old id if the
   * change left it reserved (idempotent; an id the partner reserved again later, changing back, stays).
   */
  async finishChange(
    scope: DirectoryScope,
    partnerId: string,
    change: { claimId: string | null; oldAs2Id: string; changedAt: string },
    current: { as2Id: string | null; revision: ExpectedRevision },
    now: Date,
    metadata: EventMetadata,
  ): Promise<number | null> {
    const command: PartnerDirectoryCommand = { type: 'finish_as2_id_change', partnerId, ...change, ...readingOf(current, now) };
    return (await this.reservations.release(directoryOf(scope), command, metadata)).position;
  }

  /**
   * Whether an AS2 id is free in the scope for this partner, as a reservation of it would find it: unheld, held by the
   * partner itself, or held in a way a reservation releases (a deleted partner, one never created past the grace, a
   * claim a crash left before its change was applied).
   */
  async isFree(scope: DirectoryScope, as2Id: string, partnerId: string, now: Date): Promise<boolean> {
    const { state } = await this.writeModel.load(scope.stream, partnerDirectoryDecider);
    const holder = reservationFor(state, as2Id);
    if (!holder || holder.partnerId === partnerId) return true;
    return this.reservations.isStale(directoryOf(scope), holderOf(state, holder), now);
  }
}

function reserveCommand(request: AS2IdReservation): ReserveCommand<PartnerDirectoryCommand> {
  const { as2Id, partnerId, planLimit, claimId } = request;
  return (staleReservations, staleClaims) => ({
    type: 'reserve_as2_id',
    as2Id,
    partnerId,
    planLimit,
    staleReservations,
    ...(staleClaims.length === 0 ? {} : { staleClaims }),
    now: request.now.toISOString(),
    ...(claimId === undefined ? {} : { claimId }),
  });
}

/** The partner's id as read on its stream, and the instant before which a claim is one a crash left. */
function readingOf(current: { as2Id: string | null; revision: ExpectedRevision }, now: Date) {
  return { currentAs2Id: current.as2Id, ...settlementTimes(current.revision, now) };
}

function releaseCommand(partnerId: string, reason: 'deleted' | 'stale', now: Date): PartnerDirectoryCommand {
  return { type: 'release_as2_id', partnerId, reason, now: now.toISOString() };
}

function directoryOf(scope: DirectoryScope): ReservationDirectory<PartnerDirectoryCommand, PartnerDirectoryState, PartnerDirectoryEvent> {
  return {
    stream: scope.stream,
    decider: partnerDirectoryDecider,
    blockers: (state, command, error) => blockersOf(state, command, error).map((r) => holderOf(state, r)),
    holderStatus: scope.partnerStatus,
    holderHasKey: async (partnerId, as2Id) => (await scope.partnerAs2Id(partnerId)) === as2Id,
  };
}

/** The partner's own id stands as it is; another id it holds may be only claimed by its changes under way. */
function holderOf(state: PartnerDirectoryState, r: Reservation): ReservationHolder {
  if (state.as2IdOfPartner.get(r.partnerId) === r.as2Id) return { holderId: r.partnerId, reservedAt: r.reservedAt };
  return blockerOf(state.changes, r.partnerId, r.as2Id, r.reservedAt);
}

function blockersOf(state: PartnerDirectoryState, command: PartnerDirectoryCommand, error: DomainError): Reservation[] {
  if (error.code === PartnerRegistryErrorCode.DuplicateAs2Id && command.type === 'reserve_as2_id') {
    const holder = reservationFor(state, command.as2Id);
    return holder ? [holder] : [];
  }
  if (error.code === PartnerRegistryErrorCode.PartnerLimitExceeded) return [...state.reservations.values()];
  return [];
}
