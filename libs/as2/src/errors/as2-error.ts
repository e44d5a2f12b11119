/** Every way an AS2 operation can fail; each maps to one MDN disposition modifier (see `mdnErrorModifierFor`). */
export type As2ErrorCode =
  | 'MALFORMED_MIME'
  | 'MALFORMED_CMS'
  | 'MALFORMED_MDN'
  | 'MISSING_AS2_HEADER'
  | 'INVALID_AS2_NAME'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED_ALGORITHM'
  | 'CERTIFICATE_INVALID'
  | 'PRIVATE_KEY_INVALID'
  | 'KEY_CERTIFICATE_MISMATCH'
  | 'RECIPIENT_MISMATCH'
  | 'DECRYPTION_FAILED'
  | 'SIGNER_UNKNOWN'
  | 'SIGNATURE_INVALID'
  | 'DIGEST_MISMATCH'
  | 'INSUFFICIENT_SECURITY'
  | 'DECOMPRESSION_FAILED'
  | 'SIZE_LIMIT_EXCEEDED'
  | 'UNEXPECTED_ERROR';

/** A failure an operator can act on: the message names the certificate, algorithm or limit involved. */
export class As2Error extends Error {
  override readonly name = 'As2Error';

  constructor(
    readonly code: As2ErrorCode,
    message: string,
    readonly details: Readonly<Record<string, string | number | boolean | undefined>> = {},
  ) {
    super(message);
  }
}

export function isAs2Error(error: unknown): error is As2Error {
  return error instanceof As2Error;
}
