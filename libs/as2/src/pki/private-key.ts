import * as crypto from 'node:crypto';
import { As2Error } from '../errors/as2-error';
import { As2Certificate } from './certificate';

/** A private key with the certificate that publishes its public half: signs and decrypts as that certificate. */
export interface As2KeyPair {
  readonly privateKey: crypto.KeyObject;
  readonly certificate: As2Certificate;
  /**
   * The certificate's issuers (its issuer first) a signature carries beside it, so a partner that trusts only the root
   * can verify; none for a self-signed certificate.
   */
  readonly chain?: readonly As2Certificate[];
}

export interface KeyPairInput {
  /** PEM (PKCS#1 or PKCS#8, optionally encrypted) or a KeyObject. */
  readonly privateKey: string | Buffer | crypto.KeyObject;
  readonly passphrase?: string;
  readonly certificate: string | Buffer | As2Certificate;
}

export function loadPrivateKey(input: string | Buffer | crypto.KeyObject, passphrase?: string): crypto.KeyObject {
  if (input instanceof crypto.KeyObject) return input;
  try {
    const key = crypto.createPrivateKey({ key: input, passphrase });
    if (key.asymmetricKeyType !== 'rsa') {
      throw new As2Error('PRIVATE_KEY_INVALID', `The private key is of type ${key.asymmetricKeyType}; AS2 here needs an RSA key.`);
    }
    return key;
  } catch (error) {
    if (error instanceof As2Error) throw error;
    // The key material itself never goes into the message.
    throw new As2Error('PRIVATE_KEY_INVALID', `The private key could not be read (${(error as { code?: string }).code ?? 'unreadable'}); check the PEM text and passphrase.`);
  }
}

/** Loads a key pair and checks that the key belongs to the certificate, naming the certificate if not. */
export function loadKeyPair(input: KeyPairInput | As2KeyPair): As2KeyPair {
  const certificate = As2Certificate.from(input.certificate);
  const privateKey = loadPrivateKey(input.privateKey, 'passphrase' in input ? input.passphrase : undefined);
  const fromKey = crypto.createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const fromCert = certificate.publicKey.export({ format: 'der', type: 'spki' });
  if (!fromKey.equals(fromCert)) {
    throw new As2Error('KEY_CERTIFICATE_MISMATCH', `The private key does not belong to the certificate ${certificate.describe()}.`, {
      certificate: certificate.fingerprint,
    });
  }
  return { privateKey, certificate };
}
