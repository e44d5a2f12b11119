import type { X509Certificate } from 'node:crypto';
import { oneLine } from './one-line-name';

/**
 * Why the partner's pinned TLS certificate cannot stand as the issuer of the server's certificate, or null: an issuer
 * must be a CA certificate, valid now (RFC 5280 §6.1, as a TLS client with that trust anchor judges it: expired,
 * INVALID_PURPOSE). Pinned, the server's own certificate needs neither: it is matched by its fingerprint.
 */
export function pinnedIssuerRefusal(pinned: X509Certificate, now: number): string | null {
  const named = `the partner's pinned TLS certificate ${oneLine(pinned.subject)}`;
  if (!pinned.ca) return `${named} is no CA certificate, so it cannot issue the server's (pin the server's own certificate, or its CA's)`;
  if (Date.parse(pinned.validTo) <= now) return `${named} expired on ${new Date(pinned.validTo).toISOString()}`;
  if (Date.parse(pinned.validFrom) > now) return `${named} is not valid before ${new Date(pinned.validFrom).toISOString()}`;
  return null;
}
