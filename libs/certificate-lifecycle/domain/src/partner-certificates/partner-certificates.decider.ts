import { assertNever, DomainError, PersistentMap, type Decider } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode, partnerRemoved, usageMismatch } from '../certificate-lifecycle.errors';
import { SLOT_NAMES, usageFitsSlot, type SlotName } from '../certificate-usage';
import { decideBackup } from './backup.decide';
import type { CertificateFacts, PartnerCertificatesCommand, PartnerCertificatesCommandOf } from './partner-certificates.commands';
import type { AttachedCertificate, PartnerCertificatesEvent } from './partner-certificates.events';
import { emptyPartnerCertificates, type PartnerCertificatesState } from './partner-certificates.state';
import { decideRetire } from './retire.decide';
import { decideRollover } from './rollover.decide';
import { decideSlot } from './slot.decide';

export type { CertificateFacts, PartnerCertificatesCommand } from './partner-certificates.commands';
export { activatedSlots, assertFitsRolloverSlots, rolloverToActivate } from './rollover.decide';
export { activationRefusal, assertActivatable, keyRefusal } from './partner-certificate-rules';

/** Dispatches each command to the part of the partner's certificates it changes; a removed partner takes no more. */
function decide(command: PartnerCertificatesCommand, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  if (state.status === 'removed' && command.type !== 'remove_partner') throw partnerRemoved(command.partnerId);
  switch (command.type) {
    case 'attach':
    case 'assign':
    case 'follow_encryption':
      return decideSlot(command, state);
    case 'schedule_backup':
    case 'cancel_backup':
    case 'activate_due_backups':
      return decideBackup(command, state);
    case 'schedule_rollover':
    case 'activate_rollover':
      return decideRollover(command, state);
    case 'retire':
      return decideRetire(command, state);
    case 'link_on_create':
      return decideLink(command, state);
    case 'remove_partner':
      if (state.status === 'removed') return [];
      return [
        { type: 'partner_certificates.partner_removed.v1', data: { partnerId: command.partnerId, certificateIds: [...state.attached.keys()], removedAt: command.now } },
      ];
    default:
      return assertNever(command);
  }
}

/**
 * The slot a certificate named on create takes: encryption when it can encrypt (the signature slot follows it, as after
 * an upload, so a later encryption change moves both unless `use_different` is set: seed 000), else signature.
 */
function linkedSlots(usage: CertificateFacts['usage']): SlotName[] {
  if (usageFitsSlot(usage, 'encryption')) return ['encryption'];
  return usageFitsSlot(usage, 'signature') ? ['signature'] : [];
}

/** Assigns the certificate to the slot it takes (linkedSlots); a refusal is an event. */
function decideLink(command: PartnerCertificatesCommandOf<'link_on_create'>, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  const { partnerId, account, tenant, certificateId, now } = command;
  const refused = (code: string, reason: string): PartnerCertificatesEvent[] => [
    { type: 'partner_certificates.link_refused.v1', data: { partnerId, account, tenant, certificateId, code, reason, refusedAt: now } },
  ];
  if (command.certificate === null) return refused(CertificateLifecycleErrorCode.CertificateNotFound, `Certificate ${certificateId} not found`);
  if (command.refusal) return refused(command.refusal.code, command.refusal.reason);
  const certificate = command.certificate;
  const slots = linkedSlots(certificate.usage);
  try {
    if (slots.length === 0) throw usageMismatch(certificateId, certificate.usage, 'encryption');
    const events: PartnerCertificatesEvent[] = [];
    let next = state;
    for (const slot of slots) {
      const assigned = decideSlot({ type: 'assign', partnerId, account, tenant, slot, certificate, now }, next);
      events.push(...assigned);
      next = assigned.reduce(evolve, next);
    }
    return events;
  } catch (error) {
    if (error instanceof DomainError) return refused(error.code, error.message);
    throw error;
  }
}

function withCurrent(state: PartnerCertificatesState, slot: SlotName, certificateId: string): PartnerCertificatesState {
  if (slot === 'signature') return { ...state, signature: { ...state.signature, current: certificateId, useDifferent: true } };
  return { ...state, [slot]: { ...state[slot], current: certificateId } };
}

function evolve(state: PartnerCertificatesState, event: PartnerCertificatesEvent): PartnerCertificatesState {
  const next = evolveTracked(state, event);
  // The first event of the stream starts tracking the partner; removal is the last word.
  return next.status === 'none' ? { ...next, status: 'tracked', partnerId: next.partnerId ?? event.data.partnerId } : next;
}

/**
 * `attached` with `certificate` too, in O(1) when it is the latest version of a PersistentMap (as folds make it): a copy
 * of the map per attachment made a fold of a partner's 3,000 attachments O(n²) (~300 ms, the first upload after a start).
 */
function withAttached(attached: ReadonlyMap<string, AttachedCertificate>, certificate: AttachedCertificate): PersistentMap<string, AttachedCertificate> {
  const versions = attached instanceof PersistentMap ? (attached as PersistentMap<string, AttachedCertificate>) : PersistentMap.of(attached);
  return versions.set(certificate.certificateId, certificate);
}

function evolveTracked(state: PartnerCertificatesState, event: PartnerCertificatesEvent): PartnerCertificatesState {
  const partnerId = state.partnerId ?? event.data.partnerId;
  switch (event.type) {
    case 'partner_certificates.certificate_attached.v1':
      return { ...state, partnerId, attached: withAttached(state.attached, event.data.certificate) };
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
      // A signature slot following encryption moves with it even when not named: its previous certificate stays accepted too.
      const signatureMovedAlong = slots.includes('encryption') && !slots.includes('signature') && !state.signature.useDifferent;
      const previousIds = signatureMovedAlong ? { ...event.data.previousCertificateIds, signature: event.data.previousCertificateIds.encryption } : event.data.previousCertificateIds;
      const previous = SLOT_NAMES.filter((slot) => slots.includes(slot) || (slot === 'signature' && signatureMovedAlong))
        .map((slot) => ({ slot, certificateId: previousIds[slot] ?? null }))
        .filter((p): p is { slot: SlotName; certificateId: string } => p.certificateId !== null && p.certificateId !== certificateId);
      // Slots that were empty before leave nothing to accept for receiving, so nothing to retire and no overlap to wait for.
      const overlap = previous.length > 0 ? { previous, nextCertificateId: certificateId, until: event.data.overlapUntil } : null;
      return { ...next, rollover: null, overlap };
    }
    case 'trust.retired.v1':
      return { ...state, overlap: null };
    case 'partner_certificates.partner_removed.v1':
      return { ...emptyPartnerCertificates(), status: 'removed', partnerId, attached: state.attached };
    case 'partner_certificates.link_refused.v1':
      return { ...state, partnerId };
    default:
      return assertNever(event);
  }
}

export const partnerCertificatesDecider: Decider<PartnerCertificatesCommand, PartnerCertificatesState, PartnerCertificatesEvent> = {
  initialState: emptyPartnerCertificates,
  decide,
  evolve,
};
