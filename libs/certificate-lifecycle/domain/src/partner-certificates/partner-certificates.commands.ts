import type { SlotName } from '../certificate-usage';
import type { ActivationTrigger, AttachedCertificate, EvidenceData } from './partner-certificates.events';

/** A certificate as the command's caller found it in the certificate store. */
export interface CertificateFacts extends AttachedCertificate {
  readonly active: boolean;
}

export interface PartnerRef {
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
  | (PartnerRef & {
      readonly type: 'activate_due_backups';
      readonly trigger: ActivationTrigger;
      /** The due backups' certificates as the store holds them now; one missing, inactive or not valid now is cancelled, not activated. */
      readonly backupCertificates: readonly CertificateFacts[];
      /** Slots whose due backup's key no longer suits the partner's signing algorithm (`keyRefusal`): cancelled too. */
      readonly keyRefusedSlots?: readonly SlotName[];
      readonly now: string;
    })
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
  | (PartnerRef & { readonly type: 'remove_partner'; readonly now: string })
  /**
   * A partner created with `certificate_id`: the certificate goes to the encryption and signature slots its usage
   * fits, or the link is refused by an event. `certificate` null: not found in the partner's scope; `refusal`: a check
   * the caller made outside the decider (the key against the partner's algorithm) failed.
   */
  | (PartnerRef & {
      readonly type: 'link_on_create';
      readonly certificateId: string;
      readonly certificate: CertificateFacts | null;
      readonly refusal: { readonly code: string; readonly reason: string } | null;
      readonly now: string;
    });

/** The commands one part of the decider handles. */
export type PartnerCertificatesCommandOf<T extends PartnerCertificatesCommand['type']> = Extract<PartnerCertificatesCommand, { readonly type: T }>;
