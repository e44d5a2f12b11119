import { BucketedMap, foldEvents, SNAPSHOT_SLICE } from '@as2-partners/kernel';
import { deciderSpecification } from '@as2-partners/kernel-testing';
import { partnerDirectoryDecider, reservationFor, reservationsMadeBefore, type PartnerDirectoryCommand, type PartnerDirectoryState } from './partner-directory.decider';
import type { As2IdReserved, PartnerDirectoryEvent } from './partner-directory.events';
import { INTERLEAVED_TARGETS, replayInterleaving, type ClaimingDirectory } from '../key-claims/key-claims.spec-support';

const spec = deciderSpecification(partnerDirectoryDecider);
const T0 = '2024-01-15T10:30:00.000Z';
const T1 = '2024-01-15T10:31:00.000Z';

function reserved(as2Id: string, partnerId: string, at = T0): As2IdReserved {
  return { type: 'partner_directory.as2_id_reserved.v1', data: { as2Id, partnerId, reservedAt: at } };
}

function reserve(as2Id: string, partnerId: string, extra: Partial<Extract<PartnerDirectoryCommand, { type: 'reserve_as2_id' }>> = {}) {
  return {
    type: 'reserve_as2_id' as const,
    as2Id,
    partnerId,
    planLimit: { plan: 'free' as const, limit: 5 },
    staleReservations: [],
    now: T1,
    ...extra,
  };
}

const fiveReserved = ['A', 'B', 'C', 'D', 'E'].map((id, i) => reserved(id, `prt_${i}`));

