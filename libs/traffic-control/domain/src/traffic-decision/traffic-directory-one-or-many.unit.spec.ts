import { AMBIGUOUS_PAIR, TrafficDirectory, type PartnerFacts } from './traffic-directory';

const now = Date.parse('2026-11-23T10:00:00.000Z');
const partner = (overrides: Partial<PartnerFacts> & Pick<PartnerFacts, 'partnerId' | 'tenant' | 'as2Id'>): PartnerFacts => ({
  account: 'acc',
  name: overrides.partnerId,
  active: true,
  deleted: false,
  stationId: null,
  ...overrides,
});
/** Partner ids in the directory's near-miss index (the partners not found by their own id's two forms). */
const nearIndexSize = (d: TrafficDirectory) =>
  [...(d as unknown as { partnersByNearMiss: Map<string, Map<number, string | string[]>> }).partnersByNearMiss.values()].flatMap((m) => [...m.values()].flat()).length;
/** The directory's index of tenant partners by AS2 id (what it holds per key: one id, or an array from the second on). */
const tenantIndex = (d: TrafficDirectory) => (d as unknown as { tenantPartnersByAccount: Map<string, Map<string, unknown>> }).tenantPartnersByAccount.get('acc');

describe('traffic directory: partners put in ascending id order (as a refill walks them), then again', () => {
  function instance(): TrafficDirectory {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    return d;
  }
  const decide = (d: TrafficDirectory, from: string) => d.decide('acc', 't1', 'inbound', from, 'US', now);

  it('the last id put again, then an earlier one: each replaces the partner it had (its old AS2 id is no longer found), a later id is new', () => {
    const d = instance();
    for (const i of [1, 2, 3]) d.putPartner(partner({ partnerId: `prt_${i}`, tenant: 't1', as2Id: `A${i}` }));
    d.putPartner(partner({ partnerId: 'prt_3', tenant: 't1', as2Id: 'B3' }));
    expect(decide(d, 'A3')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND' });
    expect(decide(d, 'B3')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_3', as2Id: 'B3' } });
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'B1' }));
    expect(decide(d, 'A1')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND' });
    d.putPartner(partner({ partnerId: 'prt_4', tenant: 't1', as2Id: 'A4' }));
    expect(d.partnerCount).toBe(4);
    expect(['A2', 'B1', 'B3', 'A4'].map((id) => decide(d, id).partner?.partnerId)).toEqual(['prt_2', 'prt_1', 'prt_3', 'prt_4']);
  });

  it("a mixed-case id put again with another id leaves the near-miss index: the old id's near miss is no longer offered", () => {
    const d = instance();
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }));
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't1', as2Id: 'Beta' }));
    expect(decide(d, 'BETA').reason).toContain('did you mean "Beta"?');
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't1', as2Id: 'GAMMA' }));
    expect(nearIndexSize(d)).toBe(0);
    expect(decide(d, 'BETA').reason).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "BETA"');
    expect(decide(d, 'gamma').reason).toContain('did you mean "GAMMA"?');
  });
});

