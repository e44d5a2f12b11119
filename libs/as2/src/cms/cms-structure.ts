import { Asn1Error, readAsn1, type Asn1Element } from '@as2-partners/pki';
import { As2Error } from '../errors/as2-error';

/** Deep enough for any CMS an AS2 peer sends (certificates included), far below what the stack survives. */
const maxCmsDepth = 48;

/** A CMS structure as peers send it: BER indefinite lengths as OpenSSL streams them, zero padding tolerated. */
export function readCms(data: Buffer): Asn1Element {
  return readAsn1(data, { maxDepth: maxCmsDepth, indefiniteLengths: true, trailingZeros: true });
}

/** Runs a CMS reading step, turning a structural fault into MALFORMED_CMS naming it. */
export function readingCms<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Asn1Error) throw new As2Error('MALFORMED_CMS', `The CMS structure is malformed or truncated: ${error.message}.`);
    throw error;
  }
}
