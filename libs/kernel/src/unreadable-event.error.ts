/**
 * An event whose payload cannot be what its type says (a store edited by hand, a record from a broken producer): no
 * retry can read it, so a follower parks it at once, with this message, and goes on with the events behind it.
 */
export class UnreadableEventError extends Error {
  override readonly name: string = 'UnreadableEventError';
}
