import { newPartnerId } from './partner-id';
import { pooledRandom } from './pooled-random';

describe('newPartnerId', () => {
  it('draws unique, well-formed ULIDs across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, () => newPartnerId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^prt_[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('names the partner from the command id when one is given', () => {
    expect(newPartnerId('cmd-1')).toBe(newPartnerId('cmd-1'));
    expect(newPartnerId('cmd-1')).not.toBe(newPartnerId('cmd-2'));
  });
});

describe('pooledRandom', () => {
  it('answers fractions in [0, 1] from fresh bytes after each refill', () => {
    const random = pooledRandom();
    const first = Array.from({ length: 512 }, random);
    const second = Array.from({ length: 512 }, random);
    for (const value of [...first, ...second]) expect(value >= 0 && value <= 1).toBe(true);
    expect(second).not.toEqual(first);
    // Every base-32 character of a ULID stays reachable.
    expect(new Set([...first, ...second].map((v) => Math.min(31, Math.floor(v * 32)))).size).toBe(32);
  });
});
