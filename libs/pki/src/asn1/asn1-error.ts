/** Why a structure was refused; callers map it to their own coded errors (MALFORMED_CMS, INVALID_CERTIFICATE, a PKIStatus…). */
export type Asn1ErrorReason =
  | 'truncated'
  | 'overrun'
  | 'too-deep'
  | 'indefinite-length'
  | 'oversized-length'
  | 'non-minimal-length'
  | 'high-tag'
  | 'trailing-data'
  | 'malformed';

/** Thrown for any structure that is not the ASN.1 the caller expects; framework-free so every layer can catch it. */
export class Asn1Error extends Error {
  override readonly name = 'Asn1Error';

  constructor(
    message: string,
    readonly reason: Asn1ErrorReason = 'malformed',
  ) {
    super(message);
  }
}

export function malformed(message: string): Asn1Error {
  return new Asn1Error(message);
}
