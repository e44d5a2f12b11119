import { ALL_ACCOUNTS, TrafficDirectory, type PartnerFacts } from './traffic-directory';

const now = Date.parse('2026-11-23T10:00:00.000Z');
const partner = (overrides: Partial<PartnerFacts> = {}): PartnerFacts => ({
  partnerId: 'prt_1',
  account: 'acc',
  tenant: 't1',
  as2Id: 'ACME',
  name: 'Acme',
  active: true,
  deleted: false,
  stationId: null,
  ...overrides,
});
const noPause = { pauses: { incoming: null, outgoing: null }, windows: [] };

function directory(): TrafficDirectory {
  const d = new TrafficDirectory();
  d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
  d.putInstance({ instanceId: 'ins_2', account: 'other', tenant: 't9', myAs2Id: 'THEM', status: 'on' });
  d.putPartner(partner());
  d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'MASTER' }));
  d.putPartner(partner({ partnerId: 'prt_x', account: 'other', tenant: 't9', as2Id: 'ACME' }));
  return d;
}

describe('traffic directory', () => {
  it('resolves inbound (partner → us) and outbound (us → partner) to the partner and instance', () => {
    const d = directory();
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' }, instance: { instanceId: 'ins_1' } });
    expect(d.decide('acc', null, 'outbound', 'US', 'ACME', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
  });

  it('an inherited master partner resolves for the tenant; the account pause and the tenant pause both apply', () => {
    const d = directory();
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: 't1' });
    d.putTraffic('acc', 't1', 'prt_m', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 'tenant', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', null, 'outbound', 'US', 'MASTER', now)).toMatchObject({ decision: 'block', reasonCode: 'TENANT_PAUSE' });
    d.putTraffic('acc', null, 'prt_m', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 'acct', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', null, 'outbound', 'US', 'MASTER', now)).toMatchObject({ decision: 'block', reasonCode: 'ACCOUNT_PAUSE' });
    d.putTraffic('acc', null, 'prt_m', noPause);
    d.putTraffic('acc', 't1', 'prt_m', noPause);
    expect(d.decide('acc', null, 'outbound', 'US', 'MASTER', now).decision).toBe('accept');
  });

  it("a tenant's override of a master partner's `active` decides that tenant's messages only, and its removal restores the master's", () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_t2', account: 'acc', tenant: 't2', myAs2Id: 'US2', status: 'on' });
    d.putActiveOverride('prt_m', 't1', false);
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_INACTIVE', partner: { partnerId: 'prt_m' }, tenant: 't1' });
    expect(d.decide('acc', 't1', 'outbound', 'US', 'MASTER', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_INACTIVE' });
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US2', now)).toMatchObject({ decision: 'accept', tenant: 't2' });
    d.putActiveOverride('prt_m', 't1', null);
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US', now).decision).toBe('accept');
    // A master switched off by the account and back on by one tenant.
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'MASTER', active: false }));
    d.putActiveOverride('prt_m', 't2', true);
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US', now).reasonCode).toBe('PARTNER_INACTIVE');
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'US2', now).decision).toBe('accept');
  });

  it("an account-scoped credential never resolves another account's pair; an all-accounts one does", () => {
    const d = directory();
    expect(d.decide('acc', null, 'inbound', 'ACME', 'THEM', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null });
    expect(d.decide(ALL_ACCOUNTS, null, 'inbound', 'ACME', 'THEM', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_x' } });
  });

  it('a partner of another tenant of the same account is not found', () => {
    const d = directory();
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'T2ONLY' }));
    expect(d.decide('acc', null, 'inbound', 'T2ONLY', 'US', now).reasonCode).toBe('PARTNER_NOT_FOUND');
  });

  it("an account-level instance serves every tenant: the account's master partner, else the one tenant partner with that id", () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: null });
    expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' }, tenant: 't1' });
    d.putTraffic('acc', 't1', 'prt_1', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 't1', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', null, 'outbound', 'HQ', 'ACME', now)).toMatchObject({ decision: 'block', reasonCode: 'TENANT_PAUSE' });
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME' }));
    expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now).reasonCode).toBe('PARTNER_NOT_FOUND');
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME', deleted: true }));
    expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
  });

  it.each([['acme'], [' ACME '], ['"ACME"'], ["'acme'"]])('near miss %p is rejected with a did-you-mean', (sent) => {
    const answer = directory().decide('acc', null, 'inbound', sent, 'US', now);
    expect(answer.decision).toBe('reject');
    expect(answer.reason).toContain('did you mean "ACME"?');
  });

  it('a near miss on our own AS2 id names the instance', () => {
    expect(directory().decide('acc', null, 'inbound', 'ACME', 'us', now).reason).toContain('did you mean "US"?');
    expect(directory().decide('acc', null, 'inbound', 'ACME', 'them', now).reason).not.toContain('did you mean');
  });

  it('a deleted partner is rejected; a new partner with its AS2 id takes over; an AS2 id change moves the index', () => {
    const d = directory();
    d.putPartner(partner({ deleted: true }));
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND' });
    d.putPartner(partner({ partnerId: 'prt_2' }));
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' } });
    d.putPartner(partner({ partnerId: 'prt_2', as2Id: 'ACME2' }));
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now).decision).toBe('reject');
    expect(d.decide('acc', null, 'inbound', 'ACME2', 'US', now).decision).toBe('accept');
  });

  it('an instance turned off rejects both directions; its AS2 id change follows', () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' });
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now).reasonCode).toBe('AS2_INSTANCE_OFF');
    expect(d.decide('acc', null, 'outbound', 'US', 'ACME', now).reasonCode).toBe('AS2_INSTANCE_OFF');
    d.removeInstance('ins_1');
    expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now).reasonCode).toBe('PARTNER_NOT_FOUND');
  });

  describe('partnerships', () => {
    const partnership = (id: string, instanceId: string, partnerId: string, tenant = 't1') => ({ partnershipId: id, account: 'acc', tenant, as2InstanceId: instanceId, partnerId });

    it('an instance without partnerships in the tenant exchanges with any partner of its scope (as before partnerships)', () => {
      const d = directory();
      d.putPartnership(partnership('ps_other_tenant', 'ins_1', 'prt_m', 't2'));
      expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
    });

    it("once the tenant made partnerships for an instance, a partner without one is refused PARTNERSHIP_NOT_FOUND; deleting the last one restores the old rule", () => {
      const d = directory();
      d.putPartnership(partnership('ps_1', 'ins_1', 'prt_m'));
      expect(d.decide('acc', null, 'inbound', 'MASTER', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' } });
      const refused = d.decide('acc', null, 'outbound', 'US', 'ACME', now);
      expect(refused).toMatchObject({ decision: 'reject', reasonCode: 'PARTNERSHIP_NOT_FOUND', partner: { partnerId: 'prt_1' }, instance: { instanceId: 'ins_1' } });
      expect(refused.reason).toContain('none with the partner Acme');
      d.putPartnership(partnership('ps_2', 'ins_1', 'prt_1'));
      expect(d.decide('acc', null, 'outbound', 'US', 'ACME', now).decision).toBe('accept');
      d.removePartnership('ps_2');
      expect(d.decide('acc', null, 'outbound', 'US', 'ACME', now).reasonCode).toBe('PARTNERSHIP_NOT_FOUND');
      d.removePartnership('ps_1');
      expect(d.decide('acc', null, 'outbound', 'US', 'ACME', now).decision).toBe('accept');
    });

    it('where an AS2 id names several ends, the pair with a partnership wins', () => {
      const d = directory();
      // Own partner and master partner with one AS2 id: own wins without partnerships, the partnered one with them.
      d.putPartner(partner({ partnerId: 'prt_m2', tenant: null, as2Id: 'ACME' }));
      expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now).partner?.partnerId).toBe('prt_1');
      d.putPartnership(partnership('ps_m2', 'ins_1', 'prt_m2'));
      expect(d.decide('acc', null, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m2' } });
      // Two instances with one AS2 id: the one partnered with the partner answers.
      d.putInstance({ instanceId: 'ins_1b', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' });
      d.putPartner(partner({ partnerId: 'prt_b', as2Id: 'BETA' }));
      d.putPartnership(partnership('ps_b', 'ins_1b', 'prt_b'));
      expect(d.decide('acc', null, 'inbound', 'BETA', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'AS2_INSTANCE_OFF', instance: { instanceId: 'ins_1b' } });
    });

    it("a tenant's instance and an account-level instance with one AS2 id, both partnered: the tenant's own, as the registry's resolve takes it, whichever was written last", () => {
      const d = new TrafficDirectory();
      d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'US', status: 'on' });
      d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' });
      d.putPartner(partner({ partnerId: 'prt_m', tenant: null }));
      d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1' }));
      // t1 pairs its own instance with the master, the account-level instance with its own partner of the same AS2 id.
      d.putPartnership(partnership('ps_t1', 'ins_t1', 'prt_m'));
      d.putPartnership(partnership('ps_acc', 'ins_acc', 'prt_1'));
      const rewrite = { ins_acc: () => d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'US', status: 'on' }), ins_t1: () => d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' }) };
      for (const last of [null, 'ins_acc', 'ins_t1'] as const) {
        if (last !== null) rewrite[last]();
        for (const caller of ['t1', null]) {
          expect(d.decide('acc', caller, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'AS2_INSTANCE_OFF', instance: { instanceId: 'ins_t1' }, partner: { partnerId: 'prt_m' }, tenant: 't1' });
        }
      }
    });

    it("an account-level instance: a partnership picks the one tenant's partner among several with that AS2 id", () => {
      const d = directory();
      d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
      d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME' }));
      expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now).reasonCode).toBe('PARTNER_NOT_FOUND');
      d.putPartnership(partnership('ps_t2', 'ins_acc', 'prt_t2', 't2'));
      expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_t2' }, tenant: 't2' });
    });
  });
});

