import { DomainError, type EventMetadata, type EventStore } from '@as2-partners/kernel';
import {
  partnerDirectoryDecider,
  PartnerRegistryErrorCode,
  reservationFor,
  type PartnerDirectoryState,
  type PlanLimit,
  type Reservation,
} from '@as2-partners/partner-registry-domain';
import { decideOnStream } from '@as2-partners/kernel';
import { KeyedMutex } from './keyed-mutex';

export type PartnerStatus = 'none' | 'active' | 'deleted';

/** A directory stream and how to tell whether the partner behind one of its reservations still exists. */
export interface DirectoryScope {
  readonly stream: string;
  readonly partnerStatus: (partnerId: string) => Promise<PartnerStatus>;
}

/** A reservation younger than this may belong to a create still in flight, so it is never judged stale. */
export const DEFAULT_RESERVATION_GRACE_MS = 30_000;

/**
 * AS2-id uniqueness and plan limits on the write side: reservations appended to the scope's directory stream with
 * its expected revision, so concurrent creates (in this process or another) cannot both win. Reservations left by
 * a crash between the reservation and the partner's creation, or between a delete and its release, are released
 * when they block a create.
 */
export class PartnerDirectoryService {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly store: EventStore,
    private readonly graceMs = DEFAULT_RESERVATION_GRACE_MS,
  ) {}

  async reserve(
    scope: DirectoryScope,
    request: { readonly as2Id: string; readonly partnerId: string; readonly planLimit: PlanLimit | null; readonly now: Date },
    metadata: EventMetadata,
  ): Promise<number | null> {
    const now = request.now.toISOString();
    const base = { type: 'reserve_as2_id' as const, as2Id: request.as2Id, partnerId: request.partnerId, planLimit: request.planLimit, staleReservations: [], now };
    const result = await this.mutex.run(scope.stream, () =>
      decideOnStream(
        this.store,
        scope.stream,
        partnerDirectoryDecider,
        async (state) => ({ ...base, staleReservations: await this.staleBlockers(scope, state, base, request.now) }),
        metadata,
        { attempts: 20 },
      ),
    );
    return result.position;
  }

  async release(scope: DirectoryScope, partnerId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    const result = await this.mutex.run(scope.stream, () =>
      decideOnStream(
        this.store,
        scope.stream,
        partnerDirectoryDecider,
        () => ({ type: 'release_as2_id' as const, partnerId, reason: 'deleted' as const, now: now.toISOString() }),
        metadata,
        { attempts: 20 },
      ),
    );
    return result.position;
  }

  /** The stale reservations standing in this create's way: none unless the plain decision fails. */
  private async staleBlockers(
    scope: DirectoryScope,
    state: PartnerDirectoryState,
    command: Parameters<typeof partnerDirectoryDecider.decide>[0],
    now: Date,
  ): Promise<string[]> {
    try {
      partnerDirectoryDecider.decide(command, state);
      return [];
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      let candidates: Reservation[] = [];
      if (error.code === PartnerRegistryErrorCode.DuplicateAs2Id && command.type === 'reserve_as2_id') {
        const holder = reservationFor(state, command.as2Id);
        candidates = holder ? [holder] : [];
      } else if (error.code === PartnerRegistryErrorCode.PartnerLimitExceeded) {
        candidates = [...state.reservations.values()];
      }
      const stale: string[] = [];
      for (const reservation of candidates) {
        if (await this.isStale(scope, reservation, now)) stale.push(reservation.partnerId);
      }
      return stale;
    }
  }

  private async isStale(scope: DirectoryScope, reservation: Reservation, now: Date): Promise<boolean> {
    const status = await scope.partnerStatus(reservation.partnerId);
    if (status === 'deleted') return true;
    return status === 'none' && Date.parse(reservation.reservedAt) < now.getTime() - this.graceMs;
  }
}
