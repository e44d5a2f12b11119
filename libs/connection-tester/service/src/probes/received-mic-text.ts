import type { MdnResult } from '@as2-partners/as2';

/**
 * The MIC an MDN returned, as the `MIC verification` step names it after "got": its value and algorithm, or what is
 * wrong with the algorithm (none named, or one we do not compute), so two equal values never read as a mismatch.
 */
export function receivedMicText(received: MdnResult['receivedMic']): string {
  if (!received) return 'none';
  if (received.algorithmName === '') return `${received.value} (no algorithm named: RFC 4130 asks for "<mic>, <algorithm>", so it proves nothing)`;
  if (received.algorithm === undefined) return `${received.value} (${received.algorithmName}, a digest algorithm we do not compute, so it cannot be compared)`;
  return `${received.value} (${received.algorithmName})`;
}
