import { Oid } from '@as2-partners/pki';
import { As2Error } from '../errors/as2-error';

/** Digest (and MIC) algorithms AS2 signs with, by their Node `crypto` names. */
export type DigestAlgorithm = 'sha1' | 'sha256' | 'sha384' | 'sha512';
export const digestAlgorithms: readonly DigestAlgorithm[] = ['sha1', 'sha256', 'sha384', 'sha512'];

/** Content-encryption ciphers for CMS enveloped-data, by their Node `crypto` names. */
export type ContentCipher = 'des-ede3-cbc' | 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc';
export const contentCiphers: readonly ContentCipher[] = ['des-ede3-cbc', 'aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc'];

const digestOids: Record<DigestAlgorithm, string> = {
  sha1: Oid.sha1,
  sha256: Oid.sha256,
  sha384: Oid.sha384,
  sha512: Oid.sha512,
};

const signatureOids: Record<DigestAlgorithm, string> = {
  sha1: Oid.sha1WithRsa,
  sha256: Oid.sha256WithRsa,
  sha384: Oid.sha384WithRsa,
  sha512: Oid.sha512WithRsa,
};

interface CipherSpec {
  oid: string;
  keyLength: number;
  ivLength: number;
}

const cipherSpecs: Record<ContentCipher, CipherSpec> = {
  'des-ede3-cbc': { oid: Oid.desEde3Cbc, keyLength: 24, ivLength: 8 },
  'aes-128-cbc': { oid: Oid.aes128Cbc, keyLength: 16, ivLength: 16 },
  'aes-192-cbc': { oid: Oid.aes192Cbc, keyLength: 24, ivLength: 16 },
  'aes-256-cbc': { oid: Oid.aes256Cbc, keyLength: 32, ivLength: 16 },
};

const knownNames: Record<string, string> = {
  [Oid.md5]: 'MD5',
  [Oid.rc2Cbc]: 'RC2-CBC',
  [Oid.rsaesOaep]: 'RSAES-OAEP',
  [Oid.rsassaPss]: 'RSASSA-PSS',
};

function describeOid(oid: string): string {
  return knownNames[oid] ? `${knownNames[oid]} (${oid})` : oid;
}

export function digestOid(algorithm: DigestAlgorithm): string {
  return digestOids[algorithm];
}

export function signatureOid(algorithm: DigestAlgorithm): string {
  return signatureOids[algorithm];
}

export function digestFromOid(oid: string, context: string): DigestAlgorithm {
  const found = digestAlgorithms.find((a) => digestOids[a] === oid || signatureOids[a] === oid);
  if (!found) {
    throw new As2Error(
      'UNSUPPORTED_ALGORITHM',
      `${context} uses digest algorithm ${describeOid(oid)}; supported: SHA-1, SHA-256, SHA-384, SHA-512.`,
      { oid },
    );
  }
  return found;
}

export function cipherSpec(cipher: ContentCipher): CipherSpec {
  return cipherSpecs[cipher];
}

export function cipherFromOid(oid: string): ContentCipher {
  const found = contentCiphers.find((c) => cipherSpecs[c].oid === oid);
  if (!found) {
    throw new As2Error(
      'UNSUPPORTED_ALGORITHM',
      `The message is encrypted with ${describeOid(oid)}; supported: 3DES (des-ede3-cbc), AES-128/192/256-CBC.`,
      { oid },
    );
  }
  return found;
}

/** AS2 / S/MIME micalg spelling: RFC 3851 wrote "sha1", RFC 5751 "sha-256" and so on. */
export function micAlgorithmName(algorithm: DigestAlgorithm): string {
  return algorithm === 'sha1' ? 'sha1' : `sha-${algorithm.slice(3)}`;
}

/** Accepts every spelling seen in the wild: sha1, sha-1, SHA256, sha-256, rsa-sha256 … */
export function parseMicAlgorithm(name: string): DigestAlgorithm | undefined {
  const normalized = name.trim().toLowerCase().replace(/^rsa-/, '').replace(/-/g, '');
  return digestAlgorithms.find((a) => a === normalized);
}

export function assertDigestAlgorithm(value: string, what: string): DigestAlgorithm {
  if ((digestAlgorithms as readonly string[]).includes(value)) return value as DigestAlgorithm;
  throw new As2Error('UNSUPPORTED_ALGORITHM', `${what} "${value}" is not supported; use one of ${digestAlgorithms.join(', ')}.`);
}

export function assertContentCipher(value: string, what: string): ContentCipher {
  if ((contentCiphers as readonly string[]).includes(value)) return value as ContentCipher;
  throw new As2Error('UNSUPPORTED_ALGORITHM', `${what} "${value}" is not supported; use one of ${contentCiphers.join(', ')}.`);
}
