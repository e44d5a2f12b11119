import type { PresentedPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { DETAILS_CERTIFICATES_SHOWN, presentPartnerDetails } from './partner.presenter';
import type { PartnerViewDocument } from './partner-view.document';

const at = '2024-01-01T00:00:00.000Z';
const partner = {
  _id: 'acc|t1|prt_1',
  account: 'acc',
  tenant: 't1',
  partnerId: 'prt_1',
  type: 'tenant',
  typeOrder: 0,
  masterPartnerId: null,
  as2Id: 'AS2-1',
  settings: {
    name: 'Acme',
    url: 'https://x.example.com/as2',
    active: true,
    sign: true,
    encrypt: true,
    compress: false,
    mdnMode: 'sync',
    signAlgorithm: 'sha256',
    encryptAlgorithm: 'aes256',
    email: null,
    subject: null,
    mdn: { url: null, signed: true, algorithm: 'sha256' },
    connection: { timeoutSeconds: 30, retryAttempts: 3, retryIntervalSeconds: 60 },
    httpAuth: { enabled: false, username: null, sealedPassword: null },
  },
  overrides: null,
  hasOverrides: false,
  createdAt: at,
  updatedAt: at,
} as unknown as PartnerViewDocument;

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

  it('past the bound: every certificate a slot holds (the newest, after rollovers), then the oldest others, in their order', () => {
    const held = certificates(500, { 498: ['encryption'], 499: ['signature'], 3: ['tls'] });
    const details = presentPartnerDetails(partner, 'tenant', held);
    expect(details.certificates).toHaveLength(DETAILS_CERTIFICATES_SHOWN);
    expect(details.certificates_total).toBe(500);
    const ids = details.certificates.map((c) => c.id);
    expect(ids.slice(0, 98)).toEqual(held.slice(0, 98).map((c) => c.id));
    expect(ids.slice(-2)).toEqual(['cert_0498', 'cert_0499']);
    expect(ids).toContain('cert_0003');
  });
});
