import { Inject, Injectable } from '@nestjs/common';
import {
  assertKeyServesUsage,
  assertKeySizeFits,
  assertUsageFits,
  certificateDecider,
  certificateDirectoryDecider,
  CertificateLifecycleErrorCode,
  certificateLimitOf,
  certificateNotFound,
  CertificateLifecycleStreams,
  certificateWarnings,
  chainValidityWarning,
  leafValidityWarning,
  DUPLICATE_CERTIFICATES_NAMED,
  duplicateCertificateWarning,
  partnerRemoved,
  readCertificateUpload,
  toCertificateData,
  type UploadWarning,
} from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock, DomainError, type EventMetadata } from '@as2-partners/kernel';
import { AfterWrite, type RequestContext, requestMetadata, ValidationFailedException } from '@as2-partners/platform';
import { ExpiryEvaluator } from '../../schedules/expiry-notices/expiry-evaluator';
import type { KnownPartnerDocument } from '../../reactions/partner-registry-events/known-partner.document';
import { PartnerAccess } from '../../partner-access/partner-access';
import type { CertificateViewDocument } from '../../queries/certificate-views/certificate-view.document';
import { CertificateQueries } from '../../queries/certificate-views/certificate-queries';
import { CertificateViewsProjection } from '../../queries/certificate-views/certificate-views.projection';
import { newCertificateId } from '../../write-model/certificate-id';
import { CertificateWriteModel, factsOf } from '../../write-model/certificate-write-model';
import type { CertificateUploadForm } from './certificate-upload.form';

/** Where an upload goes: a tenant's store, the account's store, or a partner (tenant or master). */
export type UploadTarget =
  | { readonly kind: 'store'; readonly tenant: string | null }
  | { readonly kind: 'partner'; readonly partnerId: string };

/** The stored certificate, and what its uploader should look at (accepted anyway). */
export interface CertificateUploadResult {
  readonly certificate: CertificateViewDocument;
  readonly warnings: readonly UploadWarning[];
}

