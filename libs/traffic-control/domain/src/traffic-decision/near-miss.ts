/** An AS2 id as a careless sender might spell it: case folded, surrounding spaces and quotes gone. */
export function nearMissKey(as2Id: string): string {
  return as2Id.trim().replace(/^["']+|["']+$/g, '').trim().toLowerCase();
}
