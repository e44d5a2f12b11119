import { DEFAULT_FIREWALL, type PartnerChanges, type PartnerSettings } from '@as2-partners/partner-registry-domain';
import type { PartnerViewDocument } from './partner-view.document';
import { withholdsAccountPassword } from './withheld-account-password';
import type { PresentedPartnerCertificate } from '../partner-certificates/partner-certificate.presenter';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import type { PresentedMessageStats } from '../message-stats/message-stats.query';

/** How the account admin's routes label master partners; tenants see them as `inherited`. */
export type PresentedType = 'tenant' | 'inherited' | 'master';

/** `passwordWithheld`: the account's password is not sent to this tenant's URL (withholdsAccountPassword). */
function presentSettings(settings: PartnerSettings, passwordWithheld = false) {
  return {
    name: settings.name,
    url: settings.url,
    active: settings.active,
    sign: settings.sign,
    encrypt: settings.encrypt,
    compress: settings.compress,
    mdn_mode: settings.mdnMode,
    sign_algorithm: settings.signAlgorithm,
    encrypt_algorithm: settings.encryptAlgorithm,
    email: settings.email,
    subject: settings.subject,
    // `mode` too: seed 002's complete configuration object groups the MDN's settings, its mode with them.
    mdn: { mode: settings.mdnMode, url: settings.mdn.url, signed: settings.mdn.signed, algorithm: settings.mdn.algorithm },
    connection: {
      timeout_seconds: settings.connection.timeoutSeconds,
      retry_attempts: settings.connection.retryAttempts,
      retry_interval_seconds: settings.connection.retryIntervalSeconds,
    },
    // The password itself never leaves the service, sealed or not.
    http_auth: { enabled: settings.httpAuth.enabled, username: settings.httpAuth.username, has_password: settings.httpAuth.sealedPassword !== null && !passwordWithheld },
    station_id: settings.stationId ?? null,
    firewall: presentFirewall(settings.firewall ?? DEFAULT_FIREWALL),
  };
}

function presentFirewall(firewall: { readonly enabled: boolean; readonly allowedIps: readonly string[] }) {
  return { enabled: firewall.enabled, allowed_ips: [...firewall.allowedIps] };
}

/** The Partner object of list, create and update responses. */
export function presentPartner(doc: PartnerViewDocument, type: PresentedType = doc.type) {
  const { name, url, active, sign, encrypt, compress, mdn_mode, sign_algorithm, encrypt_algorithm, ...extra } = presentSettings(doc.settings, withholdsAccountPassword(doc));
  return {
    id: doc.partnerId,
    name,
    as2_id: doc.as2Id,
    url,
    active,
    type,
    master_partner_id: type === 'inherited' ? doc.masterPartnerId : null,
    has_overrides: type === 'inherited' ? doc.hasOverrides : false,
    sign,
    encrypt,
    compress,
    mdn_mode,
    sign_algorithm,
    encrypt_algorithm,
    // The same five settings grouped, as seed 002's complete configuration object shows them.
    security: { sign, encrypt, compress, sign_algorithm, encrypt_algorithm },
    ...extra,
    created_at: toApiTimestamp(doc.createdAt),
    updated_at: toApiTimestamp(doc.updatedAt),
  };
}

/** Certificates a partner's details list at most; GET /v1/partners/{id}/certificates pages them all. */
export const DETAILS_CERTIFICATES_SHOWN = 100;

/**
 * The certificates a partner's details (and a resolved partnership's partner) list, oldest first: every one current in a slot (what the partner's messages
 * use), then the newest others (a slot's scheduled backup, a rollover's next certificate: uploaded last), in all
 * DETAILS_CERTIFICATES_SHOWN. A partner holding hundreds answered each of them (116 KB at 500).
 */
export function shownOf(certificates: readonly PresentedPartnerCertificate[]): PresentedPartnerCertificate[] {
  if (certificates.length <= DETAILS_CERTIFICATES_SHOWN) return [...certificates];
  let others = Math.max(0, DETAILS_CERTIFICATES_SHOWN - certificates.filter((certificate) => certificate.slots.length > 0).length);
  const shown = new Set<PresentedPartnerCertificate>();
  for (let i = certificates.length - 1; i >= 0; i -= 1) {
    const certificate = certificates[i];
    if (certificate.slots.length > 0) shown.add(certificate);
    else if (others > 0) {
      others -= 1;
      shown.add(certificate);
    }
  }
  return certificates.filter((certificate) => shown.has(certificate));
}

/** GET /partners/{id}: the Partner plus what other services will feed (certificates, traffic, connectivity). */
export function presentPartnerDetails(
  doc: PartnerViewDocument,
  type: PresentedType = doc.type,
  certificates: readonly PresentedPartnerCertificate[] = [],
  messageStats: PresentedMessageStats | null = null,
  connectionStatus: { last_test: string; last_test_result: string; response_time_ms: number } | null = null,
) {
  return {
    ...presentPartner(doc, type),
    ...(type === 'inherited' ? { override_settings: presentOverrides(doc.overrides ?? {}) } : {}),
    certificates: shownOf(certificates),
    certificates_total: certificates.length,
    message_stats: messageStats,
    // The same figures in the names of seed 002's complete configuration object.
    statistics: messageStats
      ? { messages_sent: messageStats.total_sent, messages_received: messageStats.total_received, success_rate: messageStats.success_rate, last_activity: messageStats.last_message_at }
      : null,
    last_message_at: messageStats?.last_message_at ?? null,
    connection_status: connectionStatus,
  };
}

/** A tenant's overrides in the API's field names; only the fields it overrode. */
export function presentOverrides(changes: PartnerChanges): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const flat: [keyof PartnerChanges, string][] = [
    ['name', 'name'],
    ['url', 'url'],
    ['active', 'active'],
    ['sign', 'sign'],
    ['encrypt', 'encrypt'],
    ['compress', 'compress'],
    ['mdnMode', 'mdn_mode'],
    ['signAlgorithm', 'sign_algorithm'],
    ['encryptAlgorithm', 'encrypt_algorithm'],
    ['email', 'email'],
    ['subject', 'subject'],
  ];
  for (const [from, to] of flat) if (changes[from] !== undefined) out[to] = changes[from];
  if (changes.mdn) out['mdn'] = { ...changes.mdn };
  if (changes.connection) {
    const c = changes.connection;
    out['connection'] = {
      ...(c.timeoutSeconds !== undefined ? { timeout_seconds: c.timeoutSeconds } : {}),
      ...(c.retryAttempts !== undefined ? { retry_attempts: c.retryAttempts } : {}),
      ...(c.retryIntervalSeconds !== undefined ? { retry_interval_seconds: c.retryIntervalSeconds } : {}),
    };
  }
  if (changes.stationId !== undefined) out['station_id'] = changes.stationId;
  if (changes.firewall !== undefined) out['firewall'] = presentFirewall(changes.firewall);
  if (changes.httpAuth) {
    const a = changes.httpAuth;
    out['http_auth'] = {
      ...(a.enabled !== undefined ? { enabled: a.enabled } : {}),
      ...(a.username !== undefined ? { username: a.username } : {}),
      ...(a.sealedPassword !== undefined ? { has_password: a.sealedPassword !== null } : {}),
    };
  }
  return out;
}
