import type { ExpectedRevision, ReservationDirectory, ReservationHolder, ReserveCommand, WriteModel } from '@as2-partners/kernel';
import {
  as2InstanceDecider,
  blockerOf,
  duplicateMyAs2Id,
  duplicatePartnership,
  parsePartnershipPairKey,
  partnershipDecider,
  PartnerRegistryErrorCode,
  PartnerRegistryStreams,
  uniqueKeyDirectoryDecider,
  type UniqueKeyDirectoryCommand,
  type UniqueKeyDirectoryEvent,
  type UniqueKeyDirectoryState,
} from '@as2-partners/partner-registry-domain';
import { settlementTimes } from './claim-settlement';

export type UniqueKeyDirectory = ReservationDirectory<UniqueKeyDirectoryCommand, UniqueKeyDirectoryState, UniqueKeyDirectoryEvent>;

export const as2InstanceDirectoryDecider = uniqueKeyDirectoryDecider(duplicateMyAs2Id);
/** Pairs found by their partner too: a partner's deletion ends its partnerships without a scan of the account's. */
export const partnershipDirectoryDecider = uniqueKeyDirectoryDecider(
  (key) => {
    const { as2InstanceId, partnerId } = parsePartnershipPairKey(key);
    return duplicatePartnership(as2InstanceId, partnerId);
  },
  (key) => [parsePartnershipPairKey(key).partnerId],
);

function blockedBy(state: UniqueKeyDirectoryState, command: UniqueKeyDirectoryCommand, code: string) {
  return (error: { code: string }): ReservationHolder[] => {
    if (error.code !== code || command.type !== 'reserve_key') return [];
    const holder = state.reservations.get(command.key);
    return holder ? [blockerOf(state.changes, holder.holderId, holder.key, holder.reservedAt)] : [];
  };
}

/** Our AS2 ids, unique among one tenant's instances (`tenant`), or among the account's master instances (`null`). */
export function as2InstanceDirectory(writeModel: WriteModel, account: string, tenant: string | null): UniqueKeyDirectory {
  return {
    stream: tenant === null ? PartnerRegistryStreams.masterAs2InstanceDirectory(account) : PartnerRegistryStreams.as2InstanceDirectory(account, tenant),
    decider: as2InstanceDirectoryDecider,
    blockers: (state, command, error) => blockedBy(state, command, PartnerRegistryErrorCode.DuplicateMyAs2Id)(error),
    holderStatus: async (instanceId) => (await writeModel.load(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider)).state.status,
    holderHasKey: async (instanceId, key) => {
      const { state } = await writeModel.load(PartnerRegistryStreams.as2Instance(instanceId), as2InstanceDecider);
      return state.status === 'active' && state.instance.myAs2Id === key;
    },
  };
}

/** One partnership per tenant, instance and partner, across the account. */
export function partnershipDirectory(writeModel: WriteModel, account: string): UniqueKeyDirectory {
  return {
    stream: PartnerRegistryStreams.partnershipDirectory(account),
    decider: partnershipDirectoryDecider,
    blockers: (state, command, error) => blockedBy(state, command, PartnerRegistryErrorCode.DuplicatePartnership)(error),
    holderStatus: async (partnershipId) => (await writeModel.load(PartnerRegistryStreams.partnership(partnershipId), partnershipDecider)).state.status,
    // A partnership's pair never changes: it claims none.
    holderHasKey: async () => true,
  };
}

/** `claimId`: a change of an existing holder's key, which settles the claim once applied or refused (`settleKeyClaim`). */
export function reserveKey(key: string, holderId: string, now: Date, claimId?: string): ReserveCommand<UniqueKeyDirectoryCommand> {
  return (staleHolders, staleClaims) => ({
    type: 'reserve_key',
    key,
    holderId,
    staleHolders,
    ...(staleClaims.length === 0 ? {} : { staleClaims }),
    now: now.toISOString(),
    ...(claimId === undefined ? {} : { claimId }),
  });
}

/** Every key of the holder: it is deleted, or was never created. */
export function releaseKeys(holderId: string, reason: 'deleted' | 'stale', now: Date): UniqueKeyDirectoryCommand {
  return { type: 'release_key', holderId, reason, now: now.toISOString() };
}

/**
 * Settles a change's claim with the holder's key as read on its own stream after the change (null once deleted):
 * the keys it no longer has are released, unless a change still under way claims them.
 */
export function settleKeyClaim(holderId: string, claimId: string, current: HolderOnItsStream, now: Date): UniqueKeyDirectoryCommand {
  return { type: 'settle_key_claim', holderId, claimId, ...readingOf(current, now) };
}

/** The holder's key as read on its own stream, at that stream's revision. */
export interface HolderOnItsStream {
  readonly key: string | null;
  readonly revision: ExpectedRevision;
}

function readingOf(current: HolderOnItsStream, now: Date) {
  return { currentKey: current.key, ...settlementTimes(current.revision, now) };
}
