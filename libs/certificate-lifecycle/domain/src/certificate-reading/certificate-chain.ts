import { invalidCertificate, invalidCertificateChain } from './certificate-reading.errors';
import { type ParsedCertificate, signatureVerifies } from './parsed-certificate';

export interface OrderedCertificates {
  readonly leaf: ParsedCertificate;
  /** Leaf's issuer first, root (or the last issuer given) last. */
  readonly chain: readonly ParsedCertificate[];
  readonly leafSelfSigned: boolean;
}

/**
 * Finds the one certificate that issues none of the others and follows issuer links from it, verifying each
 * signature with the issuer's key; every certificate of the upload must lie on that path.
 */
export function orderCertificateChain(certificates: readonly ParsedCertificate[]): OrderedCertificates {
  const unique = distinct(certificates);
  const leaf = findLeaf(unique);
  const leafSelfIssued = isSelfIssued(leaf);
  if (leafSelfIssued && !signatureVerifies(leaf, leaf)) {
    throw unique.length === 1
      ? invalidCertificate("The self-signed certificate's signature does not verify with its own key")
      : invalidCertificateChain(`The signature of "${leaf.summary.subject}" does not verify with its own key`);
  }
  const chain: ParsedCertificate[] = [];
  const onPath = new Set<ParsedCertificate>([leaf]);
  let current = leaf;
  while (!isSelfIssued(current)) {
    const issuer = findVerifiedIssuer(current, unique);
    if (!issuer) break;
    if (onPath.has(issuer)) throw invalidCertificateChain('The certificates issue each other in a cycle');
    assertMayIssueCertificates(issuer);
    if (isSelfIssued(issuer) && !signatureVerifies(issuer, issuer)) {
      throw invalidCertificateChain(`The signature of "${issuer.summary.subject}" does not verify with its own key`);
    }
    chain.push(issuer);
    onPath.add(issuer);
    current = issuer;
  }
  const stray = unique.find((certificate) => !onPath.has(certificate));
  if (stray) throw invalidCertificateChain(`The certificate "${stray.summary.subject}" is not on the leaf certificate's chain`);
  return { leaf, chain, leafSelfSigned: leafSelfIssued };
}

function distinct(certificates: readonly ParsedCertificate[]): ParsedCertificate[] {
  const seen = new Map<string, ParsedCertificate>();
  for (const certificate of certificates) seen.set(certificate.summary.fingerprintSha256, certificate);
  return [...seen.values()];
}

function findLeaf(certificates: readonly ParsedCertificate[]): ParsedCertificate {
  if (certificates.length === 1) return certificates[0];
  const leaves = certificates.filter((candidate) => !certificates.some((other) => other !== candidate && other.summary.issuer === candidate.summary.subject));
  if (leaves.length === 0) throw invalidCertificateChain('The certificates issue each other in a cycle; no leaf certificate found');
  if (leaves.length > 1) throw invalidCertificateChain(`The upload holds ${leaves.length} unrelated leaf certificates; upload one certificate with its chain`);
  return leaves[0];
}

function findVerifiedIssuer(certificate: ParsedCertificate, certificates: readonly ParsedCertificate[]): ParsedCertificate | undefined {
  const named = certificates.filter((candidate) => candidate !== certificate && candidate.summary.subject === certificate.summary.issuer);
  if (named.length === 0) return undefined;
  const verified = named.filter((candidate) => signatureVerifies(certificate, candidate));
  if (verified.length === 0) {
    throw invalidCertificateChain(`The signature of "${certificate.summary.subject}" does not verify with the key of its issuer "${certificate.summary.issuer}"`);
  }
  if (verified.length > 1) throw invalidCertificateChain(`Several certificates in the upload could have issued "${certificate.summary.subject}"`);
  return verified[0];
}

/** node-forge's own verifier once skipped this check (CVE-2026-33896): an issuer must be a CA allowed to sign certificates. */
function assertMayIssueCertificates(issuer: ParsedCertificate): void {
  const legacyV1 = issuer.facts.version < 3;
  if (!legacyV1 && !issuer.facts.isCa) {
    throw invalidCertificateChain(`"${issuer.summary.subject}" issues another certificate of the upload but is not a CA (basicConstraints)`);
  }
  if (issuer.facts.keyUsage && !issuer.facts.keyUsage.includes('keyCertSign')) {
    throw invalidCertificateChain(`"${issuer.summary.subject}" issues another certificate of the upload but its keyUsage lacks keyCertSign`);
  }
}

function isSelfIssued(certificate: ParsedCertificate): boolean {
  return certificate.summary.subject === certificate.summary.issuer;
}
