import { Oid } from '@as2-partners/pki';

export interface HashAlgorithm {
  readonly oid: string;
  /** Name for node:crypto createHash. */
  readonly nodeName: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  readonly length: number;
}

/** The imprint algorithms our TSA accepts; anything else (md5, sha224…) gets failInfo badAlg. */
const accepted: readonly HashAlgorithm[] = [
  { oid: Oid.sha1, nodeName: 'sha1', length: 20 },
  { oid: Oid.sha256, nodeName: 'sha256', length: 32 },
  { oid: Oid.sha384, nodeName: 'sha384', length: 48 },
  { oid: Oid.sha512, nodeName: 'sha512', length: 64 },
];

export function hashAlgorithmByOid(oid: string): HashAlgorithm | undefined {
  return accepted.find((a) => a.oid === oid);
}

export const sha256Algorithm = accepted[1];
