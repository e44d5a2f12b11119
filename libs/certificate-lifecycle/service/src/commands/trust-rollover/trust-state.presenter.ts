import { effectiveCurrent, minimumRsaKeySize, SLOT_NAMES, usageFitsSlot, type PartnerCertificatesState } from '@as2-partners/certificate-lifecycle-domain';
import { toApiTimestamp } from '@as2-partners/platform';
import { certificateSummaryOf, presentSlots } from '../certificate-slots/certificate-slots.presenter';
import type { CertificateViewDocument } from '../../queries/certificate-views/certificate-view.document';

const DAY_MS = 86_400_000;
/** The keyUsage bits of a key that may sign (RFC 5280 §4.2.1.3): what verifying a partner's signatures needs. */
const SIGNING_KEY_USAGES = ['digitalSignature', 'nonRepudiation'];

type NextStep =
  | { action: 'activate'; at: string; certificate_id: string }
  | { action: 'retire'; at: string; certificate_ids: string[] }
  | { action: 'activate_backup'; at: string; slot: string; certificate_id: string }
  | { action: 'schedule_rollover'; at: string | null; reason: string }
  | { action: 'none'; at: null };

/**
 * GET /v1/partners/{id}/trust: current and next certificates, the rollover window, the next step and its time, and
 * warnings; `signAlgorithm` is the partner's now, which may have changed since its certificates were checked against it.
 */
export function presentTrustState(partnerId: string, state: PartnerCertificatesState, docs: ReadonlyMap<string, CertificateViewDocument>, now: Date, signAlgorithm: string | null) {
  const slots = presentSlots(state, docs, now);
  const warnings: { code: string; message: string }[] = [];
  const notAfterOf = (id: string | null) => (id ? docs.get(id)?.certificate.notAfter ?? state.attached.get(id)?.notAfter ?? null : null);
  const minimumKeySize = minimumRsaKeySize(signAlgorithm);
  const tooSmall = new Set<string>();
  const checkKeySize = (id: string | null | undefined, role: string): void => {
    const certificate = id ? docs.get(id)?.certificate : undefined;
    if (!id || !certificate || certificate.keyAlgorithm !== 'RSA' || certificate.keySize >= minimumKeySize || tooSmall.has(id)) return;
    tooSmall.add(id);
    warnings.push({
      code: 'CERTIFICATE_KEY_TOO_SMALL',
      message: `The ${role} certificate ${id} has a ${certificate.keySize}-bit RSA key, smaller than the ${minimumKeySize} bits ${signAlgorithm ?? 'the partner'} requires now: replace it`,
    });
  };

  const inactive = (id: string | null | undefined): id is string => Boolean(id) && docs.get(id as string)?.active === false;
  for (const slot of SLOT_NAMES) {
    const current = effectiveCurrent(state, slot);
    // A shared certificate retired or deactivated elsewhere (or before shared certificates were protected) still sits here.
    if (inactive(current)) {
      warnings.push({ code: 'CURRENT_CERTIFICATE_INACTIVE', message: `The current ${slot} certificate ${current} is inactive: assign an active one` });
    }
    const backup = state[slot].backup?.certificateId;
    if (inactive(backup)) warnings.push({ code: 'BACKUP_CERTIFICATE_INACTIVE', message: `The ${slot} backup certificate ${backup} is inactive` });
    checkKeySize(current, `current ${slot}`);
    checkKeySize(backup, `${slot} backup`);
    const notAfter = notAfterOf(current);
    if (!notAfter) continue;
    const left = new Date(notAfter).getTime() - now.getTime();
    const replaced = state[slot].backup !== null || (state.rollover?.slots.includes(slot) ?? false);
    if (left <= 0) warnings.push({ code: 'CURRENT_CERTIFICATE_EXPIRED', message: `The current ${slot} certificate ${current} expired at ${toApiTimestamp(notAfter)}` });
    else if (left <= 30 * DAY_MS && !replaced) {
      warnings.push({ code: 'CURRENT_CERTIFICATE_EXPIRING', message: `The current ${slot} certificate ${current} expires in ${Math.floor(left / DAY_MS)} day(s) and no replacement is scheduled` });
    }
  }
  // Seed 000's signature slot follows encryption; a certificate uploaded for encryption only, or whose keyUsage allows
  // no signature, is not one to verify the partner's signatures with.
  const followed = state.signature.useDifferent ? null : state.encryption.current;
  const followedKeyUsage = followed ? docs.get(followed)?.certificate.keyUsage : undefined;
  const followedUsage = followed ? docs.get(followed)?.usage ?? state.attached.get(followed)?.usage : undefined;
  const setOne = `set a signature certificate (PUT /v1/partners/${partnerId}/certificate-slots/signature)`;
  if (followed && followedUsage !== undefined && !usageFitsSlot(followedUsage, 'signature')) {
    warnings.push({ code: 'SIGNATURE_CERTIFICATE_UNFIT', message: `The signature slot follows encryption, whose certificate ${followed} was uploaded for ${followedUsage} only: ${setOne}` });
  } else if (followed && followedKeyUsage && !followedKeyUsage.some((bit) => SIGNING_KEY_USAGES.includes(bit))) {
    warnings.push({
      code: 'SIGNATURE_CERTIFICATE_UNFIT',
      message: `The signature slot follows encryption, whose certificate ${followed} allows no signature (its keyUsage has neither digitalSignature nor nonRepudiation): ${setOne}`,
    });
  }
  checkKeySize(state.rollover?.nextCertificateId, 'next');
  if (state.rollover && inactive(state.rollover.nextCertificateId)) {
    warnings.push({ code: 'NEXT_CERTIFICATE_INACTIVE', message: `The next certificate ${state.rollover.nextCertificateId} is inactive` });
  }
  if (state.rollover) {
    const nextAfter = notAfterOf(state.rollover.nextCertificateId);
    if (nextAfter && new Date(nextAfter).getTime() < new Date(state.rollover.overlapUntil).getTime()) {
      warnings.push({ code: 'NEXT_CERTIFICATE_EXPIRES_IN_WINDOW', message: 'The next certificate expires before the overlap window closes' });
    }
    if (new Date(state.rollover.activateAt).getTime() < now.getTime()) {
      warnings.push({ code: 'ACTIVATION_OVERDUE', message: `The activation due at ${toApiTimestamp(state.rollover.activateAt)} has not happened yet` });
    }
  }
  if (state.overlap && new Date(state.overlap.until).getTime() <= now.getTime()) {
    warnings.push({ code: 'OVERLAP_CLOSED_NOT_RETIRED', message: 'The overlap window has closed: retire the previous certificate' });
  }

  return {
    partner_id: partnerId,
    current: { encryption: slots.encryption.current, signature: slots.signature.current, tls: slots.tls.current },
    next: state.rollover
      ? {
          certificate: certificateSummaryOf(state, docs, state.rollover.nextCertificateId),
          activate_at: toApiTimestamp(state.rollover.activateAt),
          overlap_until: toApiTimestamp(state.rollover.overlapUntil),
          slots: state.rollover.slots,
        }
      : null,
    overlap: state.overlap
      ? {
          previous: state.overlap.previous.map((p) => ({ slot: p.slot, certificate_id: p.certificateId })),
          until: toApiTimestamp(state.overlap.until),
          open: new Date(state.overlap.until).getTime() > now.getTime(),
        }
      : null,
    next_step: nextStepOf(state, notAfterOf, now),
    warnings,
    slots,
  };
}

