import { assertNever, DomainError } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode as Code } from '../certificate-lifecycle.errors';
import { SLOT_NAMES } from '../certificate-usage';
import type { PartnerCertificatesCommandOf } from './partner-certificates.commands';
import type { PartnerCertificatesEvent } from './partner-certificates.events';
import { effectiveCurrent, type PartnerCertificatesState } from './partner-certificates.state';
import { activationRefusal, assertAssignable, assertValidThroughout, attachIfNew, ms } from './partner-certificate-rules';

/** Backups a slot switches to at a scheduled instant, with no human action: scheduled, cancelled, activated when due. */
export function decideBackup(
  command: PartnerCertificatesCommandOf<'schedule_backup' | 'cancel_backup' | 'activate_due_backups'>,
  state: PartnerCertificatesState,
): PartnerCertificatesEvent[] {
  const { partnerId, now } = command;
  switch (command.type) {
    case 'schedule_backup': {
      const { slot, certificate, activateOn } = command;
      if (ms(activateOn) <= ms(now)) {
        throw new DomainError(Code.InvalidActivationTime, 'activate_on must be in the future (UTC)', 'activate_on', { activate_on: activateOn, now });
      }
      assertAssignable(certificate, slot);
      if (certificate.certificateId === effectiveCurrent(state, slot)) {
        throw new DomainError(Code.BackupSameCertificate, `The certificate is the ${slot} slot's current one already`, 'certificate_id', { slot, certificate_id: certificate.certificateId });
      }
      assertValidThroughout(certificate, activateOn, activateOn);
      const pending = state[slot].backup;
      if (pending?.certificateId === certificate.certificateId && ms(pending.activateOn) === ms(activateOn)) return [];
      return [
        ...attachIfNew(state, command),
        {
          type: 'partner_certificates.backup_scheduled.v1',
          data: { partnerId, slot, certificateId: certificate.certificateId, activateOn, replacesCertificateId: effectiveCurrent(state, slot), scheduledAt: now },
        },
      ];
    }
    case 'cancel_backup': {
      const pending = state[command.slot].backup;
      if (!pending) throw new DomainError(Code.BackupNotScheduled, `No backup certificate is scheduled for the ${command.slot} slot`);
      return [
        {
          type: 'partner_certificates.backup_cancelled.v1',
          data: { partnerId, slot: command.slot, certificateId: pending.certificateId, activateOn: pending.activateOn, cancelledAt: now },
        },
      ];
    }
    case 'activate_due_backups':
      return SLOT_NAMES.flatMap((slot): PartnerCertificatesEvent[] => {
        const backup = state[slot].backup;
        if (!backup || ms(backup.activateOn) > ms(now)) return [];
        const certificate = command.backupCertificates.find((c) => c.certificateId === backup.certificateId);
        if (!certificate || activationRefusal(certificate, now) || command.keyRefusedSlots?.includes(slot)) {
          // Retired, deactivated, expired or its key no longer suiting the partner since it was scheduled: it never
          // becomes current, and is not retried every tick.
          return [
            {
              type: 'partner_certificates.backup_cancelled.v1',
              data: { partnerId, slot, certificateId: backup.certificateId, activateOn: backup.activateOn, cancelledAt: now },
            },
          ];
        }
        return [
          {
            type: 'partner_certificates.backup_activated.v1',
            data: {
              partnerId,
              slot,
              certificateId: backup.certificateId,
              previousCertificateId: effectiveCurrent(state, slot),
              scheduledFor: backup.activateOn,
              activatedAt: now,
              lateByMs: Math.max(0, ms(now) - ms(backup.activateOn)),
              trigger: command.trigger,
            },
          },
        ];
      });
    default:
      return assertNever(command);
  }
}
