import type { ReservationHolder } from '@as2-partners/kernel';

/**
 * Changes of a holder's unique key (an AS2 instance's my_as2_id, a partner's AS2 id) under way in a directory stream.
 *
 * A change claims its new key in the directory before it is applied on the holder's own stream, and settles the claim
 * after, applied or refused, with the holder's key as it then reads it there. The directory keeps the holder's current
 * key and every key a change under way claims, and releases the rest: concurrent changes of one holder, in any order,
 * end with exactly its current key reserved, and never release the key of a change still to be applied.
 */

/** A key reserved for a change of its holder that has not settled yet. */
export interface KeyClaim {
  readonly key: string;
  readonly claimedAt: string;
}

/** The holder's key read on its own stream at `revision` (`key` null once deleted). */
export interface HolderReading {
  readonly key: string | null;
  readonly revision: number;
}

/** One holder's changes under way, and the latest reading one of them settled with while others were still under way. */
export interface HolderChanges {
  readonly claims: ReadonlyMap<string, KeyClaim>;
  readonly latest: HolderReading | null;
}

/** By holder id; a holder with no change under way has no entry (usually the map is empty). */
export type ChangesUnderWay = ReadonlyMap<string, HolderChanges>;

export const noChangesUnderWay: ChangesUnderWay = new Map();

function withHolder(changes: ChangesUnderWay, holderId: string, next: HolderChanges | null): ChangesUnderWay {
  const copy = new Map(changes);
  if (next === null || next.claims.size === 0) copy.delete(holderId);
  else copy.set(holderId, next);
  return copy;
}

export function withClaim(changes: ChangesUnderWay, holderId: string, claimId: string, claim: KeyClaim): ChangesUnderWay {
  const own = changes.get(holderId);
  return withHolder(changes, holderId, { claims: new Map(own?.claims).set(claimId, claim), latest: own?.latest ?? null });
}

/** The holder's changes are void (it is deleted, or was never created): their claims go with its keys. */
export function withoutHolder(changes: ChangesUnderWay, holderId: string): ChangesUnderWay {
  return changes.has(holderId) ? withHolder(changes, holderId, null) : changes;
}

/** A released key: the claims on it go. */
export function withoutClaimsOn(changes: ChangesUnderWay, holderId: string, key: string): ChangesUnderWay {
  const own = changes.get(holderId);
  if (own === undefined || ![...own.claims.values()].some((claim) => claim.key === key)) return changes;
  return withHolder(changes, holderId, { claims: new Map([...own.claims].filter(([, claim]) => claim.key !== key)), latest: own.latest });
}

export function claimedKeys(changes: ChangesUnderWay, holderId: string): string[] {
  return [...(changes.get(holderId)?.claims.values() ?? [])].map((claim) => claim.key);
}

export function isClaimed(changes: ChangesUnderWay, holderId: string, key: string): boolean {
  return claimedKeys(changes, holderId).includes(key);
}

/** The claims of the holder's changes under way on `key`: their ids and when the latest was made; null when none. */
export function claimsOn(changes: ChangesUnderWay, holderId: string, key: string): { readonly claimIds: string[]; readonly claimedAt: string } | null {
  const claimIds: string[] = [];
  let claimedAt = '';
  for (const [claimId, claim] of changes.get(holderId)?.claims ?? []) {
    if (claim.key !== key) continue;
    claimIds.push(claimId);
    if (claim.claimedAt > claimedAt) claimedAt = claim.claimedAt;
  }
  return claimIds.length === 0 ? null : { claimIds, claimedAt };
}

/**
 * A reservation standing in another's way, as the directory's blockers name it: claimed by changes of its holder under
 * way, it stands only until they settle or a crash is found to have left them (dated by the latest claim).
 */
export function blockerOf(changes: ChangesUnderWay, holderId: string, key: string, reservedAt: string): ReservationHolder {
  const claims = claimsOn(changes, holderId, key);
  if (claims) return { holderId, reservedAt: claims.claimedAt, claim: { key, claimIds: claims.claimIds } };
  return { holderId, reservedAt };
}

/**
 * Whether a key the caller found claimed only by changes a crash left (past the grace, the holder not having it on
 * its stream) is still claimed by those alone: a change claiming it since keeps it.
 */
