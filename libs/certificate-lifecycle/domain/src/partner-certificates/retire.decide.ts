import { DomainError } from '@as2-partners/kernel';
import { CertificateLifecycleErrorCode as Code, overlapNotClosed } from '../certificate-lifecycle.errors';
import type { PartnerCertificatesCommandOf } from './partner-certificates.commands';
import type { PartnerCertificatesEvent } from './partner-certificates.events';
import { rolesOf, type PartnerCertificatesState } from './partner-certificates.state';
import { ms } from './partner-certificate-rules';

/**
 * Ends the overlap after an activation: the previous certificates stop being accepted (early only when forced, with a
 * reason). One the partner still uses (current in a slot the rollover left, assigned again, a backup) only leaves the overlap.
 */
export function decideRetire(command: PartnerCertificatesCommandOf<'retire'>, state: PartnerCertificatesState): PartnerCertificatesEvent[] {
  const { partnerId, now } = command;
  const overlap = state.overlap;
  if (!overlap) throw new DomainError(Code.NothingToRetire, `Partner ${partnerId} has no previous certificate in an overlap window`);
  if (ms(now) < ms(overlap.until) && !command.force) {
    throw overlapNotClosed(overlap.until, `The overlap window is open until ${overlap.until}: retire after it, or force with a reason`);
  }
  if (command.force && !command.reason?.trim()) {
    throw new DomainError(Code.RetireReasonRequired, 'A forced retirement needs a reason', 'reason');
  }
  return [
    {
      type: 'trust.retired.v1',
      data: {
        partnerId,
        certificateIds: [...new Set(overlap.previous.map((p) => p.certificateId))].filter((id) => rolesOf(state, id).every((use) => use.role === 'overlap')),
        overlapUntil: overlap.until,
        forced: command.force && ms(now) < ms(overlap.until),
        reason: command.reason,
        retiredAt: now,
      },
    },
  ];
}
