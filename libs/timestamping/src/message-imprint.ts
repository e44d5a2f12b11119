import { createHash } from 'node:crypto';
import { hashAlgorithmByOid } from './hash-algorithms';
import { TimestampError } from './timestamp-error';
import { TstInfo } from './tst-info';

/** What a token is expected to stamp: the document itself, or its digest in hex. */
export interface ImprintSource {
  readonly data?: Buffer | string;
  readonly digestHex?: string;
}

function digestFromHex(digestHex: string): Buffer {
  if (!/^([0-9a-fA-F]{2})+$/.test(digestHex)) throw new TypeError('digestHex must be an even number of hex digits');
  return Buffer.from(digestHex, 'hex');
}

/** The SHA-256 imprint a client sends: sha256(data), or the given 64-hex-digit digest. */
export function sha256ImprintOf(source: ImprintSource): Buffer {
  if (source.data !== undefined) return createHash('sha256').update(source.data).digest();
  if (source.digestHex === undefined) throw new TypeError('data or digestHex is required');
  const digest = digestFromHex(source.digestHex);
  if (digest.length !== 32) throw new TypeError(`digestHex must be a SHA-256 digest (64 hex digits), got ${source.digestHex.length}`);
  return digest;
}

/** Throws TimestampError TSA_BAD_RESPONSE unless the token's imprint is of `source`. */
export function checkImprint(tstInfo: TstInfo, source: ImprintSource): void {
  const algorithm = hashAlgorithmByOid(tstInfo.hashAlgorithmOid);
  if (!algorithm) throw new TimestampError('TSA_BAD_RESPONSE', `the token's imprint uses unsupported algorithm ${tstInfo.hashAlgorithmOid}`);
  let expected: Buffer;
  if (source.data !== undefined) expected = createHash(algorithm.nodeName).update(source.data).digest();
  else if (source.digestHex !== undefined) expected = digestFromHex(source.digestHex);
  else throw new TypeError('data or digestHex is required');
  if (!expected.equals(tstInfo.hashedMessage)) {
    throw new TimestampError('TSA_BAD_RESPONSE', `the token stamps ${algorithm.nodeName} ${tstInfo.hashedMessage.toString('hex')}, not the given document`);
  }
}
