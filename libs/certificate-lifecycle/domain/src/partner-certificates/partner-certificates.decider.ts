import { assertNever, DomainError, type Decider } from '@as2-partners/kernel';
import {
  CertificateLifecycleErrorCode as Code,
  certificateInactive,
  partnerRemoved,
  usageMismatch,
} from '../certificate-lifecycle.errors';
import { assertValidAt } from '../certificate-reading';
import { SLOT_NAMES, usageFitsSlot, type SlotName } from '../certificate-usage';
import type {
  ActivationTrigger,
  AttachedCertificate,
  EvidenceData,
  PartnerCertificatesEvent,
} from './partner-certificates.events';
import { effectiveCurrent, emptyPartnerCertificates, type PartnerCertificatesState, type Rollover } from './partner-certificates.state';

/** A certificate as the command's caller found it in the certificate store. */
export interface CertificateFacts extends AttachedCertificate {
  readonly active: boolean;
}

interface PartnerRef {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
}

export type PartnerCertificatesCommand =
  | (PartnerRef & { readonly type: 'attach'; readonly certificate: CertificateFacts; readonly now: string })
  | (PartnerRef & { readonly type: 'assign'; readonly slot: SlotName; readonly certificate: CertificateFacts; readonly now: string })
  | (PartnerRef & { readonly type: 'follow_encryption'; readonly now: string })
  | (PartnerRef & {
      readonly type: 'schedule_backup';
      readonly slot: SlotName;
      readonly certificate: CertificateFacts;
      readonly activateOn: string;
      readonly now: string;
    })
  | (PartnerRef & { readonly type: 'cancel_backup'; readonly slot: SlotName; readonly now: string })
  | (PartnerRef & { readonly type: 'activate_due_backups'; readonly trigger: ActivationTrigger; readonly now: string })
  | (PartnerRef & {
      readonly type: 'schedule_rollover';
      readonly certificate: CertificateFacts;
      readonly activateAt: string;
      readonly overlapUntil: string;
      readonly slots: readonly SlotName[];
      readonly now: string;
    })
  | (PartnerRef & {
      readonly type: 'activate_rollover';
      readonly trigger: ActivationTrigger;
      /** The scheduler activates only once `activate_at` has come; a person may activate early. */
      readonly onlyIfDue: boolean;
      readonly nextCertificate: CertificateFacts;
      readonly previousSha256: Readonly<Record<string, string>>;
      readonly evidence: EvidenceData;
      readonly now: string;
    })
  | (PartnerRef & { readonly type: 'retire'; readonly force: boolean; readonly reason: string | null; readonly now: string })
  | (PartnerRef & { readonly type: 'remove_partner'; readonly now: string });

const ms = (iso: string) => new Date(iso).getTime();

/**
 * The rollover an activation at `now` takes effect for, or null while the scheduler's is not due yet. Exported so
 * the service gathers the evidence for exactly the rollover this decider will activate.
 */
export function rolloverToActivate(state: PartnerCertificatesState, partnerId: string, onlyIfDue: boolean, now: string): Rollover | null {
  const rollover = state.rollover;
  if (!rollover) throw new DomainError(Code.RolloverNotScheduled, `No rollover is scheduled for partner ${partnerId}`);
  if (onlyIfDue && ms(rollover.activateAt) > ms(now)) return null;
  return rollover;
}

function attachedOf(certificate: CertificateFacts): AttachedCertificate {
  const { active: _active, ...attached } = certificate;
  return attached;
}

function attachIfNew(state: PartnerCertificatesState, command: PartnerRef & { certificate: CertificateFacts; now: string }): PartnerCertificatesEvent[] {
  if (state.attached.has(command.certificate.certificateId)) return [];
  return [
    {
      type: 'partner_certificates.certificate_attached.v1',
      data: {
        partnerId: command.partnerId,
        account: command.account,
        tenant: command.tenant,
        certificate: attachedOf(command.certificate),
        attachedAt: command.now,
      },
    },
  ];
}

function assertAssignable(certificate: CertificateFacts, slot: SlotName): void {
  if (!certificate.active) throw certificateInactive(certificate.certificateId);
  if (!usageFitsSlot(certificate.usage, slot)) throw usageMismatch(certificate.certificateId, certificate.usage, slot);
}

