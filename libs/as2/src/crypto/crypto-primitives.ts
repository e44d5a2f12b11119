import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import { As2Error } from '../errors/as2-error';
import type { ContentCipher, DigestAlgorithm } from './algorithms';

// All heavy math goes through Node's crypto (OpenSSL): measured here RSA-2048 ~66× and AES ~100× faster than node-forge.

export function digest(algorithm: DigestAlgorithm, chunks: readonly Buffer[]): Buffer {
  const hash = crypto.createHash(algorithm);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest();
}

/** RSASSA-PKCS1-v1_5 over `data` (Node hashes it and builds the DigestInfo). */
export function rsaSign(algorithm: DigestAlgorithm, data: Buffer, key: crypto.KeyObject): Buffer {
  return crypto.sign(algorithm, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING });
}

export function rsaVerify(algorithm: DigestAlgorithm, data: Buffer, key: crypto.KeyObject, signature: Buffer): boolean {
  try {
    return crypto.verify(algorithm, data, { key, padding: crypto.constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
}

export function rsaEncryptKey(publicKey: crypto.KeyObject, contentKey: Buffer): Buffer {
  return crypto.publicEncrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, contentKey);
}

/**
 * RSAES-PKCS1-v1_5 key transport unwrap with implicit rejection (RFC 3218 §2.3.2, as OpenSSL ≥ 3.2 does).
 * Node 20 refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809, the Marvin attack), so we
 * decrypt raw (RSA_NO_PADDING, still OpenSSL) and check the padding without branching on secret bytes;
 * on bad padding or a wrong key length we return a key derived from the ciphertext, so the failure only
 * shows later as undecryptable content, the same way as a wrong key: no padding oracle.
 */
export function rsaDecryptKey(privateKey: crypto.KeyObject, encryptedKey: Buffer, expectedLength: number): Buffer {
  const modulusBytes = Math.ceil((privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  const rejectionKey = crypto
    .createHmac('sha256', privateKey.export({ format: 'der', type: 'pkcs8' }))
    .update(encryptedKey)
    .digest();
  const synthetic = Buffer.alloc(expectedLength);
  for (let i = 0; i < expectedLength; i++) synthetic[i] = rejectionKey[i % rejectionKey.length] ^ (i >> 5);
  if (encryptedKey.length !== modulusBytes) return synthetic;
  let block: Buffer;
  try {
    block = crypto.privateDecrypt({ key: privateKey, padding: crypto.constants.RSA_NO_PADDING }, encryptedKey);
  } catch {
    return synthetic;
  }
  // Constant-time scan: find the first zero separator after the 0x00 0x02 prefix and at least 8 padding bytes.
  let good = (block[0] === 0 ? 1 : 0) & (block[1] === 2 ? 1 : 0);
  let separator = 0;
  let found = 0;
  for (let i = 2; i < block.length; i++) {
    const isZero = block[i] === 0 ? 1 : 0;
    const first = isZero & (found ^ 1);
    separator = first ? i : separator;
    found |= isZero;
  }
  good &= found & (separator >= 10 ? 1 : 0) & (block.length - separator - 1 === expectedLength ? 1 : 0);
  const out = Buffer.alloc(expectedLength);
  const start = block.length - expectedLength;
  for (let i = 0; i < expectedLength; i++) out[i] = good ? block[start + i] : synthetic[i];
  return out;
}

export function randomBytes(length: number): Buffer {
  return crypto.randomBytes(length);
}

export function encrypt(cipher: ContentCipher, key: Buffer, iv: Buffer, chunks: readonly Buffer[]): Buffer[] {
  const c = crypto.createCipheriv(cipher, key, iv);
  const out = chunks.map((chunk) => c.update(chunk));
  out.push(c.final());
  return out;
}

/** CBC decryption; the PKCS#7 padding is checked here so the plaintext stays a view of one buffer. */
export function decrypt(cipher: ContentCipher, key: Buffer, iv: Buffer, data: Buffer, blockSize: number): Buffer | undefined {
  if (data.length === 0 || data.length % blockSize !== 0) return undefined;
  const d = crypto.createDecipheriv(cipher, key, iv);
  d.setAutoPadding(false);
  const head = d.update(data);
  const tail = d.final();
  const plain = tail.length === 0 ? head : Buffer.concat([head, tail]);
  const pad = plain[plain.length - 1];
  if (pad < 1 || pad > blockSize) return undefined;
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return undefined;
  return plain.subarray(0, plain.length - pad);
}

export function deflate(chunks: readonly Buffer[]): Buffer {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  return zlib.deflateSync(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks as Buffer[], total));
}

export function inflate(data: Buffer, maxOutputBytes: number): Buffer {
  try {
    return zlib.inflateSync(data, { maxOutputLength: maxOutputBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new As2Error(
        'SIZE_LIMIT_EXCEEDED',
        `The compressed content expands beyond the limit of ${maxOutputBytes} bytes (maxPayloadBytes).`,
        { limit: maxOutputBytes },
      );
    }
    throw new As2Error('DECOMPRESSION_FAILED', `The compressed content is not valid zlib data: ${(error as Error).message}.`);
  }
}