describe('partner directory decider', () => {
  it('reserves a free AS2 id', () => {
    spec([]).when(reserve('ACME', 'prt_1')).then([reserved('ACME', 'prt_1', T1)]);
  });

  it('refuses an AS2 id already reserved by another partner', () => {
    spec([reserved('ACME', 'prt_1')]).when(reserve('ACME', 'prt_2')).thenError('DUPLICATE_AS2_ID', { field: 'as2_id' });
  });

  it('treats AS2 ids case-sensitively', () => {
    spec([reserved('ACME', 'prt_1')]).when(reserve('acme', 'prt_2')).then([reserved('acme', 'prt_2', T1)]);
  });

  it('is idempotent for the same partner', () => {
    spec([reserved('ACME', 'prt_1')]).when(reserve('ACME', 'prt_1')).thenNothing();
  });

  it('refuses a reservation beyond the plan limit, with details', () => {
    spec(fiveReserved)
      .when(reserve('F', 'prt_9'))
      .thenError('PARTNER_LIMIT_EXCEEDED', { details: { current_partners: 6, plan_limit: 5, plan: 'free', upgrade_url: 'https://as2aas.com/dashboard/billing' } });
  });

  it('allows any number without a limit (unlimited plan or master directory)', () => {
    spec(fiveReserved).when(reserve('F', 'prt_9', { planLimit: { plan: 'professional', limit: null } })).then([reserved('F', 'prt_9', T1)]);
    spec(fiveReserved).when(reserve('F', 'prt_9', { planLimit: null })).then([reserved('F', 'prt_9', T1)]);
  });

  it('frees an AS2 id on release so it can be reserved again', () => {
    const released = {
      type: 'partner_directory.as2_id_released.v1' as const,
      data: { as2Id: 'ACME', partnerId: 'prt_1', reason: 'deleted' as const, releasedAt: T1 },
    };
    spec([reserved('ACME', 'prt_1')]).when({ type: 'release_as2_id', partnerId: 'prt_1', reason: 'deleted', now: T1 }).then([released]);
    spec([reserved('ACME', 'prt_1'), released]).when(reserve('ACME', 'prt_2')).then([reserved('ACME', 'prt_2', T1)]);
  });

  it('ignores the release of a partner that holds nothing', () => {
    spec([]).when({ type: 'release_as2_id', partnerId: 'prt_1', reason: 'deleted', now: T1 }).thenNothing();
  });

  it('releases stale reservations named by the caller before reserving', () => {
    spec([reserved('ACME', 'prt_orphan')])
      .when(reserve('ACME', 'prt_2', { staleReservations: ['prt_orphan'] }))
      .then([
        { type: 'partner_directory.as2_id_released.v1', data: { as2Id: 'ACME', partnerId: 'prt_orphan', reason: 'stale', releasedAt: T1 } },
        reserved('ACME', 'prt_2', T1),
      ]);
  });

  it('counts released stale reservations out of the plan limit', () => {
    spec(fiveReserved)
      .when(reserve('F', 'prt_9', { staleReservations: ['prt_0'] }))
      .then([
        { type: 'partner_directory.as2_id_released.v1', data: { as2Id: 'A', partnerId: 'prt_0', reason: 'stale', releasedAt: T1 } },
        reserved('F', 'prt_9', T1),
      ]);
  });

  it('lists only reservations older than a cutoff as stale candidates', () => {
    const state = foldEvents(partnerDirectoryDecider, [reserved('OLD', 'prt_old', T0), reserved('NEW', 'prt_new', T1)]);
    expect(reservationsMadeBefore(state, T1).map((r) => r.partnerId)).toEqual(['prt_old']);
  });

  describe('snapshot', () => {
    /** 3,000 reservations and releases over 400 AS2 ids and 600 partners, some releases of ids another partner holds. */
    function history(): PartnerDirectoryEvent[] {
      const events: PartnerDirectoryEvent[] = [];
      for (let i = 0; i < 3_000; i++) {
        const as2Id = `AS2_${(i * 7) % 400}`;
        const partnerId = `prt_${(i * 13) % 600}`;
        events.push(
          i % 3 === 2
            ? { type: 'partner_directory.as2_id_released.v1', data: { as2Id, partnerId, reason: 'deleted', releasedAt: T1 } }
            : reserved(as2Id, partnerId, `2024-01-15T10:${String(i % 60).padStart(2, '0')}:00.000Z`),
        );
      }
      return events;
    }

    const comparable = (state: PartnerDirectoryState) => ({
      reservations: [...state.reservations.entries()].sort(([a], [b]) => a.localeCompare(b)),
      partners: [...state.as2IdOfPartner.entries()].sort(([a], [b]) => a.localeCompare(b)),
    });

    it('a fold resumed from a snapshot (through JSON) equals the full fold, and decides the same', () => {
      const codec = partnerDirectoryDecider.snapshot;
      if (!codec) throw new Error('the partner directory must have a snapshot codec');
      const events = history();
      const full = foldEvents(partnerDirectoryDecider, events);
      const atSnapshot = foldEvents(partnerDirectoryDecider, events.slice(0, 1_700));
      const restored = codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(atSnapshot))));
      const resumed = events.slice(1_700).reduce(partnerDirectoryDecider.evolve, restored);

      expect(comparable(resumed)).toEqual(comparable(full));
      expect(full.reservations.size).toBeGreaterThan(100);
      for (const partnerId of ['prt_1', 'prt_2', 'prt_599']) {
        const release = { type: 'release_as2_id' as const, partnerId, reason: 'deleted' as const, now: T1 };
        expect(partnerDirectoryDecider.decide(release, resumed)).toEqual(partnerDirectoryDecider.decide(release, full));
      }
    });

    it('restores without a turn or a decoded entry, equal to fromJson and the full fold; decodes a bucket on use', async () => {
      const codec = partnerDirectoryDecider.snapshot;
      if (!codec?.restore) throw new Error('the partner directory must restore its snapshot');
      const events = Array.from({ length: 25_000 }, (_, i) => reserved(`AS2_${i}`, `prt_${i}`, T1));
      const full = foldEvents(partnerDirectoryDecider, events);
      const json = JSON.parse(JSON.stringify(codec.toJson(full)));
      let turns = 0;
      const restored = await codec.restore(json, async () => void (turns += 1));
      expect(turns).toBe(0);
      const reservations = restored.reservations.current() as BucketedMap<string, unknown>;
      expect(reservations).toBeInstanceOf(BucketedMap);
      expect(restored.reservations.size).toBe(25_000);
      expect([...reservations.decodedKeys()]).toEqual([]);
      // one lookup decodes its own bucket (~8 entries), not the map
      expect(reservationFor(restored, 'AS2_24999')).toEqual({ as2Id: 'AS2_24999', partnerId: 'prt_24999', reservedAt: T1 });
      expect([...reservations.decodedKeys()].length).toBeLessThan(100);
      expect(comparable(restored)).toEqual(comparable(full));
      expect(comparable(codec.fromJson(json))).toEqual(comparable(full));
    });

    it('still restores a snapshot of the first form (one entry per reservation), equal to the full fold', async () => {
      const previous = partnerDirectoryDecider.snapshot?.previous;
      if (!previous?.restore) throw new Error('the partner directory must still read its first snapshot form');
      expect(previous.name).toBe('partner_directory.v1');
      const events = Array.from({ length: 2_500 }, (_, i) => reserved(`AS2_${i}`, `prt_${i}`, T1));
      const full = foldEvents(partnerDirectoryDecider, events);
      // the first form, as it was saved: [as2Id, partnerId, reservedAt] per reservation
      const json = events.map((e) => [e.data.as2Id, e.data.partnerId, e.data.reservedAt]);
      expect(previous.toJson(full)).toEqual(json);
      let turns = 0;
      const restored = await previous.restore(JSON.parse(JSON.stringify(json)), async () => void (turns += 1));
      expect(turns).toBe(Math.ceil(2_500 / SNAPSHOT_SLICE) - 1);
      expect(comparable(restored)).toEqual(comparable(full));
    });

    it('serialises in slices, a turn between them, to the same JSON as toJson, and keeps AS2 ids with commas and percents', async () => {
      const codec = partnerDirectoryDecider.snapshot;
      if (!codec?.toJsonInSlices) throw new Error('the partner directory must serialise its snapshot in slices');
      const events = Array.from({ length: 2_500 }, (_, i) => reserved(i % 10 === 0 ? `AS2,${i}%2C"x"` : `AS2_${i}`, `prt_${i}`, T1));
      const full = foldEvents(partnerDirectoryDecider, events);
      let turns = 0;
      const json = await codec.toJsonInSlices(full, async () => void (turns += 1));
      expect(json).toEqual(codec.toJson(full));
      expect(turns).toBeGreaterThanOrEqual(2 * (Math.ceil(2_500 / SNAPSHOT_SLICE) - 1));
      expect(comparable(codec.fromJson(JSON.parse(JSON.stringify(json))))).toEqual(comparable(full));
    });

    it('a restored directory folds on, decides and saves again like a full fold', async () => {
      const codec = partnerDirectoryDecider.snapshot;
      if (!codec?.toJsonInSlices) throw new Error('the partner directory must serialise its snapshot in slices');
      const events = history();
      const restored = codec.fromJson(JSON.parse(JSON.stringify(codec.toJson(foldEvents(partnerDirectoryDecider, events.slice(0, 2_900))))));
      const resumed = events.slice(2_900).reduce(partnerDirectoryDecider.evolve, restored);
      const full = foldEvents(partnerDirectoryDecider, events);
      for (const command of [reserve('AS2_NEW', 'prt_new', { planLimit: null }), { type: 'release_as2_id' as const, partnerId: 'prt_1', reason: 'deleted' as const, now: T1 }]) {
        expect(partnerDirectoryDecider.decide(command, resumed)).toEqual(partnerDirectoryDecider.decide(command, full));
      }
      const taken = [...full.reservations.keys()][0] as string;
      expect(() => partnerDirectoryDecider.decide(reserve(taken, 'prt_new', { planLimit: null }), resumed)).toThrow(expect.objectContaining({ code: 'DUPLICATE_AS2_ID' }));
      const again = codec.fromJson(JSON.parse(JSON.stringify(await codec.toJsonInSlices(resumed, async () => undefined))));
      expect(comparable(again)).toEqual(comparable(full));
      // the older version still reads as it was (persistent maps), after the newer one was saved
      expect(restored.reservations.size).toBe(foldEvents(partnerDirectoryDecider, events.slice(0, 2_900)).reservations.size);
    });
  });
});