/** The certificate must be valid over [from, to]: a scheduled change must not switch to a certificate that is not valid yet or expires before the window closes. */
function assertValidThroughout(certificate: CertificateFacts, from: string, to: string): void {
  if (ms(certificate.notBefore) > ms(from) || ms(certificate.notAfter) < ms(to)) {
    throw new DomainError(
      Code.CertificateNotValidForWindow,
      `Certificate ${certificate.certificateId} is valid from ${certificate.notBefore} to ${certificate.notAfter}, which does not cover ${from} to ${to}`,
      'certificate_id',
      { not_before: certificate.notBefore, expires_at: certificate.notAfter, window_start: from, window_end: to },
    );
  }
}

/** Slots an upload fills: the empty ones its usage fits, if it is valid now. */
function slotsAnUploadFills(state: PartnerCertificatesState, certificate: CertificateFacts, now: string): SlotName[] {
  if (ms(certificate.notBefore) > ms(now) || ms(certificate.notAfter) <= ms(now)) return [];
  const fills: SlotName[] = [];
  if (usageFitsSlot(certificate.usage, 'encryption') && state.encryption.current === null) fills.push('encryption');
  else if (usageFitsSlot(certificate.usage, 'signature') && certificate.usage === 'signing' && effectiveCurrent(state, 'signature') === null) fills.push('signature');
  if (usageFitsSlot(certificate.usage, 'tls') && state.tls.current === null) fills.push('tls');
  return fills;
}

function decide(command: PartnerCertificatesCommand, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  if (state.removed && command.type !== 'remove_partner') throw partnerRemoved(command.partnerId);
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
      return [
        ...attachIfNew(state, command),
        {
          type: 'partner_certificates.slot_assigned.v1',
          data: { partnerId, slot, certificateId: certificate.certificateId, previousCertificateId: previous, cause: 'manual', assignedAt: now },
        },
      ];
    }
    case 'follow_encryption':
      if (!state.signature.useDifferent) return [];
      return [{ type: 'partner_certificates.signature_follows_encryption.v1', data: { partnerId, previousCertificateId: state.signature.current, changedAt: now } }];
    case 'schedule_backup': {
      const { slot, certificate, activateOn } = command;
      if (ms(activateOn) <= ms(now)) {
        throw new DomainError(Code.InvalidActivationTime, 'activate_on must be in the future (UTC)', 'activate_on', { activate_on: activateOn, now });
      }
      assertAssignable(certificate, slot);
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
      // A signature slot that follows encryption moves with it, so only the encryption usage must fit.
      const following = slots.includes('encryption') && !state.signature.useDifferent;
      for (const slot of slots) if (!(slot === 'signature' && following)) assertAssignable(certificate, slot);
      assertValidThroughout(certificate, activateAt, overlapUntil);
      const currentCertificateIds = Object.fromEntries(slots.map((slot) => [slot, effectiveCurrent(state, slot)]));
      if (slots.every((slot) => currentCertificateIds[slot] === certificate.certificateId)) {
        throw new DomainError(Code.RolloverSameCertificate, `Certificate ${certificate.certificateId} is already current in every slot named`, 'next_certificate_id');
      }
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
      assertValidAt(command.nextCertificate, new Date(now));
      const previousCertificateIds = Object.fromEntries(rollover.slots.map((slot) => [slot, effectiveCurrent(state, slot)]));
      return [
        {
          type: 'trust.activated.v1',
          data: {
            partnerId,
            certificateId: rollover.nextCertificateId,
            certificateSha256: command.nextCertificate.fingerprintSha256,
            previousCertificateIds,
            previousCertificateSha256: command.previousSha256,
            slots: rollover.slots,
            trigger: command.trigger,
            scheduledFor: rollover.activateAt,
            activatedAt: now,
            lateByMs: command.trigger.type === 'scheduler' ? Math.max(0, ms(now) - ms(rollover.activateAt)) : 0,
            overlapUntil: rollover.overlapUntil,
            evidence: command.evidence,
          },
        },
      ];
    }
    case 'retire': {
      const overlap = state.overlap;
      if (!overlap) throw new DomainError(Code.NothingToRetire, `Partner ${partnerId} has no previous certificate in an overlap window`);
      if (ms(now) < ms(overlap.until) && !command.force) {
        throw new DomainError(Code.OverlapNotClosed, `The overlap window is open until ${overlap.until}: retire after it, or force with a reason`, undefined, {
          overlap_until: overlap.until,
        });
      }
      if (command.force && !command.reason?.trim()) {
        throw new DomainError(Code.RetireReasonRequired, 'A forced retirement needs a reason', 'reason');
      }
      return [
        {
          type: 'trust.retired.v1',
          data: {
            partnerId,
            certificateIds: [...new Set(overlap.previous.map((p) => p.certificateId))],
            overlapUntil: overlap.until,
            forced: command.force && ms(now) < ms(overlap.until),
            reason: command.reason,
            retiredAt: now,
          },
        },
      ];
    }
    case 'remove_partner':
      if (state.removed) return [];
      return [{ type: 'partner_certificates.partner_removed.v1', data: { partnerId, certificateIds: [...state.attached.keys()], removedAt: now } }];
    default:
      return assertNever(command);
  }
}

