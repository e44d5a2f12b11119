import type { DomainEvent } from '../domain-event';

export type UniqueKeyReserved = DomainEvent<
  'unique_key_directory.key_reserved.v1',
  { readonly key: string; readonly holderId: string; readonly reservedAt: string }
>;

export type UniqueKeyReleased = DomainEvent<
  'unique_key_directory.key_released.v1',
  { readonly key: string; readonly holderId: string; readonly reason: 'deleted' | 'stale' | 'changed'; readonly releasedAt: string }
>;

/** Write-side guards only: their streams are not published (no other service needs them). */
export type UniqueKeyDirectoryEvent = UniqueKeyReserved | UniqueKeyReleased;