describe('partner directory decider: finishing an AS2-id change', () => {
  const T2 = '2024-01-15T10:32:00.000Z';
  const released = (as2Id: string, partnerId: string, now: string): PartnerDirectoryEvent => ({
    type: 'partner_directory.as2_id_released.v1',
    data: { as2Id, partnerId, reason: 'changed', releasedAt: now },
  });
  const releaseReplaced = (as2Id: string, reservedBefore: string) => ({ type: 'release_as2_id' as const, partnerId: 'prt_1', as2Id, reservedBefore, reason: 'changed' as const, now: T2 });
  // prt_1 held OLD, reserved NEW and changed to it; the release of OLD never ran.
  const leftOver = [reserved('OLD', 'prt_1', T0), reserved('NEW', 'prt_1', T1)];

  it('releases the replaced id when it was reserved at or before the change', () => {
    spec(leftOver).when(releaseReplaced('OLD', T1)).then([released('OLD', 'prt_1', T2)]);
    spec([...leftOver, released('OLD', 'prt_1', T2)]).when(releaseReplaced('OLD', T1)).thenNothing();
  });

  it('reserves a left-over id afresh when the partner changes back to it, so finishing the old change leaves it', () => {
    spec(leftOver).when(reserve('OLD', 'prt_1', { now: T2 })).then([reserved('OLD', 'prt_1', T2)]);
    spec([...leftOver, reserved('OLD', 'prt_1', T2)]).when(releaseReplaced('OLD', T1)).thenNothing();
    // Its current id is still a no-op to reserve again.
    spec(leftOver).when(reserve('NEW', 'prt_1')).thenNothing();
  });

  it('keeps the old id of a change when a concurrent change back reserved it again within the same instant', () => {
    // OLD → NEW decided; meanwhile NEW → OLD reserved OLD again (the same millisecond): the first change's release keeps it.
    const releaseOld = { type: 'release_as2_id' as const, partnerId: 'prt_1', as2Id: 'OLD', unlessLatest: true, reason: 'changed' as const, now: T1 };
    spec([...leftOver, reserved('OLD', 'prt_1', T1)]).when(releaseOld).thenNothing();
    // Without the change back, the old id is released.
    spec(leftOver).when(releaseOld).then([released('OLD', 'prt_1', T1)]);
  });
});

