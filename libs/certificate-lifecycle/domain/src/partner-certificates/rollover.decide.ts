import { assertNever, DomainError } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode as Code } from '../certificate-lifecycle.errors';
import { SLOT_NAMES, type SlotName } from '../certificate-usage';
import type { CertificateFacts, PartnerCertificatesCommandOf } from './partner-certificates.commands';
import type { PartnerCertificatesEvent } from './partner-certificates.events';
import { effectiveCurrent, type PartnerCertificatesState, type Rollover } from './partner-certificates.state';
import { assertActivatable, assertAssignable, assertNoOpenOverlap, assertValidThroughout, attachIfNew, ms } from './partner-certificate-rules';

/**
 * The rollover an activation at `now` takes effect for, or null while the scheduler's is not due yet. Exported so
 * the service gathers the evidence for exactly the rollover this decider will activate (and stamps none it refuses).
 */
export function rolloverToActivate(state: PartnerCertificatesState, partnerId: string, onlyIfDue: boolean, now: string): Rollover | null {
  const rollover = state.rollover;
  if (!rollover) throw new DomainError(Code.RolloverNotScheduled, `No rollover is scheduled for partner ${partnerId}`);
  if (onlyIfDue && ms(rollover.activateAt) > ms(now)) return null;
  // A window scheduled before the refusal at schedule time existed must not drop the previous certificates either.
  assertNoOpenOverlap(state, now);
  return rollover;
}

/** A signature slot that follows encryption moves with it, so only the encryption usage must fit; a slot set apart must fit itself. */
export function assertFitsRolloverSlots(certificate: CertificateFacts, state: PartnerCertificatesState, slots: readonly SlotName[]): void {
  const following = slots.includes('encryption') && !state.signature.useDifferent;
  for (const slot of slots) if (!(slot === 'signature' && following)) assertAssignable(certificate, slot);
}

/**
 * The slots an activation changes: the rollover's, and the signature slot when it follows an encryption slot that moves
 * (its certificate then verifies the partner's signatures too), so the stamped evidence and the event name every slot whose
 * certificate changes, with the one it had before.
 */
export function activatedSlots(state: PartnerCertificatesState, slots: readonly SlotName[]): SlotName[] {
  const signatureMovesAlong = slots.includes('encryption') && !slots.includes('signature') && !state.signature.useDifferent;
  return SLOT_NAMES.filter((slot) => slots.includes(slot) || (slot === 'signature' && signatureMovesAlong));
}

/** A trust rollover: the next certificate's window approved, then activated (with stamped evidence) by a person or the scheduler. */
export function decideRollover(command: PartnerCertificatesCommandOf<'schedule_rollover' | 'activate_rollover'>, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  const { partnerId, now } = command;
  switch (command.type) {
    case 'schedule_rollover': {
      const { certificate, activateAt, overlapUntil, slots } = command;
      if (!(ms(now) < ms(activateAt))) {
        throw new DomainError(Code.RolloverWindowInvalid, 'activate_at must be in the future', 'activate_at', { activate_at: activateAt, now });
      }
      if (!(ms(activateAt) < ms(overlapUntil))) {
        throw new DomainError(Code.RolloverWindowInvalid, 'overlap_until must be after activate_at', 'overlap_until', {
          activate_at: activateAt,
          overlap_until: overlapUntil,
        });
      }
      assertFitsRolloverSlots(certificate, state, slots);
      assertValidThroughout(certificate, activateAt, overlapUntil);
      const currentCertificateIds = Object.fromEntries(slots.map((slot) => [slot, effectiveCurrent(state, slot)]));
      if (slots.every((slot) => currentCertificateIds[slot] === certificate.certificateId)) {
        throw new DomainError(Code.RolloverSameCertificate, `Certificate ${certificate.certificateId} is already current in every slot named`, 'next_certificate_id');
      }
      assertNoOpenOverlap(state, now);
      const pending = state.rollover;
      if (
        pending &&
        pending.nextCertificateId === certificate.certificateId &&
        ms(pending.activateAt) === ms(activateAt) &&
        ms(pending.overlapUntil) === ms(overlapUntil) &&
        pending.slots.join() === slots.join()
      ) {
        return [];
      }
      return [
        ...attachIfNew(state, command),
        {
          type: 'trust.rollover_scheduled.v1',
          data: {
            partnerId,
            nextCertificateId: certificate.certificateId,
            currentCertificateIds,
            slots: [...slots],
            activateAt,
            overlapUntil,
            replacesNextCertificateId: pending?.nextCertificateId ?? null,
            scheduledAt: now,
          },
        },
      ];
    }
    case 'activate_rollover': {
      const rollover = rolloverToActivate(state, partnerId, command.onlyIfDue, now);
      if (!rollover) return [];
      // Active and valid now, as for an immediate assign: it may have been retired or deactivated since it was scheduled.
      assertActivatable(command.nextCertificate, now);
      // The signature slot may have been set apart since, and then takes the certificate itself.
      assertFitsRolloverSlots(command.nextCertificate, state, rollover.slots);
      const slots = activatedSlots(state, rollover.slots);
      const previousCertificateIds = Object.fromEntries(slots.map((slot) => [slot, effectiveCurrent(state, slot)]));
      // A backup still pending on a slot this activation moves would undo the approved rollover at its instant, unstamped
      // (whichever certificate it was scheduled to replace, one a manual change replaced since included): it ends here.
      const mootBackups = slots.flatMap((slot): PartnerCertificatesEvent[] => {
        const backup = state[slot].backup;
        if (!backup) return [];
        return [{ type: 'partner_certificates.backup_cancelled.v1', data: { partnerId, slot, certificateId: backup.certificateId, activateOn: backup.activateOn, cancelledAt: now } }];
      });
      return [
        {
          type: 'trust.activated.v1',
          data: {
            partnerId,
            certificateId: rollover.nextCertificateId,
            certificateSha256: command.nextCertificate.fingerprintSha256,
            previousCertificateIds,
            previousCertificateSha256: command.previousSha256,
            slots,
            trigger: command.trigger,
            scheduledFor: rollover.activateAt,
            activatedAt: now,
            lateByMs: command.trigger.type === 'scheduler' ? Math.max(0, ms(now) - ms(rollover.activateAt)) : 0,
            overlapUntil: rollover.overlapUntil,
            evidence: command.evidence,
          },
        },
        ...mootBackups,
      ];
    }
    default:
      return assertNever(command);
  }
}
