import { seededRandom } from '@as2-partners/kernel-testing';
import type { ChangesUnderWay, HolderReading } from './key-claims';

/** How a directory decider is driven through concurrent changes of one holder whose key starts as 'OLD'. */
export interface ClaimingDirectory<S> {
  /** The directory with the holder created on 'OLD'. */
  readonly initial: () => S;
  readonly claim: (state: S, key: string, claimId: string) => S;
  readonly settle: (state: S, claimId: string, reading: HolderReading) => S;
  readonly keysOf: (state: S) => string[];
  readonly changesOf: (state: S) => ChangesUnderWay;
}

interface Change {
  readonly claimId: string;
  readonly target: string;
  /** Refused on the holder's stream (another rule): it settles all the same. */
  readonly refused: boolean;
  /** The holder as read after the change, settled with later (another change may come in between). */
  reading: HolderReading | null;
  step: number;
}

/**
 * Changes of one holder to `targets`, their four steps (claim, apply on the holder's stream, read it, settle)
 * interleaved at random: what the directory holds after each step, and at the end.
 */
export function replayInterleaving<S>(directory: ClaimingDirectory<S>, seed: number, targets: readonly string[]): { broken: string[]; held: string[]; final: string; underWay: number } {
  const next = seededRandom(seed);
  let state = directory.initial();
  const holder = { key: 'OLD', revision: 0 };
  const changes: Change[] = targets.map((target, i) => ({ claimId: `c${i}`, target, refused: next() < 0.2, reading: null, step: 0 }));
  const broken: string[] = [];
  for (;;) {
    const open = changes.filter((c) => c.step < 4);
    if (open.length === 0) break;
    const change = open[Math.floor(next() * open.length)] as Change;
    if (change.step === 0) {
      // Claimed even when it is the key the holder had when read: a change applied meanwhile may move it away.
      state = directory.claim(state, change.target, change.claimId);
    } else if (change.step === 1) {
      if (!change.refused && holder.key !== change.target) {
        holder.key = change.target;
        holder.revision += 1;
      }
    } else if (change.step === 2) {
      change.reading = { ...holder };
    } else {
      state = directory.settle(state, change.claimId, change.reading as HolderReading);
    }
    change.step += 1;
    if (!directory.keysOf(state).includes(holder.key)) broken.push(`${holder.key} unreserved while the holder has it`);
  }
  return { broken, held: directory.keysOf(state), final: holder.key, underWay: directory.changesOf(state).size };
}

/** The target lists the directory specs replay, each under 400 seeds. */
export const INTERLEAVED_TARGETS: readonly (readonly string[])[] = [['X', 'Y', 'X', 'Y'], ['X', 'OLD', 'X'], ['X', 'X', 'X'], ['X', 'Y', 'Z', 'OLD', 'Y']];
