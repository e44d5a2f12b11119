import type { DigestAlgorithm } from '../crypto/algorithms';
import { rsaSign } from '../crypto/crypto-primitives';
import type { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';

/** What a signer returns: the RSA signature and the certificates of the key that made it (the signer's first, then its chain). */
export interface As2Signature {
  /** RSASSA-PKCS1-v1_5 signature value over the DER SET OF signed attributes. */
  readonly signature: Buffer;
  readonly certificates: readonly [As2Certificate, ...As2Certificate[]];
}

/**
 * Signs as one of our identities wherever its private key lives (this process, a keystore service, an HSM): the CMS
 * SignedData is assembled by this library, only the signature over the signed attributes is computed by the signer.
 */
export interface As2Signer {
  /** `signedAttributes` is the DER SET OF (content-type, signing-time, message-digest) the signature covers. */
  signAttributes(signedAttributes: Buffer, algorithm: DigestAlgorithm): Promise<As2Signature>;
}

/** The in-process implementation: a key pair held in memory. */
export function keyPairSigner(keyPair: As2KeyPair, chain: readonly As2Certificate[] = keyPair.chain ?? []): As2Signer {
  return {
    signAttributes: async (signedAttributes, algorithm) => ({
      signature: rsaSign(algorithm, signedAttributes, keyPair.privateKey),
      certificates: [keyPair.certificate, ...chain],
    }),
  };
}
