import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { WriteModel, type AppendResult, type ExpectedRevision, type NewEvent } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import type { RequestContext } from '@as2-partners/platform';
import type { KnownPartnerDocument } from '../../reactions/partner-registry-events/known-partner.document';
import type { ExpiryEvaluator } from '../../schedules/expiry-notices/expiry-evaluator';
import type { PartnerAccess } from '../../partner-access/partner-access';
import type { CertificateQueries } from '../../queries/certificate-views/certificate-queries';
import type { CertificateViewsProjection } from '../../queries/certificate-views/certificate-views.projection';
import { CertificateWriteModel } from '../../write-model/certificate-write-model';
import type { CertificateUploadForm } from './certificate-upload.form';
import { UploadCertificateHandler } from './upload-certificate.handler';

/** An event store whose next append to a certificate's own stream fails, as a store outage would make it. */
class FailingOnce extends InMemoryEventStore {
  failNextCertificate = false;

  override append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    if (this.failNextCertificate && stream.startsWith('certificate-')) {
      this.failNextCertificate = false;
      return Promise.reject(new Error('event store unavailable'));
    }
    return super.append(stream, events, expectedRevision);
  }
}

describe('UploadCertificateHandler, storage within the plan', () => {
  const ctx: RequestContext = { caller: { sub: 'u1', account: 'acc', tenant: 'ten', roles: ['tenant_admin'] }, correlationId: 'corr', requestId: 'req' };
  const pem = Buffer.from(issueTestCertificate({ commonName: 'store' }).pem);
  const form = (name: string): CertificateUploadForm => ({ name, usage: 'encryption', type: 'partner', certificate: pem });

  it('gives the reservation back when the certificate could not be stored, so the plan limit still counts only stored ones', async () => {
    const store = new FailingOnce();
    const handler = new UploadCertificateHandler(
      new CertificateWriteModel(new WriteModel(store)),
      { planOf: async () => 'free' } as unknown as PartnerAccess, // 10 certificates
      { evaluate: async () => null } as unknown as ExpiryEvaluator,
      {} as CertificateViewsProjection,
      { withFingerprint: async () => ({ items: [], total: 0 }) } as unknown as CertificateQueries,
      { now: () => new Date() },
    );
    const upload = (name: string) => handler.execute(ctx, form(name), { kind: 'store', tenant: 'ten' });

    for (let n = 1; n <= 9; n++) await upload(`stored-${n}`);
    store.failNextCertificate = true;
    await expect(upload('lost')).rejects.toThrow('event store unavailable');

    await expect(upload('tenth')).resolves.toBeDefined();
    await expect(upload('eleventh')).rejects.toMatchObject({ code: 'CERTIFICATE_LIMIT_EXCEEDED' });
  });
});

/** An event store that, as the certificate's upload is stored, records the partner's removal too (a deletion arriving between the check and the attach). */
class RemovingPartnerOnUpload extends InMemoryEventStore {
  removal: (() => Promise<unknown>) | null = null;

  override async append(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<AppendResult> {
    const result = await super.append(stream, events, expectedRevision);
    const removal = this.removal;
    if (removal && stream.startsWith('certificate-') && events.some((e) => e.type === 'certificate.uploaded.v1')) {
      this.removal = null;
      await removal();
    }
    return result;
  }
}

describe('UploadCertificateHandler, a partner removed while its upload runs', () => {
  const ctx: RequestContext = { caller: { sub: 'u1', account: 'acc', tenant: 'ten', roles: ['tenant_admin'] }, correlationId: 'corr', requestId: 'req' };
  const pem = Buffer.from(issueTestCertificate({ commonName: 'orphan' }).pem);
  const partner: KnownPartnerDocument = { _id: 'prt_gone', account: 'acc', tenant: 'ten', kind: 'tenant', as2Id: 'GONE', name: 'Gone', signAlgorithm: 'SHA256withRSA', deleted: false };
  const metadata = { account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'system' as const, id: 'test' }, occurredAt: new Date().toISOString() };

  function handlerOn(store: InMemoryEventStore) {
    const writeModel = new CertificateWriteModel(new WriteModel(store));
    const handler = new UploadCertificateHandler(
      writeModel,
      { resolve: async () => partner, planOf: async () => 'free' } as unknown as PartnerAccess,
      { evaluate: async () => null } as unknown as ExpiryEvaluator,
      {} as CertificateViewsProjection,
      { withFingerprint: async () => ({ items: [], total: 0 }) } as unknown as CertificateQueries,
      { now: () => new Date() },
    );
    const removePartner = () => writeModel.decidePartner(partner._id, () => ({ type: 'remove_partner', partnerId: partner._id, account: 'acc', tenant: 'ten', now: new Date().toISOString() }), metadata);
    return { handler, removePartner };
  }
  const upload = (handler: UploadCertificateHandler) => handler.execute(ctx, { name: 'Orphan', usage: 'encryption', type: null, certificate: pem }, { kind: 'partner', partnerId: partner._id });
  const certificateStreams = async (store: InMemoryEventStore) => {
    const byStream = new Map<string, string[]>();
    for (const event of await store.readAll()) if (event.stream.startsWith('certificate-')) byStream.set(event.stream, [...(byStream.get(event.stream) ?? []), event.type]);
    return [...byStream.values()];
  };

  it("refuses the upload of a partner already removed here (deleted in the registry before this service's copy knew) before storing anything", async () => {
    const store = new InMemoryEventStore();
    const { handler, removePartner } = handlerOn(store);
    await removePartner();
    await expect(upload(handler)).rejects.toMatchObject({ code: 'PARTNER_NOT_FOUND' });
    expect(await certificateStreams(store)).toEqual([]);
  });

  it('deletes the certificate it stored when the partner is removed before the attach, and gives its storage back', async () => {
    const store = new RemovingPartnerOnUpload();
    const { handler, removePartner } = handlerOn(store);
    store.removal = removePartner;
    await expect(upload(handler)).rejects.toMatchObject({ code: 'PARTNER_NOT_FOUND' });
    expect(await certificateStreams(store)).toEqual([['certificate.uploaded.v1', 'certificate.deleted.v1']]);
    const directory = (await store.readAll()).filter((e) => e.type.startsWith('certificate_directory.')).map((e) => e.type);
    expect(directory).toEqual(['certificate_directory.reserved.v1', 'certificate_directory.released.v1']);
  });
});
