import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { WriteModel, type AppendResult, type ExpectedRevision, type NewEvent } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import type { RequestContext } from '@as2-partners/platform';
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
      { withFingerprint: async () => [] } as unknown as CertificateQueries,
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
