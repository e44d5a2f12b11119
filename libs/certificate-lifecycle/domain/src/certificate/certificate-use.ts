/** A partner slot holding a certificate, with who owns that partner: its tenant, or null for an account master partner. */
export interface CertificateUse {
  readonly partnerId: string;
  readonly tenant: string | null;
  readonly slot: string;
  readonly role: string;
}

/** A tenant owns its own partners' uses; the account (tenant null) owns its master partners' uses. */
export function ownsEveryUse(owner: string | null, uses: readonly CertificateUse[]): boolean {
  return uses.every((use) => use.tenant === owner);
}

/** Uses a caller may be shown: its tenant's and the account's master partners'; an account-level caller sees all. */
export function usesVisibleTo(callerTenant: string | null, uses: readonly CertificateUse[]): CertificateUse[] {
  return callerTenant === null ? [...uses] : uses.filter((use) => use.tenant === null || use.tenant === callerTenant);
}
