import { assertCriticalExtensionsRecognised } from './critical-extensions.rule';
import type { ParsedCertificate } from './parsed-certificate';
import { assertPublicExponentStrong } from './public-exponent.rule';
import { assertSignatureNotBroken } from './signature-strength.rule';
import { assertValidityStartsInUnixEra } from './validity.rule';

/**
 * What every certificate of an upload must meet, whatever it is used for. `signatureRelied` is false only for a
 * bundle's self-issued root: a root is trusted as a whole, its self-signature proves nothing.
 */
export function assertCertificateAcceptable(certificate: ParsedCertificate, signatureRelied: boolean): void {
  const subject = certificate.summary.subject;
  if (signatureRelied) {
    const { signatureAlgorithm, signatureAlgorithmOid, signatureHashOid } = certificate.facts;
    assertSignatureNotBroken({ subject, signatureAlgorithm, signatureAlgorithmOid, signatureHashOid });
  }
  assertPublicExponentStrong({ subject, publicExponent: certificate.publicKey.publicExponent });
  assertCriticalExtensionsRecognised({ subject, extensions: certificate.facts.extensions });
  assertValidityStartsInUnixEra(certificate.summary);
}
