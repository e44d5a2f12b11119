import { deciderSpecification } from '@as2-partners/kernel-testing';
import { certificateDecider } from './certificate.decider';
import type { CertificateData, CertificateEvent } from './certificate.events';
import { expiryNoticeAt } from './expiry-thresholds';

const spec = deciderSpecification(certificateDecider);
const now = '2026-11-23T10:00:00.000Z';
const certificate: CertificateData = {
  subject: 'CN=Acme',
  issuer: 'CN=Acme',
  serial: '01',
  notBefore: '2026-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  fingerprintSha1: 'a'.repeat(40),
  fingerprintSha256: 'b'.repeat(64),
  pem: '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n',
  keyAlgorithm: 'RSA',
  keySize: 2048,
  signatureAlgorithm: 'sha256WithRSAEncryption',
  keyUsage: null,
  extendedKeyUsage: null,
  isCa: false,
  selfSigned: true,
  chain: [],
};
const uploaded: CertificateEvent = {
  type: 'certificate.uploaded.v1',
  data: { certificateId: 'cert_1', account: 'acc', tenant: 'ten', name: 'Acme', usage: 'encryption', type: 'partner', partnerId: 'prt_1', certificate, createdAt: now },
};
const upload = {
  type: 'upload' as const,
  certificateId: 'cert_1',
  account: 'acc',
  tenant: 'ten',
  name: 'Acme',
  usage: 'encryption' as const,
  certificateType: 'partner' as const,
  partnerId: 'prt_1',
  certificate,
  now,
};
const at = (iso: string) => ({ type: 'evaluate_expiry' as const, now: iso });
const expiring = (thresholdDays: number, daysLeft: number, evaluatedAt: string): CertificateEvent => ({
  type: 'certificate.expiring.v1',
  data: { certificateId: 'cert_1', thresholdDays, daysLeft, notAfter: certificate.notAfter, usage: 'encryption', evaluatedAt },
});

