import type { DomainEvent } from '../domain-event';

/** `claimId`: reserved for a change of the holder still under way, which settles it (`key_claim_settled`) when done. */
export type UniqueKeyReserved = DomainEvent<
  'unique_key_directory.key_reserved.v1',
  { readonly key: string; readonly holderId: string; readonly reservedAt: string; readonly claimId?: string }
>;

export type UniqueKeyReleased = DomainEvent<
  'unique_key_directory.key_released.v1',
  { readonly key: string; readonly holderId: string; readonly reason: 'deleted' | 'stale' | 'changed'; readonly releasedAt: string }
>;

/**
 * A change of the holder is done (applied or refused): its claim goes, and so do `staleClaims` (changes that never
 * settled, a crash). `currentKey` is the holder's key as read on its own stream at `revision` (null once deleted), the
 * latest such reading the directory has.
 */
export type UniqueKeyClaimSettled = DomainEvent<
  'unique_key_directory.key_claim_settled.v1',
  {
    readonly holderId: string;
    readonly claimId: string;
    readonly staleClaims: readonly string[];
    readonly currentKey: string | null;
    readonly revision: number;
    readonly settledAt: string;
  }
>;

/** Write-side guards only: their streams are not published (no other service needs them). */
export type UniqueKeyDirectoryEvent = UniqueKeyReserved | UniqueKeyReleased | UniqueKeyClaimSettled;
