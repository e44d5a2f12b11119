import type { EvidenceData } from '@as2-partners/certificate-lifecycle-domain';
import { apiTimestampIfIso } from '@as2-partners/platform';

/** The evidence as stored in `trust.activated.v1`: check it with `openssl ts -verify -digest <sha256> -in token.tsr -CAfile tsa.pem`. */
export function presentEvidence(evidence: EvidenceData) {
  return {
    document: evidence.document,
    sha256: evidence.sha256,
    timestamp_token: evidence.timestampToken,
    tsa_certificate: evidence.tsaCertificate,
    tsa_url: evidence.tsaUrl,
    gen_time: apiTimestampIfIso(evidence.genTime),
  };
}