describe('traffic directory: a tenant-scoped gateway credential', () => {
  const paused = (response: 'http_422' | 'http_503_retry' | null, reason: string) => ({ response, reason, since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' });
  const unknownPair = (d: TrafficDirectory, direction: 'inbound' | 'outbound', from: string, to: string) => {
    // What a credential of an account that holds none of these ids hears: the answer to an unknown pair.
    const { decision, reasonCode, reason, partner, instance } = d.decide('nobody', null, direction, from, to, now);
    return { decision, reasonCode, reason, partner, instance };
  };

  /** Two tenants of one account with the same AS2 ids, each with its own pause; masters, an account-level instance. */
  function twoTenants(withT1OnlyPartner = true): TrafficDirectory {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    d.putInstance({ instanceId: 'ins_t2', account: 'acc', tenant: 't2', myAs2Id: 'US', status: 'on' });
    d.putInstance({ instanceId: 'ins_t1only', account: 'acc', tenant: 't1', myAs2Id: 'T1US', status: 'on' });
    d.putInstance({ instanceId: 'ins_hq', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_a1', tenant: 't1', as2Id: 'ACME' }));
    d.putPartner(partner({ partnerId: 'prt_a2', tenant: 't2', as2Id: 'ACME' }));
    if (withT1OnlyPartner) d.putPartner(partner({ partnerId: 'prt_t1only', tenant: 't1', as2Id: 'T1ONLY' }));
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null, as2Id: 'MASTER' }));
    d.putTraffic('acc', 't1', 'prt_a1', { ...noPause, pauses: { incoming: paused('http_503_retry', 't1 secret'), outgoing: null } });
    d.putTraffic('acc', 't2', 'prt_a2', { ...noPause, pauses: { incoming: paused('http_422', 't2 own'), outgoing: null } });
    d.putTraffic('acc', 't2', 'prt_m', { ...noPause, pauses: { incoming: paused('http_422', 't2 on master'), outgoing: null } });
    d.putTraffic('acc', null, 'prt_m', { ...noPause, pauses: { incoming: null, outgoing: paused(null, 'account on master') } });
    return d;
  }

  // [caller tenant, direction, from, to] → [decision, reason code, partner, instance, the message's tenant]
  const table: [string | null, 'inbound' | 'outbound', string, string, string, string, string | null, string | null, string | null][] = [
    ['t2', 'inbound', 'ACME', 'US', 'reject_422', 'TENANT_PAUSE', 'prt_a2', 'ins_t2', 't2'],
    ['t2', 'outbound', 'US', 'ACME', 'accept', 'NOT_PAUSED', 'prt_a2', 'ins_t2', 't2'],
    ['t1', 'inbound', 'ACME', 'US', 'defer_503', 'TENANT_PAUSE', 'prt_a1', 'ins_t1', 't1'],
    ['t2', 'inbound', 'ACME', 'T1US', 'reject', 'PARTNER_NOT_FOUND', null, null, 't2'],
    ['t2', 'outbound', 'T1US', 'ACME', 'reject', 'PARTNER_NOT_FOUND', null, null, 't2'],
    ['t2', 'inbound', 'T1ONLY', 'US', 'reject', 'PARTNER_NOT_FOUND', null, 'ins_t2', 't2'],
    // An account-level instance answers a tenant-scoped caller as that tenant's: its partners, the masters, its pauses.
    ['t2', 'inbound', 'T1ONLY', 'HQ', 'reject', 'PARTNER_NOT_FOUND', null, 'ins_hq', 't2'],
    ['t2', 'inbound', 'ACME', 'HQ', 'reject_422', 'TENANT_PAUSE', 'prt_a2', 'ins_hq', 't2'],
    ['t1', 'inbound', 'ACME', 'HQ', 'defer_503', 'TENANT_PAUSE', 'prt_a1', 'ins_hq', 't1'],
    // Masters, inherited: the tenant's own pause of the master and the account's pause both apply, another tenant's never.
    ['t2', 'inbound', 'MASTER', 'US', 'reject_422', 'TENANT_PAUSE', 'prt_m', 'ins_t2', 't2'],
    ['t1', 'inbound', 'MASTER', 'US', 'accept', 'NOT_PAUSED', 'prt_m', 'ins_t1', 't1'],
    ['t2', 'outbound', 'US', 'MASTER', 'block', 'ACCOUNT_PAUSE', 'prt_m', 'ins_t2', 't2'],
    ['t2', 'inbound', 'MASTER', 'HQ', 'reject_422', 'TENANT_PAUSE', 'prt_m', 'ins_hq', 't2'],
    ['t1', 'inbound', 'MASTER', 'HQ', 'accept', 'NOT_PAUSED', 'prt_m', 'ins_hq', 't1'],
    ['t1', 'outbound', 'HQ', 'MASTER', 'block', 'ACCOUNT_PAUSE', 'prt_m', 'ins_hq', 't1'],
    // An account-wide credential keeps the account-wide answers; a pair both tenants have is theirs to decide, not its.
    [null, 'inbound', 'ACME', 'US', 'reject', 'PARTNER_NOT_FOUND', null, null, null],
    [null, 'inbound', 'MASTER', 'US', 'reject', 'PARTNER_NOT_FOUND', null, null, null],
    [null, 'inbound', 'T1ONLY', 'HQ', 'accept', 'NOT_PAUSED', 'prt_t1only', 'ins_hq', 't1'],
    [null, 'inbound', 'ACME', 'HQ', 'reject', 'PARTNER_NOT_FOUND', null, 'ins_hq', null],
    [null, 'inbound', 'MASTER', 'HQ', 'accept', 'NOT_PAUSED', 'prt_m', 'ins_hq', null],
  ];

  it.each(table)('caller tenant %p, %s %s → %s: %s (%s)', (tenant, direction, from, to, decision, reasonCode, partnerId, instanceId, messageTenant) => {
    const answer = twoTenants().decide('acc', tenant, direction, from, to, now);
    expect({ decision: answer.decision, reasonCode: answer.reasonCode, partner: answer.partner?.partnerId ?? null, instance: answer.instance?.instanceId ?? null, tenant: answer.tenant }).toEqual({
      decision,
      reasonCode,
      partner: partnerId,
      instance: instanceId,
      tenant: messageTenant,
    });
  });

  it("another tenant's pair answers exactly as an unknown pair: no decision, ids or reason of the other tenant", () => {
    const d = twoTenants();
    for (const [direction, from, to] of [
      ['inbound', 'ACME', 'T1US'],
      ['outbound', 'T1US', 'ACME'],
    ] as const) {
      const { decision, reasonCode, reason, partner, instance } = d.decide('acc', 't2', direction, from, to, now);
      expect({ decision, reasonCode, reason, partner, instance }).toEqual(unknownPair(d, direction, from, to));
    }
    // Through the account-level instance (which t2 inherits): as if t1's partner did not exist.
    const withoutT1Partner = twoTenants(false).decide('acc', 't2', 'inbound', 'T1ONLY', 'HQ', now);
    expect(d.decide('acc', 't2', 'inbound', 'T1ONLY', 'HQ', now)).toEqual(withoutT1Partner);
  });

  it("did you mean never names another tenant's AS2 id, and still names the caller's own and the masters'", () => {
    const d = twoTenants();
    expect(d.decide('acc', null, 'inbound', 'ACME', 't1us', now).reason).toContain('did you mean "T1US"?');
    expect(d.decide('acc', 't2', 'inbound', 'ACME', 't1us', now)).toMatchObject(unknownPair(d, 'inbound', 'ACME', 't1us'));
    expect(d.decide('acc', 't2', 'inbound', 'ACME', 't1us', now).reason).not.toContain('did you mean');
    expect(d.decide('acc', 't1', 'inbound', 't1only', 'HQ', now).reason).toContain('did you mean "T1ONLY"?');
    expect(d.decide('acc', 't2', 'inbound', 't1only', 'HQ', now).reason).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "t1only"');
    expect(d.decide('acc', 't2', 'inbound', 't1only', 'US', now).reason).toBe('PARTNER_NOT_FOUND: no partner has the AS2 id "t1only"');
    expect(d.decide('acc', 't2', 'inbound', ' acme ', 'US', now).reason).toContain('did you mean "ACME"?');
    expect(d.decide('acc', 't2', 'inbound', 'master', 'HQ', now).reason).toContain('did you mean "MASTER"?');
  });

  it("another tenant's partnership does not pair the caller's tenant with an inherited master", () => {
    const d = twoTenants();
    d.putPartner(partner({ partnerId: 'prt_b2', tenant: 't2', as2Id: 'BETA' }));
    const ps = (partnershipId: string, tenant: string, partnerId: string) => ({ partnershipId, account: 'acc', tenant, as2InstanceId: 'ins_hq', partnerId });
    d.putPartnership(ps('ps_t1_m', 't1', 'prt_m'));
    d.putPartnership(ps('ps_t2_b', 't2', 'prt_b2'));
    expect(d.decide('acc', 't1', 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' } });
    expect(d.decide('acc', 't2', 'inbound', 'BETA', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_b2' } });
    expect(d.decide('acc', 't2', 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNERSHIP_NOT_FOUND', partner: { partnerId: 'prt_m' } });
    d.putPartnership(ps('ps_t2_m', 't2', 'prt_m'));
    expect(d.decide('acc', 't2', 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'reject_422', reasonCode: 'TENANT_PAUSE', partner: { partnerId: 'prt_m' } });
    d.removePartnership('ps_t2_m');
    expect(d.decide('acc', 't2', 'inbound', 'MASTER', 'HQ', now).reasonCode).toBe('PARTNERSHIP_NOT_FOUND');
    // The account-wide credential: any tenant's partnership pairs the ends, as before.
    expect(d.decide('acc', null, 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' } });
  });
});

describe('traffic directory: one pair of AS2 ids in several tenants, an account-wide credential', () => {
  const hijacked = (d: TrafficDirectory, account = 'acc') => d.decide(account, null, 'inbound', 'ACME', 'US', now);
  const ambiguous = { decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null, instance: null, tenant: null };
  const ps = (partnershipId: string, tenant: string, as2InstanceId: string, partnerId: string, account = 'acc') => ({ partnershipId, account, tenant, as2InstanceId, partnerId });

  /** The victim's tenant holds the pair, paused, with a partnership; then another tenant (of `account`) creates the same pair. */
  function victimThenCopy(account: string): TrafficDirectory {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_v', account: 'acc', tenant: 'victim', myAs2Id: 'US', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_v', tenant: 'victim' }));
    d.putPartnership(ps('ps_v', 'victim', 'ins_v', 'prt_v'));
    d.putTraffic('acc', 'victim', 'prt_v', { ...noPause, pauses: { incoming: { response: 'http_503_retry', reason: 'victim pause', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' }, outgoing: null } });
    expect(hijacked(d, account === 'acc' ? 'acc' : ALL_ACCOUNTS)).toMatchObject({ decision: 'defer_503', reasonCode: 'TENANT_PAUSE', instance: { instanceId: 'ins_v' } });
    d.putInstance({ instanceId: 'ins_x', account, tenant: 'attacker', myAs2Id: 'US', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_x', account, tenant: 'attacker' }));
    d.putPartnership(ps('ps_x', 'attacker', 'ins_x', 'prt_x', account));
    return d;
  }

  it.each(['acc', 'other'])("another tenant's copy (account %p) never takes the pair over, whatever order the instances were last written in", (account) => {
    const d = victimThenCopy(account);
    const caller = account === 'acc' ? 'acc' : ALL_ACCOUNTS;
    const answer = () => {
      const { decision, reasonCode, partner: p, instance, tenant, reason } = hijacked(d, caller);
      expect(reason).not.toMatch(/attacker|victim|ins_|prt_/);
      return { decision, reasonCode, partner: p, instance, tenant };
    };
    expect(answer()).toEqual(ambiguous);
    // The victim renames its instance: written last, it came after the copy in the index.
    d.putInstance({ instanceId: 'ins_v', account: 'acc', tenant: 'victim', myAs2Id: 'US', status: 'on' });
    expect(answer()).toEqual(ambiguous);
    d.putInstance({ instanceId: 'ins_x', account, tenant: 'attacker', myAs2Id: 'US', status: 'on' });
    expect(answer()).toEqual(ambiguous);
    // Each tenant's own credential still decides its own pair.
    expect(d.decide('acc', 'victim', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'defer_503', instance: { instanceId: 'ins_v' } });
    expect(d.decide(account, 'attacker', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', instance: { instanceId: 'ins_x' } });
    // The copy gone, the pair is the victim's again.
    d.removePartnership('ps_x');
    d.putPartner(partner({ partnerId: 'prt_x', account, tenant: 'attacker', deleted: true }));
    d.removeInstance('ins_x');
    expect(hijacked(d, caller)).toMatchObject({ decision: 'defer_503', reasonCode: 'TENANT_PAUSE', instance: { instanceId: 'ins_v' } });
  });

  it("an all-accounts credential naming a tenant cannot tell that tenant's namesakes in two accounts apart: ambiguous, whichever was written first", () => {
    for (const first of ['acc', 'other']) {
      const d = new TrafficDirectory();
      for (const account of first === 'acc' ? ['acc', 'other'] : ['other', 'acc']) {
        d.putInstance({ instanceId: `ins_${account}`, account, tenant: 't1', myAs2Id: 'US', status: 'on' });
        d.putPartner(partner({ partnerId: `prt_${account}`, account, tenant: 't1' }));
      }
      expect(d.decide(ALL_ACCOUNTS, 't1', 'inbound', 'ACME', 'US', now)).toMatchObject({ ...ambiguous, tenant: 't1' });
      // Each account's own credential for its t1 decides its own pair.
      expect(d.decide('acc', 't1', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_acc' } });
      expect(d.decide('other', 't1', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_other' } });
      // One account's copy gone, the all-accounts credential decides the other's.
      d.putPartner(partner({ partnerId: 'prt_other', account: 'other', tenant: 't1', deleted: true }));
      d.removeInstance('ins_other');
      expect(d.decide(ALL_ACCOUNTS, 't1', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_acc' } });
    }
  });

  it('a pair with a partnership in one tenant still wins over the same ids without one in another', () => {
    const d = victimThenCopy('acc');
    d.removePartnership('ps_x');
    for (let i = 0; i < 2; i++) {
      expect(hijacked(d)).toMatchObject({ decision: 'defer_503', instance: { instanceId: 'ins_v' }, partner: { partnerId: 'prt_v' } });
      d.putInstance({ instanceId: 'ins_v', account: 'acc', tenant: 'victim', myAs2Id: 'US', status: 'on' });
    }
  });

  it('without any partnership, the same ids in two tenants are ambiguous too; in one tenant they resolve as before', () => {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1' }));
    expect(hijacked(d)).toMatchObject({ decision: 'accept', instance: { instanceId: 'ins_1' } });
    d.putInstance({ instanceId: 'ins_2', account: 'acc', tenant: 't2', myAs2Id: 'US', status: 'on' });
    // t2 has the instance but no partner ACME: one end only, still t1's.
    expect(hijacked(d)).toMatchObject({ decision: 'accept', instance: { instanceId: 'ins_1' } });
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2', deleted: true }));
    // t2's partner ACME deleted: not an end, the pair stays t1's, whichever instance the index holds first.
    expect(hijacked(d)).toMatchObject({ decision: 'accept', instance: { instanceId: 'ins_1' } });
    d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    expect(hijacked(d)).toMatchObject({ decision: 'accept', instance: { instanceId: 'ins_1' } });
    d.putPartner(partner({ partnerId: 'prt_3', tenant: 't2' }));
    expect(hijacked(d)).toMatchObject(ambiguous);
  });

  it("the account-level instance and a master partner: the message is the partnering tenant's (its pause, its `active`, its own partner first); two tenants' are ambiguous", () => {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'US', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null }));
    const outgoing = { response: null, reason: 't2 pause', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' };
    d.putTraffic('acc', 't2', 'prt_m', { ...noPause, pauses: { incoming: null, outgoing } });
    const wide = () => d.decide('acc', null, 'outbound', 'US', 'ACME', now);
    // Without partnerships the pair is no tenant's (as before partnerships).
    expect(wide()).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: null });
    d.putPartnership(ps('ps_t2', 't2', 'ins_acc', 'prt_m'));
    expect(wide()).toMatchObject({ decision: 'block', reasonCode: 'TENANT_PAUSE', partner: { partnerId: 'prt_m' }, instance: { instanceId: 'ins_acc' }, tenant: 't2' });
    d.putActiveOverride('prt_m', 't2', false);
    expect(wide()).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_INACTIVE', tenant: 't2' });
    d.putActiveOverride('prt_m', 't2', null);
    // The tenant's own partner of that AS2 id, partnered too, comes before the master (the registry's resolve).
    d.putPartner(partner({ partnerId: 'prt_2', tenant: 't2' }));
    d.putPartnership(ps('ps_t2own', 't2', 'ins_acc', 'prt_2'));
    expect(wide()).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' }, tenant: 't2' });
    d.removePartnership('ps_t2own');
    // A second tenant's partnership of the same ends: whose message it is cannot be told.
    d.putPartnership(ps('ps_t1', 't1', 'ins_acc', 'prt_m'));
    expect(wide()).toMatchObject(ambiguous);
    expect(d.decide('acc', 't2', 'outbound', 'US', 'ACME', now)).toMatchObject({ decision: 'block', tenant: 't2' });
    expect(d.decide('acc', 't1', 'outbound', 'US', 'ACME', now)).toMatchObject({ decision: 'accept', tenant: 't1' });
  });

  /** The victim's partner behind the account-level instance, paused; another tenant copies the partner and our AS2 id. */
  function victimBehindAccountInstance(attackerInstanceFirst: boolean): TrafficDirectory {
    const d = new TrafficDirectory();
    const accountInstance = () => d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'US', status: 'on' });
    const attackerInstance = () => d.putInstance({ instanceId: 'ins_x', account: 'acc', tenant: 'attacker', myAs2Id: 'US', status: 'on' });
    if (attackerInstanceFirst) attackerInstance();
    accountInstance();
    d.putPartner(partner({ partnerId: 'prt_v', tenant: 'victim' }));
    d.putTraffic('acc', 'victim', 'prt_v', { ...noPause, pauses: { incoming: { response: 'http_503_retry', reason: 'victim pause', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' }, outgoing: null } });
    d.putPartner(partner({ partnerId: 'prt_x', tenant: 'attacker' }));
    if (!attackerInstanceFirst) attackerInstance();
    return d;
  }

  it.each([false, true])("a tenant's copy of our AS2 id never takes over the pair of another tenant's partner behind the account-level instance (its instance first: %p)", (first) => {
    const d = victimBehindAccountInstance(first);
    // No partnerships: the account-level instance's two tenant partners and the copy's rank the same.
    expect(hijacked(d)).toMatchObject(ambiguous);
    // Both tenants pair their partner with the account-level instance: the copy, unpartnered, ranks lower, still ambiguous.
    d.putPartnership(ps('ps_v', 'victim', 'ins_acc', 'prt_v'));
    d.putPartnership(ps('ps_xa', 'attacker', 'ins_acc', 'prt_x'));
    expect(hijacked(d)).toMatchObject(ambiguous);
    // The copy partnered too: three ends of one rank in two tenants.
    d.putPartnership(ps('ps_x', 'attacker', 'ins_x', 'prt_x'));
    expect(hijacked(d)).toMatchObject(ambiguous);
    // Each tenant's own credential still decides its own pair.
    expect(d.decide('acc', 'victim', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'defer_503', partner: { partnerId: 'prt_v' } });
  });

  it.each([false, true])("a deleted master partner behind the account-level instance does not hide its several tenant partners from a tenant's copy (its instance first: %p)", (first) => {
    const d = victimBehindAccountInstance(first);
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null, deleted: true }));
    expect(hijacked(d)).toMatchObject(ambiguous);
    d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'US', status: 'on' });
    expect(hijacked(d)).toMatchObject(ambiguous);
    expect(d.decide('acc', 'victim', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'defer_503', partner: { partnerId: 'prt_v' } });
  });
});

describe('traffic directory: a deleted partner hides no live one', () => {
  const tenantPause = { ...noPause, pauses: { incoming: { response: 'http_422' as const, reason: 't1 on master', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' }, outgoing: null } };

  it("a tenant's deleted partner leaves the pair to the master partner with its AS2 id (the registry no longer knows the deleted one)", () => {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_t1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null }));
    d.putPartner(partner({ partnerId: 'prt_own', tenant: 't1' }));
    d.putPartner(partner({ partnerId: 'prt_own', tenant: 't1', deleted: true }));
    d.putTraffic('acc', 't1', 'prt_m', tenantPause);
    for (const caller of [null, 't1']) {
      expect(d.decide('acc', caller, 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'reject_422', reasonCode: 'TENANT_PAUSE', partner: { partnerId: 'prt_m' }, tenant: 't1' });
    }
    // With no master either, the deleted partner is what the pair names: refused as not found.
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null, deleted: true }));
    expect(d.decide('acc', 't1', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND' });
  });

  it("behind an account-level instance, a deleted master leaves the pair to the one tenant partner with its AS2 id", () => {
    const d = new TrafficDirectory();
    d.putInstance({ instanceId: 'ins_hq', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
    d.putPartner(partner({ partnerId: 'prt_m', tenant: null, deleted: true }));
    d.putPartner(partner({ partnerId: 'prt_1', tenant: 't1' }));
    d.putTraffic('acc', 't1', 'prt_1', tenantPause);
    expect(d.decide('acc', null, 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'reject_422', reasonCode: 'TENANT_PAUSE', partner: { partnerId: 'prt_1' }, tenant: 't1' });
  });
});

describe('traffic directory: deleted tenants', () => {
  it("knows a tenant deleted in its own account only (another account's tenant of the same id is not)", () => {
    const d = directory();
    expect(d.isTenantDeleted('acc', 't1')).toBe(false);
    d.markTenantDeleted('acc', 't1');
    expect(d.isTenantDeleted('acc', 't1')).toBe(true);
    expect(d.isTenantDeleted('other', 't1')).toBe(false);
    expect(d.isTenantDeleted('acc', 't2')).toBe(false);
  });

  // A tenant's closure deletes its partners, partnerships and instances one by one after tenant.deleted.v1 (seconds for
  // thousands): the gateway is told nothing of the tenant's pairs from the deletion on, as once all of them are in.
  it("decides a deleted tenant's pairs as once its instances, partnerships and partners are deleted, before their own deletions arrive", () => {
    const world = (d: TrafficDirectory): TrafficDirectory => {
      d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
      d.putInstance({ instanceId: 'ins_t2', account: 'acc', tenant: 't2', myAs2Id: 'US2', status: 'on' });
      d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'BULK' }));
      d.putPartnership({ partnershipId: 'pts_1', account: 'acc', tenant: 't1', as2InstanceId: 'ins_acc', partnerId: 'prt_m' });
      d.putPartnership({ partnershipId: 'pts_2', account: 'acc', tenant: 't1', as2InstanceId: 'ins_1', partnerId: 'prt_1' });
      return d;
    };
    const asks = [
      ['inbound', 'ACME', 'US'],
      ['outbound', 'US', 'ACME'],
      ['inbound', 'MASTER', 'HQ'],
      ['inbound', 'MASTER', 'US'],
      ['inbound', 'ACME', 'HQ'],
      ['inbound', 'BULK', 'US2'],
    ] as const;
    const answers = (d: TrafficDirectory) => asks.map(([direction, from, to]) => d.decide('acc', null, direction, from, to, now)).map((a) => [a.decision, a.reasonCode, a.partner?.partnerId ?? null, a.tenant]);
    const marked = world(directory());
    const before = answers(marked);
    expect(before.slice(0, 3)).toEqual([
      ['accept', 'NOT_PAUSED', 'prt_1', 't1'],
      ['accept', 'NOT_PAUSED', 'prt_1', 't1'],
      ['accept', 'NOT_PAUSED', 'prt_m', 't1'],
    ]);
    marked.markTenantDeleted('acc', 't1');
    // The same world with every deletion of the closure in.
    const closed = world(directory());
    closed.removePartnership('pts_1');
    closed.removePartnership('pts_2');
    closed.putPartner(partner({ deleted: true }));
    closed.removeInstance('ins_1');
    closed.markTenantDeleted('acc', 't1');
    expect(answers(marked)).toEqual(answers(closed));
    expect(answers(marked)[0]?.slice(0, 2)).toEqual(['reject', 'PARTNER_NOT_FOUND']);
    expect(answers(marked)[4]?.slice(0, 2)).toEqual(['reject', 'PARTNER_NOT_FOUND']);
    // Another tenant's pair is untouched.
    expect(answers(marked)[5]).toEqual(before[5]);
    // Puts of the deleted tenant's instances, partnerships and partners after its deletion (a refill's pages, events
    // recorded before it) keep them ended.
    marked.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'on' });
    marked.putPartner(partner());
    marked.putPartnership({ partnershipId: 'pts_1', account: 'acc', tenant: 't1', as2InstanceId: 'ins_acc', partnerId: 'prt_m' });
    expect(answers(marked)).toEqual(answers(closed));
  });
});
