import {
  activatedSlots,
  activationEvidenceDocument,
  assertActivatable,
  assertFitsRolloverSlots,
  certificateDecider,
  CertificateLifecycleErrorCode,
  CertificateLifecycleStreams,
  effectiveCurrent,
  keyRefusal,
  partnerCertificatesDecider,
  type ActivationTrigger,
  type CertificateDetails,
  type CertificateFacts,
  rolloverToActivate,
  type PartnerCertificatesCommand,
  type PartnerCertificatesEvent,
  type PartnerCertificatesState,
} from '@as2-partners/certificate-lifecycle-domain';
import { DomainError, type Clock, type Decision, type EventMetadata, type WriteModel } from '@as2-partners/kernel';
import type { Timestamper } from '../../timestamping/timestamper';
import { factsOf } from '../../write-model/certificate-write-model';

export interface PartnerScope {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
}

/**
 * The partner's signing algorithm now, as this service knows it (a master partner's own), or undefined when the
 * partner is not known here (nothing to check a key against).
 */
export type SigningAlgorithmOf = (partnerId: string) => Promise<string | null | undefined>;

/**
 * Promotes a partner's next certificate to current (CemActivate), for a person or for the scheduler, with evidence:
 * who or what triggered it, the SHA-256 of both certificates, and an RFC 3161 token over that document. The
 * activation is decided on the partner's stream with its expected revision, so it happens once however many
 * replicas try; a retry after a concurrent append re-reads the state and stamps anew.
 */
export class RolloverActivation {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly timestamper: Timestamper,
    private readonly clock: Clock,
    private readonly signingAlgorithmOf: SigningAlgorithmOf = async () => undefined,
  ) {}

  /**
   * `signAlgorithm`: the partner's signing algorithm as the caller has it (a tenant's override of a master partner's),
   * which the next certificate's key must suit as at `assign`; by default the partner's own (`signingAlgorithmOf`).
   */
  async activate(
    partner: PartnerScope,
    trigger: ActivationTrigger,
    onlyIfDue: boolean,
    metadataAt: (now: Date) => EventMetadata,
    signAlgorithm?: string | null,
  ): Promise<Decision<PartnerCertificatesState, PartnerCertificatesEvent>> {
    const stream = CertificateLifecycleStreams.partnerCertificates(partner.partnerId);
    const firstNow = this.clock.now();
    return this.writeModel.decide(
      stream,
      partnerCertificatesDecider,
      async (state): Promise<PartnerCertificatesCommand | null> => {
        // Each attempt (after a concurrent append) stamps anew, at its own instant.
        const now = this.clock.now();
        const rollover = rolloverToActivate(state, partner.partnerId, onlyIfDue, now.toISOString());
        if (!rollover) return null;
        const { facts: next, details } = await this.certificate(rollover.nextCertificateId);
        // Refused before the TSA is asked: a retired or expired next certificate costs no token on every tick.
        assertActivatable(next, now.toISOString());
        assertFitsRolloverSlots(next, state, rollover.slots);
        // The partner's signing algorithm may have changed since the rollover was scheduled: the key must suit it now.
        const algorithm = signAlgorithm !== undefined ? signAlgorithm : await this.signingAlgorithmOf(partner.partnerId);
        const refusal = algorithm === undefined ? null : keyRefusal(details, rollover.slots, algorithm);
        if (refusal) throw refusal;
        const slots = activatedSlots(state, rollover.slots);
        const previous = await this.previousOf(state, slots);
        const { document, sha256 } = activationEvidenceDocument({
          account: partner.account,
          tenant: partner.tenant,
          partnerId: partner.partnerId,
          slots,
          next: { certificateId: next.certificateId, sha256: next.fingerprintSha256 },
          previous,
          trigger,
          scheduledFor: rollover.activateAt,
          activatedAt: now.toISOString(),
          overlapUntil: rollover.overlapUntil,
        });
        const stamp = await this.timestamper.stamp(document);
        const previousSha256 = Object.fromEntries(previous.flatMap((p) => (p.certificateId && p.sha256 ? [[p.certificateId, p.sha256]] : [])));
        return { type: 'activate_rollover', ...partner, trigger, onlyIfDue, now: now.toISOString(), nextCertificate: next, previousSha256, evidence: { document, sha256, ...stamp } };
      },
      metadataAt(firstNow),
      // The events carry the instant they activate at, not the one this call started at.
      { metadataOf: (command) => metadataAt(new Date(command.now)) },
    );
  }

  private async certificate(certificateId: string): Promise<{ readonly facts: CertificateFacts; readonly details: Pick<CertificateDetails, 'keyAlgorithm' | 'keySize'> }> {
    const { state } = await this.writeModel.load(CertificateLifecycleStreams.certificate(certificateId), certificateDecider);
    if (state.status !== 'stored') throw new DomainError(CertificateLifecycleErrorCode.CertificateNotFound, `Certificate ${certificateId} not found`);
    return { facts: factsOf(state), details: state.record.certificate };
  }

  private async previousOf(state: PartnerCertificatesState, slots: readonly ('encryption' | 'signature' | 'tls')[]) {
    return Promise.all(
      slots.map(async (slot) => {
        const certificateId = effectiveCurrent(state, slot);
        if (!certificateId) return { slot, certificateId: null, sha256: null };
        const { state: cert } = await this.writeModel.load(CertificateLifecycleStreams.certificate(certificateId), certificateDecider);
        return { slot, certificateId, sha256: cert.status === 'stored' ? cert.record.certificate.fingerprintSha256 : null };
      }),
    );
  }
}