describe('certificate', () => {
  it('when uploaded, then stored; uploading the same id again (a retry) changes nothing', () => {
    spec([]).when(upload).then([uploaded]);
    spec([uploaded]).when(upload).thenNothing();
  });

  const admin = { tenant: null, accountAdmin: true };
  const tenantAdmin = { tenant: 'ten', accountAdmin: false };
  const accountLevel: CertificateEvent = { ...uploaded, data: { ...uploaded.data, tenant: null, partnerId: 'prt_master' } } as CertificateEvent;
  const use = (partnerId: string, tenant: string | null) => ({ partnerId, tenant, slot: 'encryption', role: 'current' });

  it('refuses to delete a certificate in use, naming the slots', () => {
    spec([uploaded])
      .when({ type: 'delete', caller: tenantAdmin, uses: [use('prt_1', 'ten')], now })
      .thenError('CERTIFICATE_IN_USE', { details: { used_by: [{ partner_id: 'prt_1', slot: 'encryption', role: 'current' }] } });
    spec([uploaded]).when({ type: 'delete', caller: tenantAdmin, uses: [], now }).then([{ type: 'certificate.deleted.v1', data: { certificateId: 'cert_1', deletedAt: now } }]);
    spec([]).when({ type: 'delete', caller: tenantAdmin, uses: [], now }).thenError('CERTIFICATE_NOT_FOUND');
  });

  it('an account-level certificate is deleted by an account admin only, and never while a tenant uses it', () => {
    spec([accountLevel]).when({ type: 'delete', caller: tenantAdmin, uses: [], now }).thenError('ACCOUNT_CERTIFICATE_READ_ONLY');
    spec([accountLevel])
      .when({ type: 'delete', caller: admin, uses: [use('prt_a', 'ten-a'), use('prt_b', 'ten-b')], now })
      .thenError('CERTIFICATE_IN_USE', {
        details: { used_by: [{ partner_id: 'prt_a', slot: 'encryption', role: 'current' }, { partner_id: 'prt_b', slot: 'encryption', role: 'current' }] },
      });
  });

  it("names only the uses the caller may see: a tenant never learns another tenant's partners", () => {
    spec([accountLevel])
      .when({ type: 'delete', caller: { tenant: 'ten-a', accountAdmin: true }, uses: [use('prt_master', null), use('prt_a', 'ten-a'), use('prt_b', 'ten-b')], now })
      .thenError('CERTIFICATE_IN_USE', {
        details: { used_by: [{ partner_id: 'prt_master', slot: 'encryption', role: 'current' }, { partner_id: 'prt_a', slot: 'encryption', role: 'current' }] },
      });
  });

  it("counts the uses it does not name: a refusal never says \"in use by 0\" when only another tenant's partner uses it", () => {
    const caller = { tenant: 'ten-a', accountAdmin: true };
    spec([accountLevel]).when({ type: 'delete', caller, uses: [use('prt_b', 'ten-b')], now }).thenError('CERTIFICATE_IN_USE', { details: { used_by: [] } });
    const refusal = () => certificateDecider.decide({ type: 'delete', caller, uses: [use('prt_b', 'ten-b')], now }, certificateDecider.evolve(certificateDecider.initialState(), accountLevel));
    expect(refusal).toThrow("is in use by 1 partner slot(s) (1 of them of other tenants' partners, not listed): unassign it first");
  });

  it('is deactivated once when its partner is deleted, unless another partner still uses it', () => {
    const deactivated: CertificateEvent = {
      type: 'certificate.deactivated.v1',
      data: { certificateId: 'cert_1', partnerId: 'prt_1', reason: 'partner_deleted', deactivatedAt: now },
    };
    const deactivate = { type: 'deactivate' as const, partnerId: 'prt_1', partnerTenant: 'ten', otherUses: [], now };
    spec([uploaded]).when(deactivate).then([deactivated]);
    spec([uploaded, deactivated]).when(deactivate).thenNothing();
    spec([uploaded]).when({ ...deactivate, otherUses: [use('prt_2', 'ten')] }).thenNothing();
  });

  it("a tenant partner's deletion never deactivates an account-level certificate", () => {
    spec([accountLevel]).when({ type: 'deactivate', partnerId: 'prt_a', partnerTenant: 'ten-a', otherUses: [], now }).thenNothing();
  });

  describe('retire after a rollover', () => {
    const retire = { type: 'retire' as const, partnerId: 'prt_1', partnerTenant: 'ten', otherUses: [], forced: true, reason: 'key compromised', now };
    const retired: CertificateEvent = {
      type: 'certificate.retired.v1',
      data: { certificateId: 'cert_1', partnerId: 'prt_1', forced: true, reason: 'key compromised', retiredAt: now },
    };

    it("retires a tenant's own certificate when no other partner holds it; another of the tenant's own partners keeps it active", () => {
      spec([uploaded]).when(retire).then([retired]);
      spec([uploaded]).when({ ...retire, otherUses: [use('prt_2', 'ten')] }).thenNothing();
      spec([uploaded, retired]).when(retire).thenNothing();
    });

    it("a tenant's retirement of an account-level certificate ends only its partner's use: the certificate stays active", () => {
      spec([accountLevel]).when({ ...retire, partnerId: 'prt_a', partnerTenant: 'ten-a' }).thenNothing();
      spec([accountLevel]).when({ ...retire, partnerId: 'prt_a', partnerTenant: 'ten-a', otherUses: [use('prt_master', null)] }).thenNothing();
    });

    it('a master partner retires an account-level certificate only when no other partner holds it, a tenant\'s or another master', () => {
      const master = { ...retire, partnerId: 'prt_master', partnerTenant: null };
      spec([accountLevel]).when({ ...master, otherUses: [use('prt_a', 'ten-a')] }).thenNothing();
      spec([accountLevel]).when({ ...master, otherUses: [use('prt_master_2', null)] }).thenNothing();
      spec([accountLevel]).when(master).then([{ ...retired, data: { ...(retired.data as object), partnerId: 'prt_master' } } as CertificateEvent]);
    });
  });

  describe('expiry notices: 30, 14, 7 and 1 days before not_after, then expired, each once', () => {
    it('nothing more than 30 days before', () => {
      spec([uploaded]).when(at('2026-12-01T00:00:00.000Z')).thenNothing();
    });

    it('the 30-day notice once', () => {
      const t = '2026-12-02T00:00:00.000Z';
      spec([uploaded]).when(at(t)).then([expiring(30, 30, t)]);
      spec([uploaded, expiring(30, 30, t)]).when(at('2026-12-10T00:00:00.000Z')).thenNothing();
    });

    it('then 14, 7, 1 as each is crossed', () => {
      const history = [uploaded, expiring(30, 30, '2026-12-02T00:00:00.000Z')];
      spec(history).when(at('2026-12-18T00:00:00.000Z')).then([expiring(14, 14, '2026-12-18T00:00:00.000Z')]);
      spec([...history, expiring(14, 14, 'x')]).when(at('2026-12-25T00:00:00.000Z')).then([expiring(7, 7, '2026-12-25T00:00:00.000Z')]);
      spec([...history, expiring(14, 14, 'x'), expiring(7, 7, 'x')]).when(at('2026-12-31T12:00:00.000Z')).then([expiring(1, 0, '2026-12-31T12:00:00.000Z')]);
    });

    it('a late first evaluation announces only the tightest threshold crossed', () => {
      spec([uploaded]).when(at('2026-12-27T00:00:00.000Z')).then([expiring(7, 5, '2026-12-27T00:00:00.000Z')]);
    });

    it('expired once, after not_after', () => {
      const expired: CertificateEvent = {
        type: 'certificate.expired.v1',
        data: { certificateId: 'cert_1', notAfter: certificate.notAfter, usage: 'encryption', evaluatedAt: '2027-01-02T00:00:00.000Z' },
      };
      spec([uploaded]).when(at('2027-01-02T00:00:00.000Z')).then([expired]);
      spec([uploaded, expired]).when(at('2027-02-02T00:00:00.000Z')).thenNothing();
    });

    it('thresholds are inclusive at the exact instant', () => {
      expect(expiryNoticeAt('2027-01-01T00:00:00.000Z', new Date('2026-12-02T00:00:00.000Z'))).toEqual({ kind: 'expiring', thresholdDays: 30, daysLeft: 30 });
      expect(expiryNoticeAt('2027-01-01T00:00:00.000Z', new Date('2026-12-01T23:59:59.999Z'))).toBeNull();
      expect(expiryNoticeAt('2027-01-01T00:00:00.000Z', new Date('2027-01-01T00:00:00.000Z'))).toEqual({ kind: 'expired' });
    });
  });
});
