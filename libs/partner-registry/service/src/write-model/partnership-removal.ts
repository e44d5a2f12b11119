import { DirectoryReservations, DomainError, type EventMetadata, WriteModel } from '@as2-partners/kernel';
import {
  keysWithTerm,
  parsePartnershipPairKey,
  PartnerRegistryErrorCode,
  partnershipDecider,
  PartnerRegistryStreams,
  type KeyReservation,
  type PartnershipDeletionReason,
} from '@as2-partners/partner-registry-domain';
import { lastPositionOf } from '@as2-partners/platform';
import { partnershipDirectory, partnershipDirectoryDecider, releaseKeys } from './unique-key-directories';

export interface PairRef {
  readonly partnershipId: string;
  readonly tenant: string;
  readonly as2InstanceId: string;
  readonly partnerId: string;
}

/**
 * Ends partnerships with their own `partnership.deleted.v1` and gives their pair back, for a tenant's DELETE, an
 * instance deleted with `cascade`, and the reactor that follows partner and instance deletions. The account's
 * partnership directory is the write-side index of every pair, so no view's lag can hide one.
 */
export class PartnershipRemoval {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly reservations: DirectoryReservations,
  ) {}

  /** The instance's pairs (a master instance's in every tenant), from a scan of the directory's pairs. */
  async pairsOfInstance(account: string, as2InstanceId: string): Promise<PairRef[]> {
    const marker = `|${as2InstanceId}|`;
    return this.scan(account, (key) => key.includes(marker), (pair) => pair.as2InstanceId === as2InstanceId);
  }

  /** The tenant's pairs, from a scan of the directory's pairs. */
  async pairsOfTenant(account: string, tenant: string): Promise<PairRef[]> {
    const prefix = `${tenant}|`;
    return this.scan(account, (key) => key.startsWith(prefix), (pair) => pair.tenant === tenant);
  }

  /**
   * Pairs of the account the predicate picks, from the directory: a scan of every pair of the account, whose keys are
   * read as text and parsed only when `mayHold` says the pair may be picked (parsed all, 100,000 pairs held the event
   * loop ~200 ms for an instance's or a tenant's deletion; as text, ~10 ms).
   */
  private async scan(account: string, mayHold: (key: string) => boolean, pick: (pair: Omit<PairRef, 'partnershipId'>) => boolean): Promise<PairRef[]> {
    const { state } = await this.writeModel.load(PartnerRegistryStreams.partnershipDirectory(account), partnershipDirectoryDecider);
    const candidates: KeyReservation[] = [];
    for (const reservation of state.reservations.values()) if (mayHold(reservation.key)) candidates.push(reservation);
    return pairRefs(candidates, pick);
  }

  /** The partner's pairs (in `tenant` only, or in every tenant for `null`: a master partner's), from the directory's index of them. */
  async pairsOfPartner(account: string, partnerId: string, tenant: string | null): Promise<PairRef[]> {
    const { state } = await this.writeModel.load(PartnerRegistryStreams.partnershipDirectory(account), partnershipDirectoryDecider);
    return pairRefs(keysWithTerm(state, partnerId), (pair) => pair.partnerId === partnerId && (tenant === null || pair.tenant === tenant));
  }

  /** Deletes the partnership if it still stands, then releases its pair; the position of the last event, null if none. */
  /** `command`: a request's command id (its Idempotency-Key), which the deletion's events then carry. */
  async remove(account: string, partnershipId: string, reason: PartnershipDeletionReason, now: Date, metadata: EventMetadata, command: { readonly commandId?: string } = {}): Promise<number | null> {
    const stream = PartnerRegistryStreams.partnership(partnershipId);
    const { state } = await this.writeModel.load(stream, partnershipDecider);
    let deleted: number | null = null;
    if (state.status === 'active') {
      try {
        deleted = (await this.writeModel.decide(stream, partnershipDecider, () => ({ type: 'delete_partnership' as const, partnershipId, reason, now: now.toISOString() }), metadata, command)).position;
      } catch (error) {
        // A concurrent removal (the partner's deletion reactor, the create's own clean-up) deleted it first: done, and its pair is still released.
        if (!(error instanceof DomainError && error.code === PartnerRegistryErrorCode.PartnershipNotFound)) throw error;
      }
    }
    const released = await this.reservations.release(partnershipDirectory(this.writeModel, account), releaseKeys(partnershipId, 'deleted', now), metadata);
    return lastPositionOf(deleted, released.position);
  }

  async removeAll(account: string, pairs: readonly PairRef[], reason: PartnershipDeletionReason, now: Date, metadata: (pair: PairRef) => EventMetadata): Promise<number | null> {
    let last: number | null = null;
    for (const pair of pairs) last = lastPositionOf(last, await this.remove(account, pair.partnershipId, reason, now, metadata(pair)));
    return last;
  }
}

function pairRefs(reservations: Iterable<KeyReservation>, pick: (pair: Omit<PairRef, 'partnershipId'>) => boolean): PairRef[] {
  return [...reservations]
    .map((r) => ({ partnershipId: r.holderId, ...parsePartnershipPairKey(r.key) }))
    .filter((pair) => pick(pair))
    .sort((a, b) => a.partnershipId.localeCompare(b.partnershipId));
}
