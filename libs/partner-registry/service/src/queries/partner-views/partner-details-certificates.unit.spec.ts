import type { PresentedPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { DETAILS_CERTIFICATES_SHOWN, presentPartnerDetails } from './partner.presenter';
import { partnerViewOf } from './partner-view.spec-support';

const at = '2024-01-01T00:00:00.000Z';
const partner = partnerViewOf('prt_1', 'Acme');

/** The partner's certificates oldest first; the ones at `slotted` positions are current in a slot. */
function certificates(count: number, slotted: Record<number, PresentedPartnerCertificate['slots']> = {}): PresentedPartnerCertificate[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `cert_${String(i).padStart(4, '0')}`,
    name: `Certificate ${i}`,
    type: 'partner',
    usage: 'both',
    subject: `CN=${i}`,
    active: true,
    expires_at: '2030-01-01T00:00:00Z',
    created_at: new Date(Date.parse(at) + i * 1000).toISOString(),
    slots: slotted[i] ?? [],
  }));
}

describe("a partner's details list its certificates bounded", () => {
  it('lists every certificate up to the bound, oldest first, with their count', () => {
    const held = certificates(DETAILS_CERTIFICATES_SHOWN);
    const details = presentPartnerDetails(partner, 'tenant', held);
    expect(details.certificates.map((c) => c.id)).toEqual(held.map((c) => c.id));
    expect(details.certificates_total).toBe(DETAILS_CERTIFICATES_SHOWN);
  });

  it('past the bound: every certificate current in a slot, then the newest others (a backup, a next certificate), oldest first', () => {
    const held = certificates(500, { 3: ['tls'], 450: ['encryption'], 451: ['signature'] });
    const details = presentPartnerDetails(partner, 'tenant', held);
    expect(details.certificates).toHaveLength(DETAILS_CERTIFICATES_SHOWN);
    expect(details.certificates_total).toBe(500);
    const ids = details.certificates.map((c) => c.id);
    expect(ids).toEqual([held[3], held[450], held[451], ...held.slice(401, 500).filter((_, i) => i + 401 !== 450 && i + 401 !== 451)].sort((a, b) => a.id.localeCompare(b.id)).map((c) => c.id));
    // the newest (a backup uploaded last) is among them, the oldest unslotted is not
    expect(ids).toContain('cert_0499');
    expect(ids).not.toContain('cert_0000');
  });
});
