import { BucketedMap, foldEvents, type StaleClaim } from '@as2-partners/kernel';
import { deciderSpecification, seededRandom } from '@as2-partners/kernel-testing';
import { duplicateMyAs2Id } from '../partner-registry.errors';
import { keysHeldBy, keysWithTerm, uniqueKeyDirectoryDecider, type UniqueKeyDirectoryCommand, type UniqueKeyDirectoryState } from './unique-key-directory.decider';
import type { UniqueKeyDirectoryEvent, UniqueKeyReleased, UniqueKeyReserved } from './unique-key-directory.events';
import { INTERLEAVED_TARGETS, replayInterleaving, type ClaimingDirectory } from '../key-claims/key-claims.spec-support';

const decider = uniqueKeyDirectoryDecider(duplicateMyAs2Id);
const spec = deciderSpecification(decider);
const T0 = '2026-11-30T10:00:00.000Z';
const T1 = '2026-11-30T10:01:00.000Z';
const T2 = '2026-11-30T10:02:00.000Z';
const reserved = (key: string, holderId: string, at = T0, claimId?: string): UniqueKeyReserved => ({
  type: 'unique_key_directory.key_reserved.v1',
  data: { key, holderId, reservedAt: at, ...(claimId === undefined ? {} : { claimId }) },
});
const releasedAs = (reason: UniqueKeyReleased['data']['reason']) => (key: string, holderId: string): UniqueKeyReleased => ({
  type: 'unique_key_directory.key_released.v1',
  data: { key, holderId, reason, releasedAt: T1 },
});
const reserve = (key: string, holderId: string, staleHolders: string[] = [], claimId?: string): UniqueKeyDirectoryCommand => ({
  type: 'reserve_key',
  key,
  holderId,
  staleHolders,
  now: T1,
  ...(claimId === undefined ? {} : { claimId }),
});
const settle = (claimId: string, currentKey: string | null, revision: number, claimsStaleBefore = T0): UniqueKeyDirectoryCommand => ({
  type: 'settle_key_claim',
  holderId: 'ins_1',
  claimId,
  currentKey,
  revision,
  claimsStaleBefore,
  now: T1,
});
const settled = (claimId: string, currentKey: string | null, revision: number, staleClaims: string[] = []): UniqueKeyDirectoryEvent => ({
  type: 'unique_key_directory.key_claim_settled.v1',
  data: { holderId: 'ins_1', claimId, staleClaims, currentKey, revision, settledAt: T1 },
});

