import { assertNever, type Decider } from '@as2-partners/kernel';
import { certificateInUse, certificateNotFound } from '../certificate-lifecycle.errors';
import type { CertificateType, CertificateUsage } from '../certificate-usage';
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

export interface SlotUse {
  readonly partnerId: string;
  readonly slot: string;
  readonly role: string;
}

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
  /** A partner it belonged to was deleted; `stillUsedBy` are other partners' slots that keep it alive. */
  | { readonly type: 'deactivate'; readonly partnerId: string; readonly stillUsedBy: readonly SlotUse[]; readonly now: string }
  | { readonly type: 'retire'; readonly partnerId: string; readonly forced: boolean; readonly reason: string | null; readonly now: string }
  | { readonly type: 'delete'; readonly usedBy: readonly SlotUse[]; readonly now: string }
  | { readonly type: 'evaluate_expiry'; readonly now: string };

function requireStored(state: CertificateState, certificateId: string) {
  if (state.status !== 'stored') throw certificateNotFound(certificateId);
  return state;
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
      if (state.status !== 'stored' || !state.active || command.stillUsedBy.length > 0) return [];
      return [
        {
          type: 'certificate.deactivated.v1',
          data: { certificateId: state.record.certificateId, partnerId: command.partnerId, reason: 'partner_deleted', deactivatedAt: command.now },
        },
      ];
    }
    case 'retire': {
      if (state.status !== 'stored' || !state.active) return [];
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
      if (command.usedBy.length > 0) throw certificateInUse(stored.record.certificateId, command.usedBy);
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
      return state;
  }
}

export const certificateDecider: Decider<CertificateCommand, CertificateState, CertificateEvent> = {
  initialState: () => ({ status: 'none' }),
  decide,
  evolve,
};