@Injectable()
export class UploadCertificateHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly access: PartnerAccess,
    private readonly expiry: ExpiryEvaluator,
    @Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection,
    @Inject(CertificateQueries) private readonly queries: CertificateQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Read and check the certificate, reserve storage within the plan, store it, attach it to the partner (filling an empty slot it fits). */
  async execute(ctx: RequestContext, form: CertificateUploadForm, target: UploadTarget): Promise<AfterWrite<CertificateUploadResult>> {
    const partner: KnownPartnerDocument | null = target.kind === 'partner' ? await this.access.resolve(ctx, target.partnerId, 'write') : null;
    // A partner's certificate is the partner's: `own` there is refused, not stored as a partner certificate unsaid.
    if (partner && form.type === 'own') throw new ValidationFailedException({ type: ["A partner's certificate is of type partner; our own certificates go to the store (POST /v1/certificates)"] });
    const account = ctx.caller.account;
    const tenant = partner ? partner.tenant : target.kind === 'store' ? target.tenant : null;
    const details = readCertificateUpload(form.certificate);
    // The key type first: no keyUsage bit can make an Ed25519 key receive RSA key transport.
    assertKeyServesUsage(details, form.usage, partner ? partner.signAlgorithm : null);
    assertUsageFits(details, form.usage);
    // The partner's signing algorithm decides the minimum RSA size; a store upload must at least suit SHA1withRSA.
    assertKeySizeFits(details, partner ? partner.signAlgorithm : 'SHA1withRSA');
    // Named from the Idempotency-Key's command id when there is one: a retry after a crash finds the first upload's events.
    const certificateId = newCertificateId(ctx.commandId);
    // Looked up in the store the certificate goes to (its tenant's and the account's), never in other tenants'; a
    // retry's own first upload is no duplicate of it.
    const stored = await this.queries.withFingerprint(account, tenant, details.fingerprintSha256, DUPLICATE_CERTIFICATES_NAMED + 1);
    const duplicates = stored.items.filter((doc) => doc._id !== certificateId);
    const ownRetry = stored.items.length - duplicates.length;
    const duplicate = duplicateCertificateWarning(duplicates.map((doc) => ({ id: doc._id, name: doc.name })), stored.total - ownRetry);
    const now = this.clock.now();
    const expiredChain = chainValidityWarning(details.chain, now);
    const notValidNow = leafValidityWarning(details, now);
    const warnings = [...certificateWarnings(details, form.usage), ...(duplicate ? [duplicate] : []), ...(notValidNow ? [notValidNow] : []), ...(expiredChain ? [expiredChain] : [])];

    const metadata = requestMetadata(ctx, tenant, now);
    // The partner as this service knows it may have been deleted since (distributed: its copy of the registry's
    // partners lags): its certificates' stream says so before anything is stored.
    if (partner && (await this.writeModel.partnerState(partner._id)).status === 'removed') throw partnerRemoved(partner._id);
    const plan = tenant === null ? null : await this.access.planOf(account, tenant);
    // Storage within the plan is reserved first; an upload refused after that gives its reservation back.
    const { created: uploaded } = await this.writeModel.reservations.reserveThenCreate(
      this.writeModel.directory(account, tenant),
      {
        reserve: () => ({ type: 'reserve' as const, certificateId, plan: plan === null ? null : { plan, limit: certificateLimitOf(plan) }, now: now.toISOString() }),
        release: { type: 'release', certificateId, now: now.toISOString() },
      },
      {
        stream: CertificateLifecycleStreams.certificate(certificateId),
        decider: certificateDecider,
        command: {
          type: 'upload',
          certificateId,
          account,
          tenant,
          name: form.name,
          usage: form.usage,
          certificateType: partner ? 'partner' : (form.type ?? 'partner'),
          partnerId: partner?._id ?? null,
          certificate: toCertificateData(details),
          now: now.toISOString(),
        },
        ...(ctx.commandId === undefined ? {} : { commandId: ctx.commandId }),
      },
      now,
      metadata,
    );
    let position = uploaded.position;
    if (partner && uploaded.state.status === 'stored') {
      const facts = factsOf({ record: uploaded.state.record, active: uploaded.state.active });
      const attached = await this.writeModel
        .decidePartner(partner._id, () => ({ type: 'attach', partnerId: partner._id, account, tenant: partner.tenant, certificate: facts, now: now.toISOString() }), metadata)
        .catch(async (error: unknown) => {
          // Removed between the check and the attach: the upload is refused, so the certificate it stored goes too.
          if (error instanceof DomainError && error.code === CertificateLifecycleErrorCode.PartnerRemoved) await this.withdraw(ctx, certificateId, account, tenant, now, metadata);
          throw error;
        });
      position = attached.position ?? position;
    }
    position = (await this.expiry.evaluate(certificateId, now, metadata)) ?? position;
    // The answer is the certificate's view: which partners use it is the view's to say.
    return new AfterWrite(position, async () => {
      const view = await this.views.certificates.get(certificateId);
      // Deleted right after this write: gone, as any read of it now says.
      if (!view) throw certificateNotFound(certificateId);
      return { certificate: view, warnings };
    });
  }

  /** Deletes a certificate this upload stored and gives its storage back, as a deletion by its uploader would. */
  private async withdraw(ctx: RequestContext, certificateId: string, account: string, tenant: string | null, now: Date, metadata: EventMetadata): Promise<void> {
    const caller = { tenant: ctx.caller.tenant, accountAdmin: ctx.caller.roles.includes('account_admin') };
    await this.writeModel.decideCertificate(certificateId, () => ({ type: 'delete', caller, uses: [], now: now.toISOString() }), metadata);
    await this.writeModel.writeModel.decide(CertificateLifecycleStreams.directory(account, tenant), certificateDirectoryDecider, () => ({ type: 'release' as const, certificateId, now: now.toISOString() }), metadata);
  }
}
