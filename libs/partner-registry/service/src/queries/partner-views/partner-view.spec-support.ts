import type { PartnerViewDocument } from './partner-view.document';

/** A tenant's view of a partner of its own (or inherited), with the settings a new partner gets, for unit specs. */
export function partnerViewOf(id: string, name: string, type: 'tenant' | 'inherited' = 'tenant'): PartnerViewDocument {
  const at = '2024-01-01T00:00:00.000Z';
  return {
    _id: id,
    account: 'acc',
    tenant: 't1',
    partnerId: id,
    type,
    typeOrder: type === 'tenant' ? 0 : 1,
    masterPartnerId: type === 'inherited' ? id : null,
    as2Id: `AS2-${id}`,
    settings: {
      name,
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
}