describe('traffic directory: one id per key, several only from the second partner on', () => {
  // An account-level instance serves every tenant: an account-wide caller finds the one tenant partner with the id.
  function hub(): TrafficDirectory {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_hub', account: 'acc', tenant: null, myAs2Id: 'HUB', status: 'on' });
    return d;
  }
  const inbound = (d: TrafficDirectory, from: string) => d.decide('acc', null, 'inbound', from, 'HUB', now);

  it('add, second add, remove back to one, remove the last: the one tenant partner, then ambiguous, then the one again, then none', () => {
    const d = hub();
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }));
    expect(tenantIndex(d)?.get('ACME')).toBe('prt_1');
    expect(inbound(d, 'ACME')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' }, tenant: 't1' });

    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'ACME' }));
    expect(tenantIndex(d)?.get('ACME')).toEqual(['prt_1', 'prt_2']);
    expect(inbound(d, 'ACME')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', reason: `PARTNER_NOT_FOUND: ${AMBIGUOUS_PAIR}`, partner: null });
    // Each tenant's own credential still decides its own partner.
    expect(d.decide('acc', 't2', 'inbound', 'ACME', 'HUB', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' } });

    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME', deleted: true }));
    expect(tenantIndex(d)?.get('ACME')).toBe('prt_2');
    expect(inbound(d, 'ACME')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' }, tenant: 't2' });

    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'ACME', deleted: true }));
    expect(tenantIndex(d)?.has('ACME')).toBe(false);
    expect(inbound(d, 'ACME')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', reason: 'PARTNER_NOT_FOUND: no partner has the AS2 id "ACME"' });
  });

  it('a partner that changes its AS2 id leaves the old key (a third and a re-add keep the order they came in)', () => {
    const d = hub();
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }));
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'ACME' }));
    d.putPartner(partner({ partnerId: 'prt_3', tenant: 't3', as2Id: 'ACME' }));
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'ACME-NEW' }));
    expect(tenantIndex(d)?.get('ACME')).toEqual(['prt_1', 'prt_3']);
    expect(tenantIndex(d)?.get('ACME-NEW')).toBe('prt_2');
    expect(inbound(d, 'ACME-NEW')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2', as2Id: 'ACME-NEW' } });
    d.putPartner(partner({ partnerId: 'prt_3', tenant: 't3', as2Id: 'ACME', active: false }));
    expect(tenantIndex(d)?.get('ACME')).toEqual(['prt_1', 'prt_3']);
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'OTHER' }));
    expect(tenantIndex(d)?.get('ACME')).toBe('prt_3');
    expect(inbound(d, 'ACME')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_INACTIVE', partner: { partnerId: 'prt_3' } });
  });

  it("the directory keeps only the decision's fields of a loaded document, and answers with the same facts", () => {
    const d = hub();
    d.putPartner({ ...partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }), _id: 'prt_1', extra: 'x'.repeat(100) } as PartnerFacts);
    expect(d.partner('prt_1')).toEqual(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }));
  });

  describe('near misses ("did you mean") stay within the tenant the instance serves', () => {
    function tenants(): TrafficDirectory {
      const d = new TrafficDirectory();
      for (const t of ['t1', 't2', 't3']) d.putInstance({ instanceId: `ins_${t}`, account: 'acc', tenant: t, myAs2Id: `US-${t}`, status: 'on' });
      d.putPartner(partner({ partnerId: 'prt_1a', tenant: 't1', as2Id: 'Acme' }));
      d.putPartner(partner({ partnerId: 'prt_1b', tenant: 't1', as2Id: 'ACME' }));
      d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'acme' }));
      return d;
    }
    const reasonFor = (d: TrafficDirectory, tenant: string, from: string) => d.decide('acc', tenant, 'inbound', from, `US-${tenant}`, now).reason;

    it("each tenant is told its own partner's id, never another tenant's; a tenant without one is told none", () => {
      const d = tenants();
      expect(reasonFor(d, 't1', ' "acme" ')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id " \\"acme\\" "; did you mean "Acme"?');
      expect(reasonFor(d, 't2', 'ACME ')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "ACME "; did you mean "acme"?');
      expect(reasonFor(d, 't3', 'acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"');
    });

    it('two near misses in one tenant: the first that came, then the other when it goes, then none; a re-add comes last', () => {
      const d = tenants();
      d.putPartner(partner({ partnerId: 'prt_1a', tenant: 't1', as2Id: 'Acme', deleted: true }));
      expect(reasonFor(d, 't1', 'acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"; did you mean "ACME"?');
      d.putPartner(partner({ partnerId: 'prt_1b', tenant: 't1', as2Id: 'ACME', deleted: true }));
      expect(reasonFor(d, 't1', 'acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"');
      // t2's partner with that very near-miss key is still not offered to t1.
      expect(reasonFor(d, 't2', 'Acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "Acme"; did you mean "acme"?');
      d.putPartner(partner({ partnerId: 'prt_1b', tenant: 't1', as2Id: 'ACME' }));
      d.putPartner(partner({ partnerId: 'prt_1a', tenant: 't1', as2Id: 'Acme' }));
      expect(reasonFor(d, 't1', 'acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"; did you mean "ACME"?');
    });

    it('two ids whose near-miss keys share the index hash: each is offered only for its own key', () => {
      // "p-139599" and "p-322382" have the same 30-bit FNV-1a hash (the index's key); their near-miss keys differ.
      const d = tenants();
      d.putPartner(partner({ partnerId: 'prt_h1', tenant: 't3', as2Id: 'P-139599' }));
      expect(reasonFor(d, 't3', 'p-322382')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "p-322382"');
      d.putPartner(partner({ partnerId: 'prt_h2', tenant: 't3', as2Id: 'P-322382' }));
      expect(reasonFor(d, 't3', 'p-322382')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "p-322382"; did you mean "P-322382"?');
      expect(reasonFor(d, 't3', 'p-139599')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "p-139599"; did you mean "P-139599"?');
    });

    it("an account's master partner is offered to every tenant after the tenant's own", () => {
      const d = tenants();
      d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'ACME' }));
      expect(reasonFor(d, 't3', 'acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "acme"; did you mean "ACME"?');
      expect(reasonFor(d, 't2', 'Acme')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "Acme"; did you mean "acme"?');
    });
  });

  describe('the tenant-partner index is kept only for an account with an account-level instance', () => {
    it('none without one; the first one builds it from the partners already there, and later puts keep it', () => {
      const d = new TrafficDirectory();
      d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US-t1', status: 'on' });
      d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'ACME' }));
      d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', as2Id: 'BETA' }));
      d.putPartner(partner({ partnerId: 'prt_3', tenant: 't3', as2Id: 'GONE', deleted: true }));
      d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'MASTER' }));
      expect(tenantIndex(d)).toBeUndefined();

      d.putInstance({ instanceId: 'ins_hub', account: 'acc', tenant: null, myAs2Id: 'HUB', status: 'on' });
      expect(tenantIndex(d)).toEqual(new Map([['ACME', 'prt_1'], ['BETA', 'prt_2']]));
      expect(inbound(d, 'BETA')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' }, tenant: 't2' });
      expect(inbound(d, 'MASTER')).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: null });
      expect(inbound(d, 'GONE')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null });

      d.putPartner(partner({ partnerId: 'prt_4', tenant: 't4', as2Id: 'ACME' }));
      expect(inbound(d, 'ACME')).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null });
      d.putInstance({ instanceId: 'ins_hub2', account: 'acc', tenant: null, myAs2Id: 'HUB2', status: 'on' });
      expect(tenantIndex(d)?.get('ACME')).toEqual(['prt_1', 'prt_4']);
    });
  });

  describe('near misses of ids that are their near-miss key or its upper case are found without the index', () => {
    function scope(ids: readonly string[]): TrafficDirectory {
      const d = new TrafficDirectory();
      d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US-t1', status: 'on' });
      ids.forEach((as2Id, i) => d.putPartner(partner({ partnerId: `prt_${i}`, tenant: 't1', as2Id })));
      return d;
    }
    const reasonFor = (d: TrafficDirectory, from: string) => d.decide('acc', 't1', 'inbound', from, 'US-t1', now).reason;

    it('only the mixed-case and spaced or quoted ids are indexed', () => {
      expect(nearIndexSize(scope(['ACME', 'acme', 'X-1', 'x-1.b']))).toBe(0);
      expect(nearIndexSize(scope(['Acme', ' ACME', '"acme"', 'ACME']))).toBe(3);
    });

    it.each([
      [['ACME', 'acme', 'Acme'], 'ACME'],
      [['acme', 'Acme', 'ACME'], 'acme'],
      [['Acme', 'ACME', 'acme'], 'Acme'],
      [[' "ACME" ', 'acme'], ' "ACME" '],
    ])('several near misses %j: the first put is offered (%s), whichever form it has', (ids, offered) => {
      expect(reasonFor(scope(ids), 'ACME ')).toBe(`PARTNER_NOT_FOUND: no partner has the AS2 id "ACME "; did you mean ${JSON.stringify(offered)}?`);
    });

    it('a partner put again goes last; a deleted one is not offered; a changed id is offered by its new id only', () => {
      const d = scope(['ACME', 'acme', 'Acme']);
      d.putPartner(partner({ partnerId: 'prt_0', tenant: 't1', as2Id: 'ACME', name: 'renamed' }));
      expect(reasonFor(d, 'aCME')).toContain('did you mean "acme"?');
      d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1', as2Id: 'acme', deleted: true }));
      expect(reasonFor(d, 'aCME')).toContain('did you mean "Acme"?');
      d.putPartner(partner({ partnerId: 'prt_2', tenant: 't1', as2Id: 'BETA' }));
      expect(reasonFor(d, 'aCME')).toContain('did you mean "ACME"?');
      expect(reasonFor(d, 'beta')).toContain('did you mean "BETA"?');
      d.putPartner(partner({ partnerId: 'prt_0', tenant: 't1', as2Id: 'ACME', deleted: true }));
      expect(reasonFor(d, 'aCME')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "aCME"');
    });

    it('non-ASCII ids and ids with spaces or controls at an end: each offered for its near-miss key, indexed only when its two forms miss it', () => {
      const ids = ['ÄCME', 'Ötzi', 'ACME\u00a0', '\u0001BETA', 'gamma\t'];
      const d = scope(ids);
      expect(nearIndexSize(d)).toBe(3);
      expect(reasonFor(d, 'äcme')).toContain('did you mean "ÄCME"?');
      expect(reasonFor(d, 'ÖTZI')).toContain('did you mean "Ötzi"?');
      expect(reasonFor(d, ' acme ')).toContain('did you mean "ACME\u00a0"?');
      expect(reasonFor(d, '\u0001beta')).toContain('did you mean "\\u0001BETA"?');
      expect(reasonFor(d, 'GAMMA')).toContain('did you mean "gamma\\t"?');
    });

    it('a key whose upper case is not the id it came from: only an id with that very near-miss key is offered', () => {
      // "ß" upper-cases to "SS": the id "SS" has the near-miss key "ss", not "ß".
      const d = scope(['SS', 'STRASSE']);
      expect(reasonFor(d, 'ß')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "ß"');
      expect(reasonFor(d, 'straße')).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "straße"');
      expect(reasonFor(d, 'ss')).toContain('did you mean "SS"?');
    });
  });
});