function withCurrent(state: PartnerCertificatesState, slot: SlotName, certificateId: string): PartnerCertificatesState {
  if (slot === 'signature') return { ...state, signature: { ...state.signature, current: certificateId, useDifferent: true } };
  return { ...state, [slot]: { ...state[slot], current: certificateId } };
}

function evolve(state: PartnerCertificatesState, event: PartnerCertificatesEvent): PartnerCertificatesState {
  const partnerId = state.partnerId ?? event.data.partnerId;
  switch (event.type) {
    case 'partner_certificates.certificate_attached.v1':
      return { ...state, partnerId, attached: new Map(state.attached).set(event.data.certificate.certificateId, event.data.certificate) };
    case 'partner_certificates.slot_assigned.v1':
      return withCurrent({ ...state, partnerId }, event.data.slot, event.data.certificateId);
    case 'partner_certificates.signature_follows_encryption.v1':
      return { ...state, signature: { ...state.signature, current: null, useDifferent: false } };
    case 'partner_certificates.backup_scheduled.v1':
      return { ...state, partnerId, [event.data.slot]: { ...state[event.data.slot], backup: { certificateId: event.data.certificateId, activateOn: event.data.activateOn } } };
    case 'partner_certificates.backup_cancelled.v1':
      return { ...state, [event.data.slot]: { ...state[event.data.slot], backup: null } };
    case 'partner_certificates.backup_activated.v1': {
      const next = withCurrent(state, event.data.slot, event.data.certificateId);
      return { ...next, [event.data.slot]: { ...next[event.data.slot], backup: null } };
    }
    case 'trust.rollover_scheduled.v1':
      return {
        ...state,
        partnerId,
        rollover: { nextCertificateId: event.data.nextCertificateId, activateAt: event.data.activateAt, overlapUntil: event.data.overlapUntil, slots: event.data.slots },
      };
    case 'trust.activated.v1': {
      const { slots, certificateId } = event.data;
      // Signature keeps following encryption when both move together to the same certificate.
      const followTogether = slots.includes('encryption') && slots.includes('signature') && !state.signature.useDifferent;
      let next = state;
      for (const slot of slots) {
        if (slot === 'signature' && followTogether) continue;
        next = withCurrent(next, slot, certificateId);
      }
      const previous = slots
        .map((slot) => ({ slot, certificateId: event.data.previousCertificateIds[slot] ?? null }))
        .filter((p): p is { slot: SlotName; certificateId: string } => p.certificateId !== null && p.certificateId !== certificateId);
      return { ...next, rollover: null, overlap: { previous, nextCertificateId: certificateId, until: event.data.overlapUntil } };
    }
    case 'trust.retired.v1':
      return { ...state, overlap: null };
    case 'partner_certificates.partner_removed.v1':
      return { ...emptyPartnerCertificates(), partnerId, removed: true, attached: state.attached };
    default:
      return assertNever(event);
  }
}

export const partnerCertificatesDecider: Decider<PartnerCertificatesCommand, PartnerCertificatesState, PartnerCertificatesEvent> = {
  initialState: emptyPartnerCertificates,
  decide,
  evolve,
};
