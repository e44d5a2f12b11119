import { Inject, Injectable } from '@nestjs/common';
import { isSlotName, keyRefusal, type PartnerCertificatesCommand, type SlotName } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, DomainError, type Clock } from '@as2-partners/kernel';
import { AfterWrite, type RequestContext, requestMetadata, utcInstantOf, ValidationFailedException } from '@as2-partners/platform';
import type { KnownPartnerDocument } from '../../reactions/partner-registry-events/known-partner.document';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateWriteModel, factsOf } from '../../write-model/certificate-write-model';
import type { AssignSlotDto, ScheduleBackupDto } from './certificate-slots.dto';

export function slotOf(value: string): SlotName {
  if (!isSlotName(value)) throw new DomainError('INVALID_SLOT', `Unknown slot ${value}: use encryption, signature or tls`, 'slot');
  return value;
}

/** Immediate changes and scheduled backups of a partner's encryption, signature and TLS certificates (seed 000). */
@Injectable()
export class CertificateSlotsHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly access: PartnerAccess,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async assign(ctx: RequestContext, partnerId: string, slot: SlotName, body: AssignSlotDto): Promise<AfterWrite<void>> {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    assertUseDifferentFits(slot, body);
    const now = this.clock.now().toISOString();
    const follow = slot === 'signature' && (body.certificate_id === null || (body.use_different === false && !body.certificate_id));
    if (follow) return this.decide(ctx, partner, () => ({ type: 'follow_encryption', ...refOf(partner), now }));
    const certificateId = body.certificate_id;
    if (!certificateId) throw new DomainError('CERTIFICATE_REQUIRED', 'The certificate_id field is required', 'certificate_id');
    return this.writeModel.withCertificate(certificateId, async () => {
      const facts = await this.usableCertificate(partner, certificateId, [slot]);
      return this.decide(ctx, partner, () => ({ type: 'assign', ...refOf(partner), slot, certificate: facts, now }));
    });
  }

  async scheduleBackup(ctx: RequestContext, partnerId: string, slot: SlotName, body: ScheduleBackupDto): Promise<AfterWrite<void>> {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    const activateOn = utcInstantOf(body.activate_on, 'activate_on', 'INVALID_ACTIVATION_TIME');
    return this.writeModel.withCertificate(body.certificate_id, async () => {
      const facts = await this.usableCertificate(partner, body.certificate_id, [slot]);
      const now = this.clock.now().toISOString();
      return this.decide(ctx, partner, () => ({ type: 'schedule_backup', ...refOf(partner), slot, certificate: facts, activateOn, now }));
    });
  }

  async cancelBackup(ctx: RequestContext, partnerId: string, slot: SlotName): Promise<AfterWrite<void>> {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    const now = this.clock.now().toISOString();
    return this.decide(ctx, partner, () => ({ type: 'cancel_backup', ...refOf(partner), slot, now }));
  }

  /** A certificate of the partner's scope whose key suits the partner's signing algorithm and can serve each of `slots`. */
  async usableCertificate(partner: KnownPartnerDocument, certificateId: string, slots: readonly SlotName[]) {
    const stored = await this.writeModel.certificate({ account: partner.account, tenant: partner.tenant }, certificateId);
    // Certificates stored before uploads checked key types may still hold, say, an Ed25519 key under usage "both".
    const refusal = keyRefusal(stored.record.certificate, slots, partner.signAlgorithm);
    if (refusal) throw refusal;
    return factsOf(stored);
  }

  private async decide(ctx: RequestContext, partner: KnownPartnerDocument, command: () => PartnerCertificatesCommand): Promise<AfterWrite<void>> {
    const result = await this.writeModel.decidePartner(partner._id, command, requestMetadata(ctx, partner.tenant, this.clock.now()));
    return new AfterWrite(result.position, () => undefined);
  }
}

export function refOf(partner: KnownPartnerDocument) {
  return { partnerId: partner._id, account: partner.account, tenant: partner.tenant };
}

/**
 * `use_different` belongs to the signature slot, and `false` (follow encryption again) names no certificate of its own:
 * a request saying otherwise is refused rather than half read.
 */
function assertUseDifferentFits(slot: SlotName, body: AssignSlotDto): void {
  if (body.use_different === undefined) return;
  if (slot !== 'signature') throw new ValidationFailedException({ use_different: ['The use_different field is for the signature slot only'] });
  if (body.use_different === false && body.certificate_id) {
    throw new ValidationFailedException({ use_different: ['The use_different field false makes the signature slot follow encryption: leave certificate_id out'] });
  }
}
