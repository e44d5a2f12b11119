import type { Statement } from 'better-sqlite3';
import { COMMON_FROM, TrigramRarity } from './trigram-rarity';

/** A stand-in for the count statement: these trigrams are common, every other is rare; the probes are recorded. */
function rarityWith(common: readonly string[]): { rarity: TrigramRarity; probes: string[] } {
  const probes: string[] = [];
  const statement = {
    get: (phrase: string, bound: number) => {
      probes.push(phrase);
      return common.includes(phrase.slice(1, -1)) ? bound : 1;
    },
  } as unknown as Statement<[string, number], number>;
  return { rarity: new TrigramRarity(statement), probes };
}

describe('TrigramRarity', () => {
  it('searches a term by its runs of rare trigrams, lower-cased, each run a phrase', () => {
    const { rarity } = rarityWith(['as2', 's2-', '2-h', '-hu', 'hub', 'ub-']);
    expect(rarity.narrowQuery('AS2-HUB-63060')).toEqual({ query: '"b-63060"', whole: false });
    expect(rarity.narrowQuery('x-hub-1')).toEqual({ query: '"x-h" AND "b-1"', whole: false });
  });

  it('says when the rare run is the whole term, and gives nothing when every trigram is common', () => {
    const { rarity } = rarityWith(['hub']);
    expect(rarity.narrowQuery('Acme')).toEqual({ query: '"acme"', whole: true });
    expect(rarity.narrowQuery('hub')).toBeNull();
  });

  it('asks the index once per trigram, with the common bound, and quotes a double quote', () => {
    const { rarity, probes } = rarityWith([]);
    rarity.narrowQuery('a"bc');
    rarity.narrowQuery('A"BC');
    expect(probes).toEqual(['"a""b"', '"""bc"']);
    expect(COMMON_FROM).toBeGreaterThan(1);
  });
});