describe('partner directory decider: AS2-id changes under way (claims)', () => {
  const T2 = '2024-01-15T10:32:00.000Z';
  const claimed = (as2Id: string, claimId: string, at = T1): As2IdReserved => ({ type: 'partner_directory.as2_id_reserved.v1', data: { as2Id, partnerId: 'prt_1', reservedAt: at, claimId } });
  const released = (as2Id: string, reason: 'changed' | 'deleted' = 'changed', now = T1): PartnerDirectoryEvent => ({
    type: 'partner_directory.as2_id_released.v1',
    data: { as2Id, partnerId: 'prt_1', reason, releasedAt: now },
  });
  const settle = (claimId: string, currentAs2Id: string | null, revision: number, claimsStaleBefore = T0): PartnerDirectoryCommand => ({
    type: 'settle_as2_id_claim',
    partnerId: 'prt_1',
    claimId,
    currentAs2Id,
    revision,
    claimsStaleBefore,
    now: T1,
  });
  const settled = (claimId: string, currentAs2Id: string | null, revision: number): PartnerDirectoryEvent => ({
    type: 'partner_directory.as2_id_claim_settled.v1',
    data: { partnerId: 'prt_1', claimId, staleClaims: [], currentAs2Id, revision, settledAt: T1 },
  });
  const apply = (state: PartnerDirectoryState, command: PartnerDirectoryCommand) => partnerDirectoryDecider.decide(command, state).reduce(partnerDirectoryDecider.evolve, state);
  const keysOf = (state: PartnerDirectoryState) => [...state.reservations.values()].filter((r) => r.partnerId === 'prt_1').map((r) => r.as2Id);

  it('releases an id a crash left claimed (the caller found the change never applied) before reserving it, never the id the partner has, nor one claimed since', () => {
    const crashed = [reserved('OLD', 'prt_1'), claimed('NEW', 'c1')];
    const staleClaims = [{ holderId: 'prt_1', key: 'NEW', claimIds: ['c1'] }];
    spec(crashed)
      .when(reserve('NEW', 'prt_2', { staleClaims }))
      .then([released('NEW'), reserved('NEW', 'prt_2', T1)]);
    const after = foldEvents(partnerDirectoryDecider, [...crashed, released('NEW')]);
    expect([after.changes.size, after.as2IdOfPartner.get('prt_1'), keysOf(after)]).toEqual([0, 'OLD', ['OLD']]);
    // Claimed again by a later change: kept.
    spec([...crashed, claimed('NEW', 'c2', T2)]).when(reserve('NEW', 'prt_2', { staleClaims })).thenError('DUPLICATE_AS2_ID');
    // The partner's own id (a change back to it) is never released as a claim.
    spec([reserved('OLD', 'prt_1'), claimed('OLD', 'c1')])
      .when(reserve('OLD', 'prt_2', { staleClaims: [{ holderId: 'prt_1', key: 'OLD', claimIds: ['c1'] }] }))
      .thenError('DUPLICATE_AS2_ID');
  });

  it('a claim records the change, even on an id the partner holds; the partner keeps its id until the change settles', () => {
    spec([reserved('OLD', 'prt_1')]).when(reserve('NEW', 'prt_1', { planLimit: null, claimId: 'c1' })).then([claimed('NEW', 'c1')]);
    spec([reserved('OLD', 'prt_1')]).when(reserve('OLD', 'prt_1', { planLimit: null, claimId: 'c1' })).then([claimed('OLD', 'c1')]);
    const state = foldEvents(partnerDirectoryDecider, [reserved('OLD', 'prt_1'), claimed('NEW', 'c1')]);
    expect(state.as2IdOfPartner.get('prt_1')).toBe('OLD');
    spec([reserved('OLD', 'prt_2')]).when(reserve('OLD', 'prt_1', { planLimit: null, claimId: 'c1' })).thenError('DUPLICATE_AS2_ID');
  });

  it('settling releases the ids the partner no longer holds, and moves its id; a second settlement changes nothing', () => {
    const history = [reserved('OLD', 'prt_1'), claimed('NEW', 'c1')];
    spec(history).when(settle('c1', 'NEW', 1)).then([settled('c1', 'NEW', 1), released('OLD')]);
    const after = foldEvents(partnerDirectoryDecider, [...history, settled('c1', 'NEW', 1), released('OLD')]);
    expect(after.as2IdOfPartner.get('prt_1')).toBe('NEW');
    expect(after.changes.size).toBe(0);
    spec([...history, settled('c1', 'NEW', 1), released('OLD')]).when(settle('c1', 'OLD', 0)).thenNothing();
    // Refused: the claimed id goes, the partner's stays.
    spec(history).when(settle('c1', 'OLD', 0)).then([settled('c1', 'OLD', 0), released('NEW')]);
  });

  it("a deleted partner's claimed ids are released with its id", () => {
    spec([reserved('OLD', 'prt_1'), claimed('NEW', 'c1')])
      .when({ type: 'release_as2_id', partnerId: 'prt_1', reason: 'deleted', now: T1 })
      .then([released('OLD', 'deleted'), released('NEW', 'deleted')]);
  });

  it('finishing a recorded change settles the claim a crash left, else releases the old id as before', () => {
    const finish = (currentAs2Id: string, claimId: string | null = null): PartnerDirectoryCommand => ({
      type: 'finish_as2_id_change',
      partnerId: 'prt_1',
      claimId,
      oldAs2Id: 'OLD',
      changedAt: T1,
      currentAs2Id,
      revision: 1,
      claimsStaleBefore: T0,
      now: T2,
    });
    const crashed = [reserved('OLD', 'prt_1', T0), claimed('NEW', 'c1', T1)];
    spec(crashed)
      .when(finish('NEW', 'c1'))
      .then([
        { type: 'partner_directory.as2_id_claim_settled.v1', data: { partnerId: 'prt_1', claimId: 'c1', staleClaims: [], currentAs2Id: 'NEW', revision: 1, settledAt: T2 } },
        released('OLD', 'changed', T2),
      ]);
    // Settled already (no claim): the old id, if still reserved from before the change, is released; once.
    spec([reserved('OLD', 'prt_1', T0), reserved('NEW', 'prt_1', T1)]).when(finish('NEW')).then([released('OLD', 'changed', T2)]);
    spec([reserved('NEW', 'prt_1', T1)]).when(finish('NEW')).thenNothing();
    // A later change back claims OLD: finishing the first change leaves it.
    spec([reserved('OLD', 'prt_1', T0), reserved('NEW', 'prt_1', T1), claimed('OLD', 'c2', T2)]).when(finish('NEW')).thenNothing();
    // The claim found meanwhile settled by its own change: nothing more.
    spec([...crashed, settled('c1', 'NEW', 1), released('OLD')]).when(finish('NEW', 'c1')).thenNothing();
  });

  it('concurrent changes of one partner, their steps interleaved at random: exactly its current id stays reserved, never unreserved while held', () => {
    const directory: ClaimingDirectory<PartnerDirectoryState> = {
      initial: () => apply(partnerDirectoryDecider.initialState(), reserve('OLD', 'prt_1')),
      claim: (state, key, claimId) => apply(state, reserve(key, 'prt_1', { planLimit: null, claimId })),
      settle: (state, claimId, reading) => apply(state, settle(claimId, reading.key, reading.revision)),
      keysOf,
      changesOf: (state) => state.changes,
    };
    for (const targets of INTERLEAVED_TARGETS) {
      for (let seed = 1; seed <= 400; seed++) {
        const { broken, held, final, underWay } = replayInterleaving(directory, seed, targets);
        expect({ seed, targets, broken, held, underWay }).toEqual({ seed, targets, broken: [], held: [final], underWay: 0 });
      }
    }
  });

  it('a snapshot taken while changes are under way keeps them: the restored directory settles them like the full fold', async () => {
    const codec = partnerDirectoryDecider.snapshot;
    if (!codec?.restore) throw new Error('the partner directory must restore its snapshot');
    const full = [
      reserve('OLD', 'prt_1'),
      reserve('B', 'prt_2'),
      reserve('X', 'prt_1', { planLimit: null, claimId: 'c1' }),
      reserve('Y', 'prt_1', { planLimit: null, claimId: 'c2' }),
      settle('c2', 'Y', 2),
    ].reduce(apply, partnerDirectoryDecider.initialState());
    expect(keysOf(full).sort()).toEqual(['X', 'Y']);
    const json = JSON.parse(JSON.stringify(codec.toJson(full)));
    for (const restored of [codec.fromJson(json), await codec.restore(json, async () => undefined)]) {
      expect(restored.changes).toEqual(full.changes);
      // c1 read revision 1 (X) late: the restored directory knows revision 2 (Y) was read, as the full fold does.
      expect(partnerDirectoryDecider.decide(settle('c1', 'X', 1), restored)).toEqual(partnerDirectoryDecider.decide(settle('c1', 'X', 1), full));
    }
    expect(keysOf(apply(full, settle('c1', 'X', 1)))).toEqual(['Y']);
    // None under way: the snapshot is as before (no field).
    expect((codec.toJson(foldEvents(partnerDirectoryDecider, [reserved('OLD', 'prt_1')])) as [Record<string, unknown>])[0]).not.toHaveProperty('changes');
  });
});

describe('partner directory decider: its weight in the write model cache', () => {
  it('is the number of reservations it holds (released ones weigh nothing)', () => {
    const weigh = partnerDirectoryDecider.snapshot?.weigh as (state: PartnerDirectoryState) => number;
    const released: PartnerDirectoryEvent = { type: 'partner_directory.as2_id_released.v1', data: { as2Id: 'B', partnerId: 'prt_2', reason: 'deleted', releasedAt: T1 } };
    expect(weigh(foldEvents(partnerDirectoryDecider, []))).toBe(0);
    expect(weigh(foldEvents(partnerDirectoryDecider, [reserved('A', 'prt_1'), reserved('B', 'prt_2'), reserved('C', 'prt_3')]))).toBe(3);
    expect(weigh(foldEvents(partnerDirectoryDecider, [reserved('A', 'prt_1'), reserved('B', 'prt_2'), released]))).toBe(1);
  });
});
