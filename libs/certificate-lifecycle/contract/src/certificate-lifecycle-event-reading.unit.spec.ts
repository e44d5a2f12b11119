import type { RecordedEvent } from '@as2-partners/kernel';
import { readPartnerCertificatesEvent } from './certificate-lifecycle-event-reading';

const event = (type: string, data: unknown, stream = 'partner_certificates-prt_1', tenant: string | null = 'ten'): RecordedEvent => ({
  id: 'e1',
  type,
  schemaVersion: 1,
  data,
  metadata: { account: 'acc', tenant, correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-01-01T00:00:00.000Z' },
  stream,
  revision: 3,
  position: 10,
});

describe('reading the certificate-lifecycle events of a partner', () => {
  it("takes the owner from the payload where it names one, else from the envelope (a master partner's tenant is null)", () => {
    const attached = readPartnerCertificatesEvent(event('partner_certificates.certificate_attached.v1', { partnerId: 'prt_1', account: 'other', tenant: null, certificate: {} }));
    expect(attached).toMatchObject({ partnerId: 'prt_1', account: 'other', tenant: null, revision: 3 });
    const scheduled = readPartnerCertificatesEvent(event('trust.rollover_scheduled.v1', { partnerId: 'prt_1', nextCertificateId: 'cert_1' }));
    expect(scheduled).toMatchObject({ type: 'trust.rollover_scheduled.v1', partnerId: 'prt_1', account: 'acc', tenant: 'ten', data: { nextCertificateId: 'cert_1' } });
    expect(readPartnerCertificatesEvent(event('partner_certificates.backup_cancelled.v1', { partnerId: 'prt_1' }, undefined, null))?.tenant).toBeNull();
  });

  it('reads nothing of other types or of other streams', () => {
    expect(readPartnerCertificatesEvent(event('partner_certificates.slot_assigned.v1', { partnerId: 'prt_1' }))).toBeNull();
    expect(readPartnerCertificatesEvent(event('key.created.v1', { alias: 'a' }))).toBeNull();
    expect(readPartnerCertificatesEvent(event('trust.activated.v1', { partnerId: 'prt_1' }, 'key_alias-acc/ten/a'))).toBeNull();
  });
});
