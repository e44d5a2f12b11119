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
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' }, instance: { instanceId: 'ins_1' } });
    expect(d.decide('acc', 'outbound', 'US', 'ACME', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
  });

  it('an inherited master partner resolves for the tenant; the account pause and the tenant pause both apply', () => {
    const d = directory();
    expect(d.decide('acc', 'inbound', 'MASTER', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: 't1' });
    d.putTraffic('acc', 't1', 'prt_m', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 'tenant', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', 'outbound', 'US', 'MASTER', now)).toMatchObject({ decision: 'block', reasonCode: 'TENANT_PAUSE' });
    d.putTraffic('acc', null, 'prt_m', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 'acct', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', 'outbound', 'US', 'MASTER', now)).toMatchObject({ decision: 'block', reasonCode: 'ACCOUNT_PAUSE' });
    d.putTraffic('acc', null, 'prt_m', noPause);
    d.putTraffic('acc', 't1', 'prt_m', noPause);
    expect(d.decide('acc', 'outbound', 'US', 'MASTER', now).decision).toBe('accept');
  });

  it("an account-scoped credential never resolves another account's pair; an all-accounts one does", () => {
    const d = directory();
    expect(d.decide('acc', 'inbound', 'ACME', 'THEM', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND', partner: null });
    expect(d.decide(ALL_ACCOUNTS, 'inbound', 'ACME', 'THEM', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_x' } });
  });

  it('a partner of another tenant of the same account is not found', () => {
    const d = directory();
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'T2ONLY' }));
    expect(d.decide('acc', 'inbound', 'T2ONLY', 'US', now).reasonCode).toBe('PARTNER_NOT_FOUND');
  });

  it("an account-level instance serves every tenant: the account's master partner, else the one tenant partner with that id", () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
    expect(d.decide('acc', 'inbound', 'MASTER', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' }, tenant: null });
    expect(d.decide('acc', 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' }, tenant: 't1' });
    d.putTraffic('acc', 't1', 'prt_1', { ...noPause, pauses: { incoming: null, outgoing: { response: null, reason: 't1', since: '', until: null, retryAfterSeconds: null, pausedBy: 'x' } } });
    expect(d.decide('acc', 'outbound', 'HQ', 'ACME', now)).toMatchObject({ decision: 'block', reasonCode: 'TENANT_PAUSE' });
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME' }));
    expect(d.decide('acc', 'inbound', 'ACME', 'HQ', now).reasonCode).toBe('PARTNER_NOT_FOUND');
    d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME', deleted: true }));
    expect(d.decide('acc', 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
  });

  it.each([['acme'], [' ACME '], ['"ACME"'], ["'acme'"]])('near miss %p is rejected with a did-you-mean', (sent) => {
    const answer = directory().decide('acc', 'inbound', sent, 'US', now);
    expect(answer.decision).toBe('reject');
    expect(answer.reason).toContain('did you mean "ACME"?');
  });

  it('a near miss on our own AS2 id names the instance', () => {
    expect(directory().decide('acc', 'inbound', 'ACME', 'us', now).reason).toContain('did you mean "US"?');
    expect(directory().decide('acc', 'inbound', 'ACME', 'them', now).reason).not.toContain('did you mean');
  });

  it('a deleted partner is rejected; a new partner with its AS2 id takes over; an AS2 id change moves the index', () => {
    const d = directory();
    d.putPartner(partner({ deleted: true }));
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'PARTNER_NOT_FOUND' });
    d.putPartner(partner({ partnerId: 'prt_2' }));
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_2' } });
    d.putPartner(partner({ partnerId: 'prt_2', as2Id: 'ACME2' }));
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now).decision).toBe('reject');
    expect(d.decide('acc', 'inbound', 'ACME2', 'US', now).decision).toBe('accept');
  });

  it('an instance turned off rejects both directions; its AS2 id change follows', () => {
    const d = directory();
    d.putInstance({ instanceId: 'ins_1', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' });
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now).reasonCode).toBe('AS2_INSTANCE_OFF');
    expect(d.decide('acc', 'outbound', 'US', 'ACME', now).reasonCode).toBe('AS2_INSTANCE_OFF');
    d.removeInstance('ins_1');
    expect(d.decide('acc', 'inbound', 'ACME', 'US', now).reasonCode).toBe('PARTNER_NOT_FOUND');
  });

  describe('partnerships', () => {
    const partnership = (id: string, instanceId: string, partnerId: string, tenant = 't1') => ({ partnershipId: id, account: 'acc', tenant, as2InstanceId: instanceId, partnerId });

    it('an instance without partnerships in the tenant exchanges with any partner of its scope (as before partnerships)', () => {
      const d = directory();
      d.putPartnership(partnership('ps_other_tenant', 'ins_1', 'prt_m', 't2'));
      expect(d.decide('acc', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_1' } });
    });

    it("once the tenant made partnerships for an instance, a partner without one is refused PARTNERSHIP_NOT_FOUND; deleting the last one restores the old rule", () => {
      const d = directory();
      d.putPartnership(partnership('ps_1', 'ins_1', 'prt_m'));
      expect(d.decide('acc', 'inbound', 'MASTER', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m' } });
      const refused = d.decide('acc', 'outbound', 'US', 'ACME', now);
      expect(refused).toMatchObject({ decision: 'reject', reasonCode: 'PARTNERSHIP_NOT_FOUND', partner: { partnerId: 'prt_1' }, instance: { instanceId: 'ins_1' } });
      expect(refused.reason).toContain('none with the partner Acme');
      d.putPartnership(partnership('ps_2', 'ins_1', 'prt_1'));
      expect(d.decide('acc', 'outbound', 'US', 'ACME', now).decision).toBe('accept');
      d.removePartnership('ps_2');
      expect(d.decide('acc', 'outbound', 'US', 'ACME', now).reasonCode).toBe('PARTNERSHIP_NOT_FOUND');
      d.removePartnership('ps_1');
      expect(d.decide('acc', 'outbound', 'US', 'ACME', now).decision).toBe('accept');
    });

    it('where an AS2 id names several ends, the pair with a partnership wins', () => {
      const d = directory();
      // Own partner and master partner with one AS2 id: own wins without partnerships, the partnered one with them.
      d.putPartner(partner({ partnerId: 'prt_m2', tenant: null, as2Id: 'ACME' }));
      expect(d.decide('acc', 'inbound', 'ACME', 'US', now).partner?.partnerId).toBe('prt_1');
      d.putPartnership(partnership('ps_m2', 'ins_1', 'prt_m2'));
      expect(d.decide('acc', 'inbound', 'ACME', 'US', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_m2' } });
      // Two instances with one AS2 id: the one partnered with the partner answers.
      d.putInstance({ instanceId: 'ins_1b', account: 'acc', tenant: 't1', myAs2Id: 'US', status: 'off' });
      d.putPartner(partner({ partnerId: 'prt_b', as2Id: 'BETA' }));
      d.putPartnership(partnership('ps_b', 'ins_1b', 'prt_b'));
      expect(d.decide('acc', 'inbound', 'BETA', 'US', now)).toMatchObject({ decision: 'reject', reasonCode: 'AS2_INSTANCE_OFF', instance: { instanceId: 'ins_1b' } });
    });

    it("an account-level instance: a partnership picks the one tenant's partner among several with that AS2 id", () => {
      const d = directory();
      d.putInstance({ instanceId: 'ins_acc', account: 'acc', tenant: null, myAs2Id: 'HQ', status: 'on' });
      d.putPartner(partner({ partnerId: 'prt_t2', tenant: 't2', as2Id: 'ACME' }));
      expect(d.decide('acc', 'inbound', 'ACME', 'HQ', now).reasonCode).toBe('PARTNER_NOT_FOUND');
      d.putPartnership(partnership('ps_t2', 'ins_acc', 'prt_t2', 't2'));
      expect(d.decide('acc', 'inbound', 'ACME', 'HQ', now)).toMatchObject({ decision: 'accept', partner: { partnerId: 'prt_t2' }, tenant: 't2' });
    });
  });
});
