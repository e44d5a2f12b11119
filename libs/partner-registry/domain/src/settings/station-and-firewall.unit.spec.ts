import { deciderSpecification } from '@as2-partners/kernel-testing';
import { partnerDecider } from '../partner/partner.decider';
import type { PartnerCreated } from '../partner/partner.events';
import { newPartnerSettings } from '../partner/partner-record';

const T0 = '2026-11-30T10:00:00.000Z';
const ID = 'prt_01M8369VHGVPBY5SEFAXFPSG8P';
const STATION = 'stn_01M8369VHGVPBY5SEFAXFPSG8V';
const base = { name: 'Acme', url: 'https://acme.example.com/as2' };

describe('partner station and firewall rules', () => {
  it('a partner with a station needs an email (seed 003), on create', () => {
    expect(() => newPartnerSettings('ACME', { ...base, stationId: STATION })).toThrow(expect.objectContaining({ code: 'INVALID_PARTNER_SETTING', field: 'email' }));
    expect(newPartnerSettings('ACME', { ...base, stationId: STATION, email: 'as2@acme.example.com' }).stationId).toBe(STATION);
  });

  it('and on update: removing the email of a partner in a station, or joining one without an email, is refused', () => {
    const created = (email: string | null): PartnerCreated => ({
      type: 'partner.created.v1',
      data: { partnerId: ID, account: 'acc', tenant: 'ten', as2Id: 'ACME', settings: newPartnerSettings('ACME', { ...base, email, stationId: email ? STATION : null }), createdAt: T0 },
    });
    const spec = deciderSpecification(partnerDecider);
    spec([created('as2@acme.example.com')]).when({ type: 'update_partner', partnerId: ID, changes: { email: null }, now: T0 }).thenError('INVALID_PARTNER_SETTING', { field: 'email' });
    spec([created(null)]).when({ type: 'update_partner', partnerId: ID, changes: { stationId: STATION }, now: T0 }).thenError('INVALID_PARTNER_SETTING', { field: 'email' });
  });

  it('defaults to no station and a disabled, empty firewall; at most 100 ranges', () => {
    expect(newPartnerSettings('ACME', base)).toMatchObject({ stationId: null, firewall: { enabled: false, allowedIps: [] } });
    const ranges = (n: number) => Array.from({ length: n }, (_, i) => `10.0.${i}.0/24`);
    expect(newPartnerSettings('ACME', { ...base, firewall: { enabled: true, allowedIps: ranges(100) } }).firewall?.allowedIps).toHaveLength(100);
    expect(() => newPartnerSettings('ACME', { ...base, firewall: { enabled: true, allowedIps: ranges(101) } })).toThrow(
      expect.objectContaining({ field: 'firewall.allowed_ips' }),
    );
  });

  it('an unchanged firewall is no change', () => {
    const settings = newPartnerSettings('ACME', { ...base, firewall: { enabled: true, allowedIps: ['10.0.0.0/8'] } });
    const spec = deciderSpecification(partnerDecider);
    spec([{ type: 'partner.created.v1', data: { partnerId: ID, account: 'acc', tenant: 'ten', as2Id: 'ACME', settings, createdAt: T0 } }])
      .when({ type: 'update_partner', partnerId: ID, changes: { firewall: { enabled: true, allowedIps: ['10.0.0.0/8'] } }, now: T0 })
      .thenNothing();
  });
});