describe('unique key directory decider', () => {
  it('reserves a free key; the same holder again is a no-op unless a change claims it', () => {
    spec([]).when(reserve('mycompany', 'ins_1')).then([reserved('mycompany', 'ins_1', T1)]);
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_1')).thenNothing();
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_1', [], 'c1')).then([reserved('mycompany', 'ins_1', T1, 'c1')]);
  });

  it("refuses a held key with the scope's own code, to a change's claim too", () => {
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_2')).thenError('DUPLICATE_MY_AS2_ID', { field: 'my_as2_id' });
    spec([reserved('mycompany', 'ins_1')]).when(reserve('mycompany', 'ins_2', [], 'c1')).thenError('DUPLICATE_MY_AS2_ID', { field: 'my_as2_id' });
  });

  it('releases a stale holder first, then reserves', () => {
    spec([reserved('mycompany', 'ins_1')])
      .when(reserve('mycompany', 'ins_2', ['ins_1']))
      .then([releasedAs('stale')('mycompany', 'ins_1'), reserved('mycompany', 'ins_2', T1)]);
  });

  it("indexes each holder's keys through reserves, stale releases and re-reserves, and leaves every earlier state as it was", () => {
    const events: UniqueKeyDirectoryEvent[] = [];
    for (let i = 0; i < 2_000; i++) events.push(reserved(`pair-${i}`, `ptn_${i}`));
    const before = events.reduce(decider.evolve, decider.initialState());
    const taken = decider.decide(reserve('pair-7', 'ptn_new', ['ptn_7']), before);
    expect(taken).toEqual([releasedAs('stale')('pair-7', 'ptn_7'), reserved('pair-7', 'ptn_new', T1)]);
    const after = taken.reduce(decider.evolve, before);
    expect(keysHeldBy(after, 'ptn_7')).toEqual([]);
    expect(keysHeldBy(after, 'ptn_new').map((r) => r.key)).toEqual(['pair-7']);
    // The state the decision was made on is untouched (a write model keeps it when the append is refused).
    expect(keysHeldBy(before, 'ptn_7').map((r) => r.key)).toEqual(['pair-7']);
    expect(before.reservations.get('pair-7')?.holderId).toBe('ptn_7');
    expect([after.reservations.size, before.reservations.size]).toEqual([2_000, 2_000]);
  });

  it('releases every key of a deleted holder, claimed ones too', () => {
    spec([reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1')])
      .when({ type: 'release_key', holderId: 'ins_1', reason: 'deleted', now: T1 })
      .then([releasedAs('deleted')('old', 'ins_1'), releasedAs('deleted')('new', 'ins_1')]);
    spec([]).when({ type: 'release_key', holderId: 'ins_9', reason: 'deleted', now: T1 }).thenNothing();
  });

  it('a settled change releases the keys its holder no longer has, and keeps the current one', () => {
    spec([reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1')])
      .when(settle('c1', 'new', 1))
      .then([settled('c1', 'new', 1), releasedAs('changed')('old', 'ins_1')]);
    // Refused on the holder's stream: its own claim goes, the key it has stays.
    spec([reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1')])
      .when(settle('c1', 'old', 0))
      .then([settled('c1', 'old', 0), releasedAs('changed')('new', 'ins_1')]);
  });

  it('settling a claim not under way (settled already, voided by a deletion) changes nothing', () => {
    const history = [reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1'), settled('c1', 'new', 1), releasedAs('changed')('old', 'ins_1')];
    spec(history).when(settle('c1', 'old', 0)).thenNothing();
    spec([reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1'), releasedAs('deleted')('old', 'ins_1'), releasedAs('deleted')('new', 'ins_1')])
      .when(settle('c1', null, 2))
      .thenNothing();
  });

  it('keeps a key another change still claims, and reads the latest revision over a late earlier one', () => {
    const history = [reserved('old', 'ins_1'), reserved('x', 'ins_1', T0, 'c1'), reserved('y', 'ins_1', T0, 'c2')];
    spec(history).when(settle('c1', 'x', 1)).then([settled('c1', 'x', 1), releasedAs('changed')('old', 'ins_1')]);
    // c2 read revision 2 (y) and settled first; c1's reading of revision 1 (x) comes late and changes nothing.
    spec([...history, settled('c2', 'y', 2), releasedAs('changed')('old', 'ins_1')])
      .when(settle('c1', 'x', 1))
      .then([settled('c1', 'y', 2), releasedAs('changed')('x', 'ins_1')]);
  });

  it('a claim older than the grace, left by a change that never settled, no longer keeps its key', () => {
    const history = [reserved('old', 'ins_1'), reserved('lost', 'ins_1', T0, 'crashed'), reserved('new', 'ins_1', T2, 'c2')];
    spec(history)
      .when(settle('c2', 'new', 1, T1))
      .then([settled('c2', 'new', 1, ['crashed']), releasedAs('changed')('old', 'ins_1'), releasedAs('changed')('lost', 'ins_1')]);
    spec(history).when(settle('c2', 'new', 1, T0)).then([settled('c2', 'new', 1), releasedAs('changed')('old', 'ins_1')]);
  });

  it("releases a key a crash left claimed (the caller found its change never applied) before reserving it, unless claimed since", () => {
    const crashed = [reserved('old', 'ins_1'), reserved('new', 'ins_1', T0, 'c1')];
    const staleClaims = [{ holderId: 'ins_1', key: 'new', claimIds: ['c1'] }];
    const taking = (key: string, claims: readonly StaleClaim[]): UniqueKeyDirectoryCommand => ({
      type: 'reserve_key',
      key,
      holderId: 'ins_2',
      staleHolders: [],
      staleClaims: claims,
      now: T1,
    });
    const take = taking('new', staleClaims);
    spec(crashed).when(take).then([releasedAs('changed')('new', 'ins_1'), reserved('new', 'ins_2', T1)]);
    const after = [...crashed, releasedAs('changed')('new', 'ins_1')].reduce(decider.evolve, decider.initialState());
    expect(after.changes.size).toBe(0);
    expect(keysHeldBy(after, 'ins_1').map((r) => r.key)).toEqual(['old']);
    // Another change of the holder claimed it since: it stays, and the reservation is refused.
    spec([...crashed, reserved('new', 'ins_1', T1, 'c2')]).when(take).thenError('DUPLICATE_MY_AS2_ID', { field: 'my_as2_id' });
    // A stale claim naming another holder, or a key its holder no longer holds, releases nothing.
    spec(crashed).when(taking('new', [{ holderId: 'ins_9', key: 'new', claimIds: ['c1'] }])).thenError('DUPLICATE_MY_AS2_ID', { field: 'my_as2_id' });
    spec([reserved('old', 'ins_1')]).when(taking('free', [{ holderId: 'ins_1', key: 'old', claimIds: ['c1'] }])).then([reserved('free', 'ins_2', T1)]);
  });

  it('concurrent changes of one holder, their steps interleaved at random: exactly the current key stays reserved, never unreserved while held', () => {
    const apply = (state: UniqueKeyDirectoryState, command: UniqueKeyDirectoryCommand) => decider.decide(command, state).reduce(decider.evolve, state);
    const directory: ClaimingDirectory<UniqueKeyDirectoryState> = {
      initial: () => apply(decider.initialState(), reserve('OLD', 'ins_1')),
      claim: (state, key, claimId) => apply(state, reserve(key, 'ins_1', [], claimId)),
      settle: (state, claimId, reading) => apply(state, settle(claimId, reading.key, reading.revision)),
      keysOf: (state) => keysHeldBy(state, 'ins_1').map((r) => r.key),
      changesOf: (state) => state.changes,
    };
    for (const targets of INTERLEAVED_TARGETS) {
      for (let seed = 1; seed <= 400; seed++) {
        const { broken, held, final, underWay } = replayInterleaving(directory, seed, targets);
        expect({ seed, targets, broken, held, underWay }).toEqual({ seed, targets, broken: [], held: [final], underWay: 0 });
      }
    }
  });

  it('finds the reserved keys by their terms through reserves, takeovers, releases and claims, as a scan of every key does', () => {
    const termsOf = (key: string) => [key.split('|')[1] as string, `len-${key.length % 3}`];
    const termed = uniqueKeyDirectoryDecider(duplicateMyAs2Id, termsOf);
    let state = termed.initialState();
    let released = 0;
    const random = seededRandom(10);
    for (let i = 0; i < 3_000; i++) {
      const key = `ten|prt_${Math.floor(random() * 90)}|ins_${Math.floor(random() * 13)}`;
      const roll = random();
      // Mostly one holder per key, released and taken again; now and then another holder takes it over.
      const event = roll < 0.3 ? releasedAs('deleted')(key, `ptn_${key}`) : reserved(key, roll < 0.4 ? `other_${key}` : `ptn_${key}`, T0, roll > 0.9 ? `claim-${i}` : undefined);
      const held = state.reservations.has(key);
      state = termed.evolve(state, event);
      if (held && !state.reservations.has(key)) released += 1;
    }
    const scanned = (term: string) => [...state.reservations.values()].filter((r) => termsOf(r.key).includes(term)).sort((a, b) => a.key.localeCompare(b.key));
    const terms = ['len-0', 'len-1', 'len-2', ...Array.from({ length: 90 }, (_, i) => `prt_${i}`), 'prt_none'];
    for (const term of terms) {
      expect(keysWithTerm(state, term).sort((a, b) => a.key.localeCompare(b.key))).toEqual(scanned(term));
      // The index holds the reserved keys only, each once: released ones leave it.
      expect([...(state.keysOfTerm.get(term) ?? [])].sort((a, b) => a.localeCompare(b))).toEqual(scanned(term).map((r) => r.key));
    }
    expect(terms.filter((term) => scanned(term).length > 0).length).toBeGreaterThan(30);
    expect(released).toBeGreaterThan(100);
    // A directory without terms indexes nothing.
    expect(keysWithTerm(decider.evolve(decider.initialState(), reserved('ten|prt_1|ins_1', 'ptn_1')), 'prt_1')).toEqual([]);
  });

  describe('snapshot', () => {
    const decider = uniqueKeyDirectoryDecider(duplicateMyAs2Id, (key) => [key.slice(-2), key.slice(0, 6)]);
    const codec = decider.snapshot;
    /** 3,000 reserves, releases, claims and settlements over 400 keys and 600 holders, some keys taken over by another holder. */
    function history(): UniqueKeyDirectoryEvent[] {
      const events: UniqueKeyDirectoryEvent[] = [];
      for (let i = 0; i < 3_000; i++) {
        const key = `pair,${(i * 7) % 400}%`;
        const holderId = `ptn_${(i * 13) % 600}`;
        if (i % 5 === 4) events.push(releasedAs('deleted')(key, holderId));
        else if (i % 7 === 3) events.push(reserved(key, holderId, T0, `claim-${i}`));
        else events.push(reserved(key, holderId, `2026-11-30T10:${String(i % 60).padStart(2, '0')}:00.000Z`));
      }
      return events;
    }
    const comparable = (state: UniqueKeyDirectoryState) => ({
      reservations: [...state.reservations.entries()].sort(([a], [b]) => a.localeCompare(b)),
      holders: [...state.keysOfHolder.entries()].map(([holder, keys]) => [holder, [...keys].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))),
      terms: [...state.keysOfTerm.entries()].map(([term, keys]) => [term, [...keys].sort()]).sort(([a], [b]) => String(a).localeCompare(String(b))),
      changes: [...state.changes.entries()].map(([holder, own]) => [holder, [...own.claims.entries()], own.latest]).sort(([a], [b]) => String(a).localeCompare(String(b))),
    });
    const throughJson = (json: unknown): unknown => JSON.parse(JSON.stringify(json));

    it('a fold resumed from a snapshot (through JSON) equals the full fold, changes under way included, and decides the same', async () => {
      if (!codec?.restore) throw new Error('the unique key directory must have a snapshot codec that restores');
      const events = history();
      const full = foldEvents(decider, events);
      const atSnapshot = foldEvents(decider, events.slice(0, 1_700));
      expect(atSnapshot.changes.size).toBeGreaterThan(0);
      for (const restored of [codec.fromJson(throughJson(codec.toJson(atSnapshot))), await codec.restore(throughJson(codec.toJson(atSnapshot)), async () => undefined)]) {
        const resumed = events.slice(1_700).reduce(decider.evolve, restored);
        expect(comparable(resumed)).toEqual(comparable(full));
        for (const holderId of ['ptn_1', 'ptn_2', 'ptn_599']) {
          const release: UniqueKeyDirectoryCommand = { type: 'release_key', holderId, reason: 'deleted', now: T1 };
          expect(decider.decide(release, resumed)).toEqual(decider.decide(release, full));
          const take = reserve('pair,7%', holderId, ['ptn_13']);
          const decided = (state: UniqueKeyDirectoryState) => {
            try {
              return decider.decide(take, state);
            } catch (error) {
              return (error as { code: string }).code;
            }
          };
          expect(decided(resumed)).toEqual(decided(full));
        }
      }
      expect(full.reservations.size).toBeGreaterThan(100);
      expect(full.keysOfTerm.size).toBeGreaterThan(10);
    });

    it('restores 25,000 keys without a turn or a decoded entry; a lookup decodes only its bucket; slices serialise the same', async () => {
      if (!codec?.restore || !codec.toJsonInSlices) throw new Error('the unique key directory must restore and serialise in slices');
      const full = foldEvents(
        decider,
        Array.from({ length: 25_000 }, (_, i) => reserved(`pair-${i}`, `ptn_${i}`, T1)),
      );
      let turns = 0;
      const json = await codec.toJsonInSlices(full, async () => void (turns += 1));
      expect(turns).toBeGreaterThan(0);
      expect(json).toEqual(codec.toJson(full));
      turns = 0;
      const restored = await codec.restore(throughJson(json), async () => void (turns += 1));
      expect(turns).toBe(0);
      const reservations = restored.reservations.current() as BucketedMap<string, unknown>;
      expect(reservations).toBeInstanceOf(BucketedMap);
      expect([...reservations.decodedKeys()]).toEqual([]);
      expect(keysHeldBy(restored, 'ptn_24999')).toEqual([{ key: 'pair-24999', holderId: 'ptn_24999', reservedAt: T1 }]);
      expect([...reservations.decodedKeys()].length).toBeLessThan(100);
      expect(() => decider.decide(reserve('pair-3', 'ptn_new'), restored)).toThrow(expect.objectContaining({ code: 'DUPLICATE_MY_AS2_ID' }));
      expect(comparable(restored)).toEqual(comparable(full));
      expect(codec.weigh?.(restored)).toBe(25_000);
    });
  });
});
