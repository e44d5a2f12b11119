import type { PartnerViewDocument } from './partner-view.document';

/**
 * An inherited partner whose tenant sends to its own URL (a `url` override) without its own outbound password: the
 * account's password goes to the master partner's URL only, so none is sent there (the outbound credential is refused
 * OUTBOUND_SECRET_UNAVAILABLE) and its view says it has none, or a tenant admin could collect the account's password.
 */
export function withholdsAccountPassword(partner: Pick<PartnerViewDocument, 'overrides'>): boolean {
  return partner.overrides?.url !== undefined && partner.overrides.httpAuth?.sealedPassword === undefined;
}
