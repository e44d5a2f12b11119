import { Inject, Injectable } from '@nestjs/common';
import { SLOT_NAMES, type SlotName } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Clock } from '@as2-partners/kernel';
import { AfterWrite, type RequestContext, requestMetadata, utcInstantOf } from '@as2-partners/platform';
import { CertificateSlotsHandler, refOf } from '../certificate-slots/certificate-slots.handler';
import { PartnerAccess } from '../../partner-access/partner-access';
import { CertificateUses } from '../../write-model/certificate-uses';
import { CertificateWriteModel } from '../../write-model/certificate-write-model';
import { RolloverActivation } from '../../schedules/rollover-activation/rollover-activation';
import type { RetireDto, ScheduleRolloverDto } from './trust.dto';

const DEFAULT_ROLLOVER_SLOTS: readonly SlotName[] = ['encryption', 'signature'];

/** CemScheduleRollover, CemActivate and CemRetire (seed 003). */
@Injectable()
export class TrustHandler {
  constructor(
    private readonly writeModel: CertificateWriteModel,
    private readonly access: PartnerAccess,
    private readonly slots: CertificateSlotsHandler,
    private readonly activation: RolloverActivation,
    private readonly uses: CertificateUses,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async scheduleRollover(ctx: RequestContext, partnerId: string, body: ScheduleRolloverDto): Promise<AfterWrite<void>> {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    const activateAt = utcInstantOf(body.activate_at, 'activate_at', 'ROLLOVER_WINDOW_INVALID');
    const overlapUntil = utcInstantOf(body.overlap_until, 'overlap_until', 'ROLLOVER_WINDOW_INVALID');
    const slots = SLOT_NAMES.filter((slot) => (body.slots ?? DEFAULT_ROLLOVER_SLOTS).includes(slot));
    const now = this.clock.now();
    const result = await this.writeModel.withCertificate(body.next_certificate_id, async () => {
      const facts = await this.slots.usableCertificate(partner, body.next_certificate_id, slots);
      return this.writeModel.decidePartner(
        partner._id,
        () => ({ type: 'schedule_rollover', ...refOf(partner), certificate: facts, activateAt, overlapUntil, slots, now: now.toISOString() }),
        requestMetadata(ctx, partner.tenant, now),
      );
    });
    return new AfterWrite(result.position, () => undefined);
  }

  /** Promotes next → current now, stamped; returns the appended event's evidence. */
  async activate(ctx: RequestContext, partnerId: string) {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    // The next certificate's key must suit the signing algorithm as the caller has it, as at `assign`.
    const result = await this.activation.activate(
      refOf(partner),
      { type: 'manual', actor: ctx.caller.sub },
      false,
      (at) => requestMetadata(ctx, partner.tenant, at),
      partner.signAlgorithm,
    );
    const activated = result.events.find((e) => e.type === 'trust.activated.v1');
    return new AfterWrite(result.position, () => (activated?.type === 'trust.activated.v1' ? activated.data : null));
  }

  async retire(ctx: RequestContext, partnerId: string, body: RetireDto) {
    const partner = await this.access.resolve(ctx, partnerId, 'write');
    const now = this.clock.now();
    const metadata = requestMetadata(ctx, partner.tenant, now);
    const force = body.force === true;
    const reason = body.reason?.trim() || null;
    const result = await this.writeModel.decidePartner(partner._id, () => ({ type: 'retire', ...refOf(partner), force, reason, now: now.toISOString() }), metadata);
    let position = result.position;
    const retired = result.events.find((e) => e.type === 'trust.retired.v1');
    const certificateIds = retired?.type === 'trust.retired.v1' ? retired.data.certificateIds : [];
    // Ends this partner's use; the certificate itself retires only if it is the partner owner's and nobody else's in use.
    for (const certificateId of certificateIds) {
      const otherUses = (await this.uses.of(certificateId)).filter((use) => use.partnerId !== partner._id);
      const done = await this.writeModel.decideCertificate(
        certificateId,
        () => ({ type: 'retire', partnerId: partner._id, partnerTenant: partner.tenant, otherUses, forced: force, reason, now: now.toISOString() }),
        metadata,
      );
      position = done.position ?? position;
    }
    return new AfterWrite(position, () => certificateIds);
  }
}
