import { DEFAULT_RESERVATION_GRACE_MS, type ExpectedRevision } from '@as2-partners/kernel';

/**
 * What a settlement of a key claim carries besides the holder's key: the revision of the holder's stream it was read
 * at, and the instant before which a claim is one a crash left (older than the reservation grace).
 */
export function settlementTimes(revision: ExpectedRevision, now: Date): { revision: number; claimsStaleBefore: string; now: string } {
  return {
    revision: typeof revision === 'number' ? revision : -1,
    claimsStaleBefore: new Date(now.getTime() - DEFAULT_RESERVATION_GRACE_MS).toISOString(),
    now: now.toISOString(),
  };
}
