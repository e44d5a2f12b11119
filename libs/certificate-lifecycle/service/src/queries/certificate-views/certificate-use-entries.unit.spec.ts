import { InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import type { CertificateViewDocument, SlotUseEntry } from './certificate-view.document';
import { CertificateUseEntries } from './certificate-use-entries';

const tenants = new Map<string, string | null>([['prt_m', null], ['prt_a1', 'a'], ['prt_a2', 'a'], ['prt_b1', 'b']]);
const use = (partnerId: string, slot: SlotUseEntry['slot']): SlotUseEntry => ({ partnerId, slot, role: 'current' });

describe('CertificateUseEntries: the uses a certificate view kept, one entry a partner under its tenant', () => {
  it("fills them from a view stored with its uses, in its order; a tenant reads its own and the masters', the account every tenant's", async () => {
    const readModels = new InMemoryReadModelStore();
    const certificates = readModels.collection<CertificateViewDocument>('certificate_lifecycle_certificates');
    const legacy = {
      _id: 'crt_1',
      account: 'acct',
      tenant: null,
      partnerIds: ['prt_m', 'prt_a1', 'prt_b1', 'prt_a2'],
      usedBy: [use('prt_b1', 'encryption'), use('prt_a1', 'encryption'), use('prt_a1', 'signature'), use('prt_m', 'tls')],
    };
    await certificates.put(legacy as unknown as CertificateViewDocument);
    const uses = new CertificateUseEntries(readModels);
    await uses.fill(certificates, async (ids) => new Map(ids.map((id) => [id, tenants.get(id) ?? null] as const)));

    expect(await uses.seenBy('crt_1', null)).toEqual({ partnerIds: legacy.partnerIds, usedBy: legacy.usedBy });
    expect(await uses.seenBy('crt_1', 'a')).toEqual({ partnerIds: ['prt_m', 'prt_a1', 'prt_a2'], usedBy: [use('prt_a1', 'encryption'), use('prt_a1', 'signature'), use('prt_m', 'tls')] });
    expect(await uses.seenBy('crt_1', 'c')).toEqual({ partnerIds: ['prt_m'], usedBy: [use('prt_m', 'tls')] });
    expect(await uses.inUse('crt_1')).toBe(true);
    expect(await certificates.get('crt_1')).toEqual({ _id: 'crt_1', account: 'acct', tenant: null });
  });
});
