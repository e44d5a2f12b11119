import { assertNever, type Decider } from '@as2-partners/kernel';
import { accountCertificateReadOnly, certificateInUse, certificateNotFound } from '../certificate-lifecycle.errors';
import type { CertificateType, CertificateUsage } from '../certificate-usage';
import { ownsEveryUse, usesVisibleTo, type CertificateUse } from './certificate-use';
import type { CertificateData, CertificateEvent, CertificateUploaded } from './certificate.events';
import { expiryNoticeAt } from './expiry-thresholds';

export type CertificateRecord = CertificateUploaded['data'];

export type CertificateState =
  | { readonly status: 'none' }
  | {
      readonly status: 'stored';
      readonly record: CertificateRecord;
      readonly active: boolean;
      /** Thresholds already announced (days), or already passed when a tighter one was announced; 0 = expired. */
      readonly noticesDone: readonly number[];
    }
  | { readonly status: 'deleted'; readonly certificateId: string };

export type CertificateCommand =
  | {
      readonly type: 'upload';
      readonly certificateId: string;
      readonly account: string;
      readonly tenant: string | null;
      readonly name: string;
      readonly usage: CertificateUsage;
      readonly certificateType: CertificateType;
      readonly partnerId: string | null;
      readonly certificate: CertificateData;
      readonly now: string;
    }
  /**
   * A partner it was attached to was deleted. `partnerTenant` owns that partner (null: a master partner);
   * `otherUses` are the other partners' slots holding it now, read from the write side.
   */
  | { readonly type: 'deactivate'; readonly partnerId: string; readonly partnerTenant: string | null; readonly otherUses: readonly CertificateUse[]; readonly now: string }
  /** A partner retired it after a rollover (trust.retired.v1); same facts and rule as `deactivate`. */
  | {
      readonly type: 'retire';
      readonly partnerId: string;
      readonly partnerTenant: string | null;
      readonly otherUses: readonly CertificateUse[];
      readonly forced: boolean;
      readonly reason: string | null;
      readonly now: string;
    }
  /** `uses`: every partner slot holding it now; the caller sees only the uses it may see in the refusal. */
  | {
      readonly type: 'delete';
      readonly caller: { readonly tenant: string | null; readonly accountAdmin: boolean };
      readonly uses: readonly CertificateUse[];
      readonly now: string;
    }
  | { readonly type: 'evaluate_expiry'; readonly now: string };

function requireStored(state: CertificateState, certificateId: string) {
  if (state.status !== 'stored') throw certificateNotFound(certificateId);
  return state;
}

/**
 * A partner's owner may end the certificate for everybody only when the certificate is its own and it owns every
 * other use: otherwise retiring or deleting the partner ends that partner's use alone (a tenant's action changes
 * only the tenant's own state).
 */
function ownerMayEnd(record: CertificateRecord, partnerTenant: string | null, otherUses: readonly CertificateUse[]): boolean {
  return record.tenant === partnerTenant && ownsEveryUse(partnerTenant, otherUses);
}

function decide(command: CertificateCommand, state: CertificateState): CertificateEvent[] {
  switch (command.type) {
    case 'upload':
      if (state.status !== 'none') return [];
      return [
        {
          type: 'certificate.uploaded.v1',
          data: {
            certificateId: command.certificateId,
            account: command.account,
            tenant: command.tenant,
            name: command.name,
            usage: command.usage,
            type: command.certificateType,
            partnerId: command.partnerId,
            certificate: command.certificate,
            createdAt: command.now,
          },
        },
      ];
    case 'deactivate': {
      if (state.status !== 'stored' || !state.active || command.otherUses.length > 0) return [];
      if (!ownerMayEnd(state.record, command.partnerTenant, command.otherUses)) return [];
      return [
        {
          type: 'certificate.deactivated.v1',
          data: { certificateId: state.record.certificateId, partnerId: command.partnerId, reason: 'partner_deleted', deactivatedAt: command.now },
        },
      ];
    }
    case 'retire': {
      // As on a partner's deletion: a certificate another partner still holds (current, backup, next) stays active for it.
      if (state.status !== 'stored' || !state.active || command.otherUses.length > 0) return [];
      if (!ownerMayEnd(state.record, command.partnerTenant, command.otherUses)) return [];
      return [
        {
          type: 'certificate.retired.v1',
          data: {
            certificateId: state.record.certificateId,
            partnerId: command.partnerId,
            forced: command.forced,
            reason: command.reason,
            retiredAt: command.now,
          },
        },
      ];
    }
    case 'delete': {
      if (state.status === 'deleted') return [];
      const stored = requireStored(state, 'unknown');
      const { certificateId, tenant } = stored.record;
      if (tenant === null && !command.caller.accountAdmin) throw accountCertificateReadOnly(certificateId);
      if (command.uses.length > 0) {
        const visible = usesVisibleTo(command.caller.tenant, command.uses);
        throw certificateInUse(certificateId, visible, command.uses.length - visible.length);
      }
      return [{ type: 'certificate.deleted.v1', data: { certificateId: stored.record.certificateId, deletedAt: command.now } }];
    }
    case 'evaluate_expiry': {
      if (state.status !== 'stored') return [];
      const { record } = state;
      const notice = expiryNoticeAt(record.certificate.notAfter, new Date(command.now));
      if (notice === null) return [];
      if (notice.kind === 'expired') {
        if (state.noticesDone.includes(0)) return [];
        return [
          {
            type: 'certificate.expired.v1',
            data: { certificateId: record.certificateId, notAfter: record.certificate.notAfter, usage: record.usage, evaluatedAt: command.now },
          },
        ];
      }
      if (state.noticesDone.some((done) => done <= notice.thresholdDays)) return [];
      return [
        {
          type: 'certificate.expiring.v1',
          data: {
            certificateId: record.certificateId,
            thresholdDays: notice.thresholdDays,
            daysLeft: notice.daysLeft,
            notAfter: record.certificate.notAfter,
            usage: record.usage,
            evaluatedAt: command.now,
          },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: CertificateState, event: CertificateEvent): CertificateState {
  switch (event.type) {
    case 'certificate.uploaded.v1':
      return { status: 'stored', record: event.data, active: true, noticesDone: [] };
    case 'certificate.deactivated.v1':
    case 'certificate.retired.v1':
      return state.status === 'stored' ? { ...state, active: false } : state;
    case 'certificate.deleted.v1':
      return { status: 'deleted', certificateId: event.data.certificateId };
    case 'certificate.expiring.v1':
      return state.status === 'stored' ? { ...state, noticesDone: [...state.noticesDone, event.data.thresholdDays] } : state;
    case 'certificate.expired.v1':
      return state.status === 'stored' ? { ...state, noticesDone: [...state.noticesDone, 0] } : state;
    default:
      return assertNever(event);
  }
}

export const certificateDecider: Decider<CertificateCommand, CertificateState, CertificateEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
