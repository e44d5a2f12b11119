import { assertNever } from '@as2-partners/kernel';
import { assertValidAt } from '../certificate-reading';
import { usageFitsSlot, type SlotName } from '../certificate-usage';
import type { CertificateFacts, PartnerCertificatesCommandOf } from './partner-certificates.commands';
import type { PartnerCertificatesEvent } from './partner-certificates.events';
import { effectiveCurrent, type PartnerCertificatesState } from './partner-certificates.state';
import { assertAssignable, attachIfNew, ms } from './partner-certificate-rules';

/**
 * Slots an upload fills: the empty ones its usage fits, if it is valid now. A signature slot that follows an encryption
 * certificate uploaded for encryption only holds none fit for it: a signing certificate fills it (sets it apart).
 */
function slotsAnUploadFills(state: PartnerCertificatesState, certificate: CertificateFacts, now: string): SlotName[] {
  if (ms(certificate.notBefore) > ms(now) || ms(certificate.notAfter) <= ms(now)) return [];
  const fills: SlotName[] = [];
  if (usageFitsSlot(certificate.usage, 'encryption') && state.encryption.current === null) fills.push('encryption');
  else if (certificate.usage === 'signing' && !holdsSignatureCertificate(state)) fills.push('signature');
  if (usageFitsSlot(certificate.usage, 'tls') && state.tls.current === null) fills.push('tls');
  return fills;
}

/** Whether the signature slot holds a certificate fit for it, its own or the encryption one it follows (of unknown usage: taken as fit). */
function holdsSignatureCertificate(state: PartnerCertificatesState): boolean {
  const current = effectiveCurrent(state, 'signature');
  if (current === null) return false;
  const usage = state.attached.get(current)?.usage;
  return usage === undefined || usageFitsSlot(usage, 'signature');
}

/** Immediate slot changes: an upload filling empty slots, an assignment, the signature slot following encryption again. */
export function decideSlot(command: PartnerCertificatesCommandOf<'attach' | 'assign' | 'follow_encryption'>, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  const { partnerId, now } = command;
  switch (command.type) {
    case 'attach': {
      const attach = attachIfNew(state, command);
      if (attach.length === 0) return [];
      return [
        ...attach,
        ...slotsAnUploadFills(state, command.certificate, now).map((slot): PartnerCertificatesEvent => ({
          type: 'partner_certificates.slot_assigned.v1',
          data: { partnerId, slot, certificateId: command.certificate.certificateId, previousCertificateId: null, cause: 'upload', assignedAt: now },
        })),
      ];
    }
    case 'assign': {
      const { slot, certificate } = command;
      assertAssignable(certificate, slot);
      assertValidAt(certificate, new Date(now));
      const previous = effectiveCurrent(state, slot);
      const unchanged = previous === certificate.certificateId && (slot !== 'signature' || state.signature.useDifferent);
      if (unchanged) return [];
      // A backup scheduled to become this very certificate has nothing left to do: cancelled with the assignment.
      const backup = state[slot].backup;
      return [
        ...attachIfNew(state, command),
        {
          type: 'partner_certificates.slot_assigned.v1',
          data: { partnerId, slot, certificateId: certificate.certificateId, previousCertificateId: previous, cause: 'manual', assignedAt: now },
        },
        ...(backup?.certificateId === certificate.certificateId
          ? [{ type: 'partner_certificates.backup_cancelled.v1' as const, data: { partnerId, slot, certificateId: backup.certificateId, activateOn: backup.activateOn, cancelledAt: now } }]
          : []),
      ];
    }
    case 'follow_encryption':
      if (!state.signature.useDifferent) return [];
      return [{ type: 'partner_certificates.signature_follows_encryption.v1', data: { partnerId, previousCertificateId: state.signature.current, changedAt: now } }];
    default:
      return assertNever(command);
  }
}
