import { X509Certificate } from 'node:crypto';

const maxChainLength = 8;

function validAt(certificate: X509Certificate, at: Date): boolean {
  return new Date(certificate.validFrom) <= at && at <= new Date(certificate.validTo);
}

function describe(certificate: X509Certificate): string {
  return certificate.subject.replace(/\n/g, ', ');
}

/**
 * Why `leaf` does not chain to one of `trusted` through `pool` at time `at`, or undefined when it does.
 * Issuers must be CAs, have signed the certificate below them, and be valid at `at`.
 */
export function chainProblem(leaf: X509Certificate, pool: readonly X509Certificate[], trusted: readonly X509Certificate[], at: Date): string | undefined {
  const isTrusted = (c: X509Certificate): boolean => trusted.some((t) => t.fingerprint256 === c.fingerprint256);
  let current = leaf;
  for (let depth = 0; depth < maxChainLength; depth++) {
    if (!validAt(current, at)) return `certificate ${describe(current)} is not valid at ${at.toISOString()}`;
    if (isTrusted(current)) return undefined;
    const issuer = [...trusted, ...pool].find((c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) return `no trusted issuer found for ${describe(current)}`;
    if (issuer.fingerprint256 === current.fingerprint256) return `self-signed ${describe(current)} is not trusted`;
    current = issuer;
  }
  return `the chain is longer than ${maxChainLength} certificates`;
}
