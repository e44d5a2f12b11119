/** What a certificate is uploaded for (seed 002: encryption, signing, both; and tls). */
export const CERTIFICATE_USAGES = ['encryption', 'signing', 'both', 'tls'] as const;
export type CertificateUsage = (typeof CERTIFICATE_USAGES)[number];

/** `partner`: a trading partner's public certificate; `own`: one of our local identities' certificates. */
export const CERTIFICATE_TYPES = ['partner', 'own'] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];

/** A partner's three assignments (seed 000): encrypt to it, verify its signatures, trust its TLS server. */
export const SLOT_NAMES = ['encryption', 'signature', 'tls'] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

const USAGES_BY_SLOT: Readonly<Record<SlotName, readonly CertificateUsage[]>> = {
  encryption: ['encryption', 'both'],
  signature: ['signing', 'both'],
  tls: ['tls'],
};

/** The use a slot puts a certificate's key to (what the key-type rule checks a key against). */
export const KEY_USAGE_OF_SLOT: Readonly<Record<SlotName, CertificateUsage>> = { encryption: 'encryption', signature: 'signing', tls: 'tls' };

export function usageFitsSlot(usage: CertificateUsage, slot: SlotName): boolean {
  return USAGES_BY_SLOT[slot].includes(usage);
}

export function isCertificateUsage(value: unknown): value is CertificateUsage {
  return (CERTIFICATE_USAGES as readonly unknown[]).includes(value);
}

export function isSlotName(value: unknown): value is SlotName {
  return (SLOT_NAMES as readonly unknown[]).includes(value);
}
