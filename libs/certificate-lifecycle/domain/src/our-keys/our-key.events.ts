import type { CertificateData } from '../certificate/certificate.events';
import type { ActivationTrigger, EvidenceData } from '../partner-certificates/partner-certificates.events';

/** Where a key came from: generated here, or imported (PKCS#12 file, or PEM key with its certificate chain). */
export type OurKeySource = 'generated' | 'pkcs12' | 'pem';

/** What an alias does with a key: signs and decrypts (current), waits (next), only decrypts until overlap_until (previous), nothing (retired). */
export type OurKeyRole = 'current' | 'next' | 'previous' | 'retired';

/** The sealed private key's reference: its id in the sealed-key store and the SHA-256 of the sealed blob, never the blob. */
export interface SealedKeyReference {
  readonly blobId: string;
  readonly sha256: string;
}

type Evt<T extends string, D> = { readonly type: T; readonly data: D };

interface AliasFacts {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
}

export type KeyCreated = Evt<
  'key.created.v1',
  AliasFacts & {
    readonly keyId: string;
    /** `current` for a new alias, `next` for a key created as a scheduled rollover's successor. */
    readonly role: 'current' | 'next';
    readonly source: OurKeySource;
    /** The public certificate (and chain) only: the private key is in the sealed-key store. */
    readonly certificate: CertificateData;
    readonly sealedKey: SealedKeyReference;
    readonly createdAt: string;
  }
>;

export type KeyRolloverScheduled = Evt<
  'key.rollover_scheduled.v1',
  AliasFacts & {
    readonly currentKeyId: string;
    readonly nextKeyId: string;
    readonly activateAt: string;
    /** Until when the current key still decrypts after the switch (partners keep encrypting to its certificate). */
    readonly overlapUntil: string;
    readonly scheduledAt: string;
  }
>;

export type KeyRolloverActivated = Evt<
  'key.rollover_activated.v1',
  AliasFacts & {
    readonly previousKeyId: string;
    readonly keyId: string;
    /** The previous key's certificate SHA-256 and the new one's: what partners must now trust. */
    readonly previousFingerprintSha256: string;
    readonly fingerprintSha256: string;
    readonly scheduledFor: string;
    readonly activatedAt: string;
    readonly overlapUntil: string;
    /** How late the activation came after its instant (downtime): 0 when on time. */
    readonly lateByMs: number;
    readonly trigger: ActivationTrigger;
    /** A key still `previous` from an earlier rollover, now retired. */
    readonly retiredKeyId: string | null;
    /** RFC 3161-stamped proof of the activation (`keyActivationEvidenceDocument`), as a partner's `trust.activated.v1` carries; absent from events recorded before it was stamped. */
    readonly evidence?: EvidenceData | null;
  }
>;

/** A previous key's overlap ended (its `overlap_until` passed): it decrypts nothing from now on, once, with no human. */
export type KeyRetired = Evt<
  'key.retired.v1',
  AliasFacts & {
    readonly keyId: string;
    readonly fingerprintSha256: string;
    /** The end of the overlap promised to partners when the key was replaced. */
    readonly overlapUntil: string;
    readonly retiredAt: string;
    /** How late the retirement came after overlap_until (downtime): 0 when on time. */
    readonly lateByMs: number;
    readonly trigger: ActivationTrigger;
  }
>;

export type KeyDeleted = Evt<
  'key.deleted.v1',
  AliasFacts & {
    readonly keyId: string;
    readonly role: OurKeyRole;
    /** A deleted `next` key cancels the scheduled rollover. */
    readonly rolloverCancelled: boolean;
    /** `requested`: DELETE /v1/keys/{id}; `tenant_deleted`: the tenant was deleted, its keys are shredded. */
    readonly reason: 'requested' | 'tenant_deleted';
    readonly sealedKey: SealedKeyReference;
    readonly deletedAt: string;
  }
>;

export type KeyExpiring = Evt<
  'key.expiring.v1',
  AliasFacts & {
    readonly keyId: string;
    /** 30, 14, 7 or 1 days before the certificate's not_after. */
    readonly thresholdDays: number;
    readonly daysLeft: number;
    readonly notAfter: string;
    readonly fingerprintSha256: string;
    readonly evaluatedAt: string;
  }
>;

export type KeyExpired = Evt<
  'key.expired.v1',
  AliasFacts & { readonly keyId: string; readonly notAfter: string; readonly fingerprintSha256: string; readonly evaluatedAt: string }
>;

export type OurKeyEvent = KeyCreated | KeyRolloverScheduled | KeyRolloverActivated | KeyRetired | KeyDeleted | KeyExpiring | KeyExpired;

export const OUR_KEY_EVENT_TYPES = [
  'key.created.v1',
  'key.rollover_scheduled.v1',
  'key.rollover_activated.v1',
  'key.retired.v1',
  'key.deleted.v1',
  'key.expiring.v1',
  'key.expired.v1',
] as const satisfies readonly OurKeyEvent['type'][];
