import { createHash } from 'node:crypto';

/** Crockford's base32, the alphabet of ULIDs. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the entity an idempotent create names: `<prefix>_` + 26 ULID-shaped characters derived from the command
 * id, so a create decided again after a lost answer (a crash) names the same entity and finds its own events.
 */
export function commandEntityId(prefix: string, commandId: string): string {
  const digest = [...createHash('sha256').update(`${prefix}\u0000${commandId}`).digest()];
  // A ULID's first character is at most 7 (its 48-bit time part), which validators of ULID-shaped ids check.
  const characters = digest.slice(0, 26).map((byte, i) => CROCKFORD.charAt(i === 0 ? byte % 8 : byte % 32));
  return `${prefix}_${characters.join('')}`;
}
