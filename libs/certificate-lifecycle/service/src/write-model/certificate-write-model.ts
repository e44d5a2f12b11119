import { Injectable } from '@nestjs/common';
import {
  certificateDecider,
  certificateDirectoryDecider,
  type CertificateDirectoryCommand,
  type CertificateDirectoryEvent,
  type CertificateDirectoryState,
  certificateNotFound,
  CertificateLifecycleStreams,
  partnerCertificatesDecider,
  type CertificateCommand,
  type CertificateFacts,
  type CertificateRecord,
  type CertificateState,
  type PartnerCertificatesCommand,
  type PartnerCertificatesState,
} from '@as2-partners/certificate-lifecycle-domain';
import { DirectoryReservations, KeyedMutex, WriteModel, type EventMetadata, type EventStore, type ReservationDirectory } from '@as2-partners/kernel';
import { CERTIFICATE_ID_PATTERN } from './certificate-id';

export interface StoredCertificate {
  readonly record: CertificateRecord;
  readonly active: boolean;
}

/** Load-decide-append on this context's streams. */
@Injectable()
export class CertificateWriteModel {
  readonly store: EventStore;
  /** Reservations on a tenant's (or the account's) certificate directory: the storage limit of its plan. */
  readonly reservations: DirectoryReservations;
  private readonly certificateTurns = new KeyedMutex();

  constructor(readonly writeModel: WriteModel) {
    this.store = writeModel.store;
    this.reservations = new DirectoryReservations(writeModel);
  }

  /**
   * One decision resting on a certificate at a time (in this process): a delete, which checks that no slot uses it, and
   * each assignment, which checks that it is still stored, run their check and their append in turn, so a delete
   * cannot pass between an assignment's check and its append (a slot left holding a deleted certificate).
   */
  withCertificate<T>(certificateId: string, work: () => Promise<T>): Promise<T> {
    return this.certificateTurns.run(certificateId, work);
  }

  /** A stored certificate the scope may use (its tenant's or the account's), from the write model. */
  async certificate(scope: { account: string; tenant: string | null }, certificateId: string): Promise<StoredCertificate> {
    if (!CERTIFICATE_ID_PATTERN.test(certificateId)) throw certificateNotFound(certificateId);
    const { state } = await this.writeModel.load(CertificateLifecycleStreams.certificate(certificateId), certificateDecider);
    if (state.status !== 'stored' || state.record.account !== scope.account) throw certificateNotFound(certificateId);
    if (state.record.tenant !== null && state.record.tenant !== scope.tenant) throw certificateNotFound(certificateId);
    return { record: state.record, active: state.active };
  }

  async certificateState(certificateId: string): Promise<CertificateState> {
    return (await this.writeModel.load(CertificateLifecycleStreams.certificate(certificateId), certificateDecider)).state;
  }

  async partnerState(partnerId: string): Promise<PartnerCertificatesState> {
    return (await this.writeModel.load(CertificateLifecycleStreams.partnerCertificates(partnerId), partnerCertificatesDecider)).state;
  }

  /**
   * The certificates stored under a tenant (or, tenant null, the account). No reservation is judged stale: the
   * directory's state keeps no reservation times, so one left by a crash between reserving and storing still counts.
   */
  directory(account: string, tenant: string | null): ReservationDirectory<CertificateDirectoryCommand, CertificateDirectoryState, CertificateDirectoryEvent> {
    return {
      stream: CertificateLifecycleStreams.directory(account, tenant),
      decider: certificateDirectoryDecider,
      blockers: () => [],
      holderStatus: async (certificateId) => {
        const { status } = await this.certificateState(certificateId);
        return status === 'stored' ? 'active' : status;
      },
    };
  }

  decidePartner(partnerId: string, command: (state: PartnerCertificatesState) => PartnerCertificatesCommand | Promise<PartnerCertificatesCommand>, metadata: EventMetadata) {
    return this.writeModel.decide(CertificateLifecycleStreams.partnerCertificates(partnerId), partnerCertificatesDecider, command, metadata);
  }

  /** `idempotent`: a request's command id (its Idempotency-Key), which the events then carry. */
  decideCertificate(certificateId: string, command: (state: CertificateState) => CertificateCommand, metadata: EventMetadata, idempotent: { readonly commandId?: string } = {}) {
    return this.writeModel.decide(CertificateLifecycleStreams.certificate(certificateId), certificateDecider, command, metadata, idempotent);
  }
}

export function factsOf(stored: StoredCertificate): CertificateFacts {
  const { record } = stored;
  return {
    certificateId: record.certificateId,
    name: record.name,
    type: record.type,
    usage: record.usage,
    subject: record.certificate.subject,
    notBefore: record.certificate.notBefore,
    notAfter: record.certificate.notAfter,
    fingerprintSha256: record.certificate.fingerprintSha256,
    createdAt: record.createdAt,
    active: stored.active,
  };
}
