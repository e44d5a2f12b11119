/** Whose outbound credential a test needs: the partner as the testing tenant sees it. */
export interface OutboundAuthRef {
  readonly account: string;
  readonly tenant: string;
  readonly partnerId: string;
  readonly requestedBy: string;
}

/** The partner's HTTP basic credential, in clear only for the request it authenticates (never recorded). */
export interface OutboundCredential {
  readonly enabled: boolean;
  readonly username: string | null;
  readonly password: string | null;
}

/**
 * The partner-registry unseals a partner's outbound password (its `PartnerOutboundAuth.outboundAuth(ref)` has this
 * shape): in one process the composition provides it under PARTNER_OUTBOUND_AUTH; in its own process the tester
 * asks the registry's internal route (PARTNER_REGISTRY_URL).
 */
export interface PartnerOutboundAuthPort {
  outboundAuth(ref: OutboundAuthRef): Promise<OutboundCredential>;
}

/** A global symbol: the registry's module and the tester's meet on it without importing each other. */
export const PARTNER_OUTBOUND_AUTH = Symbol.for('as2-partners.PARTNER_OUTBOUND_AUTH');
