import type { AttachedCertificate } from '@as2-partners/certificate-lifecycle-domain';
import type { NewEvent, ReadModelCollection } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import type { CertificateViewDocument } from './certificate-view.document';
import { CertificateViewsProjection } from './certificate-views.projection';

const ACCOUNT = 'acct_views';
const TENANT = 'ten_views';
const PARTNER = 'prt_views';
const AT = '2026-12-07T10:00:00.000Z';

function facts(n: number): AttachedCertificate {
  return { certificateId: `crt_${n}`, name: `c${n}`, type: 'partner', usage: 'encryption', subject: `CN=c${n}`, notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-06-01T00:00:00.000Z', fingerprintSha256: `fp${n}`, createdAt: AT };
}

/** The certificate's view as its upload left it (the projection attaches it to the partner afterwards). */
function uploaded(n: number): CertificateViewDocument {
  const { certificateId, name, usage, type, subject, notBefore, notAfter, fingerprintSha256 } = facts(n);
  const certificate = { subject, issuer: subject, notBefore, notAfter, fingerprintSha256, serialNumber: String(n), keyAlgorithm: 'RSA', keySize: 2048, pem: '' } as unknown as CertificateViewDocument['certificate'];
  return { _id: certificateId, account: ACCOUNT, tenant: TENANT, name, usage, type, certificate, expiresAt: notAfter, active: true, expiryNotice: null, createdAt: AT };
}

function event(id: string, type: string, data: Record<string, unknown>): NewEvent {
  return { id, type, schemaVersion: 1, data: { partnerId: PARTNER, ...data }, metadata: { account: ACCOUNT, tenant: TENANT, correlationId: `c-${id}`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: AT } };
}
const attach = (n: number) => event(`attach-${n}`, 'partner_certificates.certificate_attached.v1', { account: ACCOUNT, tenant: TENANT, certificate: facts(n), attachedAt: AT });
const assign = (n: number, previous: number | null) =>
  event(`assign-${n}`, 'partner_certificates.slot_assigned.v1', { slot: 'encryption', certificateId: `crt_${n}`, previousCertificateId: previous === null ? null : `crt_${previous}`, cause: 'manual', assignedAt: AT });

describe('CertificateViewsProjection: a partner event refreshes the certificates it changes, not every one attached', () => {
  it("an attachment and a slot change read the certificates they concern, whatever the partner's count; used by and partners stay right", async () => {
    const store = new InMemoryEventStore();
    const readModels = new InMemoryReadModelStore();
    const projection = new CertificateViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels);
    const certificates = (projection as unknown as { certificates: ReadModelCollection<CertificateViewDocument> }).certificates;
    const readById = certificates.get.bind(certificates);
    const usesOf = (id: string) => projection.uses.seenBy(id, null);
    for (let n = 0; n < 200; n += 1) await certificates.put(uploaded(n));
    await projection.start();
    try {
      const stream = `partner_certificates-${PARTNER}`;
      await store.append(stream, [attach(0), assign(0, null), ...Array.from({ length: 198 }, (_, i) => attach(i + 1))], 'no_stream');
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      expect((await usesOf('crt_150')).partnerIds).toEqual([PARTNER]);

      const reads = jest.spyOn(certificates, 'get');
      await store.append(stream, [attach(199)], 199);
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      // the new one, and the slot's current one (its roles are computed again)
      expect(new Set(reads.mock.calls.map(([id]) => id))).toEqual(new Set(['crt_199', 'crt_0']));
      expect((await usesOf('crt_199')).partnerIds).toEqual([PARTNER]);

      reads.mockClear();
      await store.append(stream, [assign(42, 0)], 200);
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      expect(new Set(reads.mock.calls.map(([id]) => id))).toEqual(new Set(['crt_42', 'crt_0']));
      reads.mockRestore();
      // the signature slot follows encryption
      expect((await usesOf('crt_42')).usedBy).toEqual(['encryption', 'signature'].map((slot) => ({ partnerId: PARTNER, slot, role: 'current' })));
      expect((await usesOf('crt_0')).usedBy).toEqual([]);
      expect((await usesOf('crt_7')).partnerIds).toEqual([PARTNER]);

      // the partner removed: every attached certificate loses it, 100 a turn of the event loop
      let turn = 0;
      let counting = true;
      const next = () => {
        turn += 1;
        if (counting) setImmediate(next);
      };
      const readIn: number[] = [];
      const counted = jest.spyOn(certificates, 'get').mockImplementation(async (id: string) => {
        readIn.push(turn);
        return readById(id);
      });
      next();
      await store.append(stream, [event('removed', 'partner_certificates.partner_removed.v1', { certificateIds: Array.from({ length: 200 }, (_, n) => `crt_${n}`), removedAt: AT })], 201);
      await projection.waitFor((await store.lastPosition()) as number, 5000);
      counting = false;
      counted.mockRestore();
      expect(readIn).toHaveLength(200);
      expect(new Set(readIn).size).toBeGreaterThanOrEqual(2);
      expect((await usesOf('crt_7')).partnerIds).toEqual([]);
      expect((await usesOf('crt_42')).usedBy).toEqual([]);
    } finally {
      await projection.stop();
    }
  });
});
