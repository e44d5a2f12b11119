import * as crypto from 'node:crypto';
import * as forge from 'node-forge';
import { As2Certificate } from './certificate';
import type { As2KeyPair } from './private-key';

export interface SelfSignedIdentity {
  readonly keyPair: As2KeyPair;
  /** PKCS#8 PEM; write it only to a protected file, never log it. */
  readonly privateKeyPem: string;
  readonly certificatePem: string;
}

export interface SelfSignedIdentityOptions {
  readonly commonName: string;
  readonly organization?: string;
  readonly keyBits?: number;
  readonly validFrom?: Date;
  readonly validDays?: number;
  readonly serialNumber?: string;
}

/** A fresh RSA key and self-signed certificate, for tests and for a local test partner (keys made by Node, certificate by forge). */
export function createSelfSignedIdentity(options: SelfSignedIdentityOptions): SelfSignedIdentity {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: options.keyBits ?? 2048 });
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = options.serialNumber ?? '01' + crypto.randomBytes(8).toString('hex');
  const from = options.validFrom ?? new Date(Date.now() - 60_000);
  cert.validity.notBefore = from;
  cert.validity.notAfter = new Date(from.getTime() + (options.validDays ?? 365) * 86_400_000);
  const attrs = [{ shortName: 'CN', value: options.commonName }, ...(options.organization ? [{ shortName: 'O', value: options.organization }] : [])];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, dataEncipherment: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(forgeKey, forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(cert);
  return { keyPair: { privateKey, certificate: As2Certificate.from(certificatePem) }, privateKeyPem, certificatePem };
}
