import { PersistentMap } from '@as2-partners/kernel';
import { SLOT_NAMES, type SlotName } from '../certificate-usage';
import type { AttachedCertificate } from './partner-certificates.events';

export interface Backup {
  readonly certificateId: string;
  readonly activateOn: string;
}

export interface Slot {
  readonly current: string | null;
  readonly backup: Backup | null;
}

export interface SignatureSlot extends Slot {
  /** false: signatures are verified with the encryption certificate (seed 000's default). */
  readonly useDifferent: boolean;
}

export interface Rollover {
  readonly nextCertificateId: string;
  readonly activateAt: string;
  readonly overlapUntil: string;
  readonly slots: readonly SlotName[];
}

/** After an activation, until `until`, the previous certificates are still accepted for what the partner sends. */
export interface Overlap {
  readonly previous: readonly { readonly slot: SlotName; readonly certificateId: string }[];
  readonly nextCertificateId: string;
  readonly until: string;
}

/** `none`: no event yet; `tracked`: the partner's certificates are managed; `removed`: the partner is gone, only history remains. */
export type PartnerCertificatesStatus = 'none' | 'tracked' | 'removed';

export interface PartnerCertificatesState {
  readonly status: PartnerCertificatesStatus;
  /** Null while `none`. */
  readonly partnerId: string | null;
  readonly attached: ReadonlyMap<string, AttachedCertificate>;
  readonly encryption: Slot;
  readonly signature: SignatureSlot;
  readonly tls: Slot;
  readonly rollover: Rollover | null;
  readonly overlap: Overlap | null;
}

export const emptyPartnerCertificates = (): PartnerCertificatesState => ({
  status: 'none',
  partnerId: null,
  attached: PersistentMap.empty(),
  encryption: { current: null, backup: null },
  signature: { current: null, backup: null, useDifferent: false },
  tls: { current: null, backup: null },
  rollover: null,
  overlap: null,
});

/** The certificate a slot sends or verifies with now: the signature slot follows encryption unless set apart. */
export function effectiveCurrent(state: PartnerCertificatesState, slot: SlotName): string | null {
  if (slot === 'signature' && !state.signature.useDifferent) return state.encryption.current;
  return state[slot].current;
}

/**
 * Certificates a slot accepts for receiving at `now`: the current one, and during an overlap the previous ones
 * too (sending always uses exactly one, the current).
 */
export function acceptedForReceiving(state: PartnerCertificatesState, slot: SlotName, now: Date): string[] {
  const current = effectiveCurrent(state, slot);
  const accepted = current ? [current] : [];
  if (state.overlap && now.getTime() < new Date(state.overlap.until).getTime()) {
    for (const previous of state.overlap.previous) {
      if (previous.slot === slot && !accepted.includes(previous.certificateId)) accepted.push(previous.certificateId);
    }
  }
  return accepted;
}

/** Every slot role a certificate plays for this partner (for "used by" previews and the in-use check on delete). */
/** Every certificate rolesOf gives a role in `state` (a slot's current, backup, next or overlap). */
export function certificatesWithRoles(state: PartnerCertificatesState): Set<string> {
  const ids = new Set<string>();
  for (const slot of SLOT_NAMES) {
    const current = effectiveCurrent(state, slot);
    if (current !== null) ids.add(current);
    const backup = state[slot].backup?.certificateId;
    if (backup) ids.add(backup);
  }
  if (state.rollover) ids.add(state.rollover.nextCertificateId);
  for (const previous of state.overlap?.previous ?? []) ids.add(previous.certificateId);
  return ids;
}

export function rolesOf(state: PartnerCertificatesState, certificateId: string): { slot: SlotName; role: 'current' | 'backup' | 'next' | 'overlap' }[] {
  const roles: { slot: SlotName; role: 'current' | 'backup' | 'next' | 'overlap' }[] = [];
  for (const slot of ['encryption', 'signature', 'tls'] as const) {
    if (effectiveCurrent(state, slot) === certificateId) roles.push({ slot, role: 'current' });
    if (state[slot].backup?.certificateId === certificateId) roles.push({ slot, role: 'backup' });
    if (state.rollover?.nextCertificateId === certificateId && state.rollover.slots.includes(slot)) roles.push({ slot, role: 'next' });
    if (state.overlap?.previous.some((p) => p.slot === slot && p.certificateId === certificateId)) roles.push({ slot, role: 'overlap' });
  }
  return roles;
}