function nextStepOf(state: PartnerCertificatesState, notAfterOf: (id: string | null) => string | null, now: Date): NextStep {
  // What is scheduled (the rollover's activation, the overlap's end, each slot's backup): the earliest comes next; at the same instant, in that order.
  const scheduled: { readonly at: string; readonly step: NextStep }[] = [];
  if (state.rollover) scheduled.push({ at: state.rollover.activateAt, step: { action: 'activate', at: toApiTimestamp(state.rollover.activateAt), certificate_id: state.rollover.nextCertificateId } });
  if (state.overlap) {
    const certificateIds = [...new Set(state.overlap.previous.map((p) => p.certificateId))];
    scheduled.push({ at: state.overlap.until, step: { action: 'retire', at: toApiTimestamp(state.overlap.until), certificate_ids: certificateIds } });
  }
  for (const slot of SLOT_NAMES) {
    const backup = state[slot].backup;
    if (backup) scheduled.push({ at: backup.activateOn, step: { action: 'activate_backup', at: toApiTimestamp(backup.activateOn), slot, certificate_id: backup.certificateId } });
  }
  const next = scheduled.reduce<(typeof scheduled)[number] | undefined>((earliest, candidate) => (earliest === undefined || Date.parse(candidate.at) < Date.parse(earliest.at) ? candidate : earliest), undefined);
  if (next) return next.step;
  const expiries = SLOT_NAMES.map((slot) => notAfterOf(effectiveCurrent(state, slot))).filter((t): t is string => t !== null).sort();
  if (expiries[0]) {
    const due = new Date(Math.max(now.getTime(), new Date(expiries[0]).getTime() - 30 * DAY_MS)).toISOString();
    return { action: 'schedule_rollover', at: toApiTimestamp(due), reason: `The earliest current certificate expires at ${toApiTimestamp(expiries[0])}` };
  }
  return { action: 'none', at: null };
}
