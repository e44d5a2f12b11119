import { createHash } from 'node:crypto';

/** Crockford's base32, the alphabet of ULIDs. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_ORDERED_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** The milliseconds a version 7 UUID begins with, or null for another command id (a random UUID of an earlier claim). */
function timeOf(commandId: string): number | null {
  return TIME_ORDERED_UUID.test(commandId) ? parseInt(commandId.slice(0, 8) + commandId.slice(9, 13), 16) : null;
}

/** A ULID's time part: 48 bits of milliseconds as 10 base32 characters, most significant first. */
function ulidTime(ms: number): string {
  let rest = ms;
  let characters = '';
  for (let i = 0; i < 10; i += 1) {
    characters = CROCKFORD.charAt(rest % 32) + characters;
    rest = Math.floor(rest / 32);
  }
  return characters;
}

/**
 * The id of the entity an idempotent create names: `<prefix>_` + 26 ULID-shaped characters derived from the command
 * id, so a create decided again after a lost answer (a crash) names the same entity and finds its own events. A
 * time-ordered command id (what an Idempotency-Key claim gets) keeps its time as the ULID's, so the entity sorts by
 * creation time like any other; only the random part comes from the hash.
 */
export function commandEntityId(prefix: string, commandId: string): string {
  const digest = [...createHash('sha256').update(`${prefix}\u0000${commandId}`).digest()];
  const ms = timeOf(commandId);
  if (ms !== null) return `${prefix}_${ulidTime(ms)}${digest.slice(0, 16).map((byte) => CROCKFORD.charAt(byte % 32)).join('')}`;
  // A ULID's first character is at most 7 (its 48-bit time part), which validators of ULID-shaped ids check.
  const characters = digest.slice(0, 26).map((byte, i) => CROCKFORD.charAt(i === 0 ? byte % 8 : byte % 32));
  return `${prefix}_${characters.join('')}`;
}