export function onlyClaimedBy(changes: ChangesUnderWay, holderId: string, key: string, claimIds: readonly string[]): boolean {
  const now = claimsOn(changes, holderId, key);
  return now !== null && now.claimIds.every((claimId) => claimIds.includes(claimId));
}

/** The claim of the holder's change under way that `isTheChange` recognises (by its id), if a crash left it. */
export function claimUnderWay(changes: ChangesUnderWay, holderId: string, isTheChange: (claimId: string) => boolean): string | null {
  for (const claimId of changes.get(holderId)?.claims.keys() ?? []) if (isTheChange(claimId)) return claimId;
  return null;
}

/** What settling a claim decides: the holder's key, the claims a crash left (older than the grace), and the keys to keep. */
export interface Settlement {
  readonly latest: HolderReading;
  readonly staleClaims: readonly string[];
  /** The holder's current key and the keys claimed by its other changes still under way. */
  readonly keep: ReadonlySet<string>;
}

/** null: the claim is not under way (settled already, or voided by a deletion, or judged stale): nothing to do. */
export function settlementOf(changes: ChangesUnderWay, holderId: string, claimId: string, reading: HolderReading, claimsStaleBefore: string): Settlement | null {
  const own = changes.get(holderId);
  const claim = own?.claims.get(claimId);
  if (own === undefined || claim === undefined) return null;
  // Readings race (each change reads after itself): the one of the latest revision is the holder's key.
  const latest = own.latest !== null && own.latest.revision > reading.revision ? own.latest : reading;
  const others = [...own.claims].filter(([id]) => id !== claimId);
  const staleBefore = Date.parse(claimsStaleBefore);
  const staleClaims = others.filter(([, other]) => Date.parse(other.claimedAt) < staleBefore).map(([id]) => id);
  const keep = new Set(others.filter(([id]) => !staleClaims.includes(id)).map(([, other]) => other.key));
  if (latest.key !== null) keep.add(latest.key);
  return { latest, staleClaims, keep };
}

/** After a settled claim: the holder's entry goes once no change is under way (no later settlement can read an older revision). */
export function afterSettlement(changes: ChangesUnderWay, holderId: string, claimId: string, staleClaims: readonly string[], latest: HolderReading): ChangesUnderWay {
  const own = changes.get(holderId);
  if (own === undefined) return changes;
  const claims = new Map(own.claims);
  claims.delete(claimId);
  for (const stale of staleClaims) claims.delete(stale);
  return withHolder(changes, holderId, { claims, latest });
}

/** For a snapshot: [holderId, [[claimId, key, claimedAt]…], latest] rows; usually none. */
export type ChangesUnderWayRow = [holderId: string, claims: [claimId: string, key: string, claimedAt: string][], latest: [key: string | null, revision: number] | null];

export function changesUnderWayToRows(changes: ChangesUnderWay): ChangesUnderWayRow[] {
  return [...changes].map(([holderId, own]) => [
    holderId,
    [...own.claims].map(([claimId, claim]) => [claimId, claim.key, claim.claimedAt]),
    own.latest === null ? null : [own.latest.key, own.latest.revision],
  ]);
}

export function changesUnderWayFromRows(rows: readonly ChangesUnderWayRow[] | undefined): ChangesUnderWay {
  if (rows === undefined || rows.length === 0) return noChangesUnderWay;
  return new Map(
    rows.map(([holderId, claims, latest]) => [
      holderId,
      {
        claims: new Map(claims.map(([claimId, key, claimedAt]) => [claimId, { key, claimedAt }])),
        latest: latest === null ? null : { key: latest[0], revision: latest[1] },
      },
    ]),
  );
}

/** The changes under way as a snapshot header's field: absent when none (as in snapshots from before claims). */
export function changesUnderWayHeader(changes: ChangesUnderWay): { changes?: ChangesUnderWayRow[] } {
  return changes.size === 0 ? {} : { changes: changesUnderWayToRows(changes) };
}

export function changesUnderWayFromHeader(header: Readonly<Record<string, unknown>>): ChangesUnderWay {
  return changesUnderWayFromRows(header['changes'] as ChangesUnderWayRow[] | undefined);
}
