import { createHash } from 'node:crypto';

/**
 * The id of a command's `index`-th event on `stream`: a UUID derived from the command id, so appending the same
 * command twice offers the store the same ids and it recognises the repeat.
 */
export function commandEventId(commandId: string, stream: string, index: number): string {
  const hex = createHash('sha256').update(`${commandId}\u0000${stream}\u0000${index}`).digest('hex');
  // Shaped as a name-based (version 5) UUID, which every store and client validator accepts.
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
