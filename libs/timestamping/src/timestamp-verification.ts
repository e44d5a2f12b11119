import { X509Certificate } from 'node:crypto';
import { chainProblem } from './certificate-chain';
import { grantedToken } from './granted-token';
import { checkImprint, ImprintSource } from './message-imprint';
import { EXTENSION_OIDS, Oid, pemBlocksToDer } from '@as2-partners/pki';
import { TimestampError } from './timestamp-error';
import { decodeTimestampResponse } from './timestamp-response';
import { verifyTokenSignature } from './token-signature';

export interface TimestampVerificationOptions extends ImprintSource {
  /** Trust anchors (and optionally intermediates we vouch for), PEM; a bundle of several blocks per string is fine. */
  readonly trustedPem: readonly string[];
}

const bad = (message: string): TimestampError => new TimestampError('TSA_BAD_RESPONSE', message);

function certificatesOf(ders: readonly Buffer[], where: string): X509Certificate[] {
  try {
    return ders.map((der) => new X509Certificate(der));
  } catch (error) {
    throw bad(`a certificate in ${where} cannot be read: ${(error as Error).message}`);
  }
}

/** Offline check: token signature valid, signer has timeStamping EKU, chains to one of trustedPem, imprint equals sha256(data) or digestHex. */
export function verifyTimestampResponse(responseDer: Buffer, options: TimestampVerificationOptions): { genTime: Date; serialNumber: string } {
  const token = grantedToken(decodeTimestampResponse(responseDer));
  checkImprint(token.tstInfo, options);
  const trustedDer = options.trustedPem.flatMap((pem) => pemBlocksToDer(pem));
  if (trustedDer.length === 0) throw new TypeError('trustedPem holds no certificate');
  const signer = verifyTokenSignature(token, trustedDer);
  const purposes = signer.fields.extendedKeyUsageOids;
  const critical = signer.fields.extensions.get(EXTENSION_OIDS.extendedKeyUsage)?.critical;
  // RFC 3161 §2.3: the TSA certificate has exactly one key purpose, timeStamping, in a critical extension.
  if (!critical || purposes?.length !== 1 || purposes[0] !== Oid.timeStampingKeyPurpose) {
    throw bad('the signer certificate is not a TSA certificate (critical extendedKeyUsage timeStamping only)');
  }
  const problem = chainProblem(
    signer.certificate,
    certificatesOf(token.certificates, 'the token'),
    certificatesOf(trustedDer, 'trustedPem'),
    token.tstInfo.genTime,
  );
  if (problem) throw bad(`the TSA is not trusted: ${problem}`);
  return { genTime: token.tstInfo.genTime, serialNumber: token.tstInfo.serialNumber };
}
