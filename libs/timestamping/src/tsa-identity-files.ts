import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { derToPem, pemBlocksToDer } from '@as2-partners/pki';
import { createTsaIdentity, TsaIdentity } from './tsa-identity';

const fileNames = { key: 'tsa-key.pem', certificate: 'tsa-cert.pem', chain: 'tsa-chain.pem' } as const;

function writeAtomically(path: string, content: string, mode: number): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode });
  chmodSync(temporary, mode);
  renameSync(temporary, path);
}

function readIdentity(dir: string): TsaIdentity {
  const identity: TsaIdentity = {
    privateKeyPem: readFileSync(join(dir, fileNames.key), 'utf8'),
    certificatePem: readFileSync(join(dir, fileNames.certificate), 'utf8'),
    chainPem: pemBlocksToDer(readFileSync(join(dir, fileNames.chain), 'utf8')).map((d) => derToPem(d)),
  };
  const certificateKey = new X509Certificate(identity.certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  const keyOfPrivateKey = createPublicKey(createPrivateKey(identity.privateKeyPem)).export({ type: 'spki', format: 'der' });
  // A half-written or mixed-up directory would sign tokens no verifier accepts: refuse it at start-up.
  if (!certificateKey.equals(keyOfPrivateKey)) {
    throw new Error(`${join(dir, fileNames.key)} does not belong to the certificate in ${join(dir, fileNames.certificate)}`);
  }
  if (identity.chainPem.length === 0) throw new Error(`${join(dir, fileNames.chain)} holds no certificate`);
  return identity;
}

/** Reads `<dir>/tsa-key.pem`, `<dir>/tsa-cert.pem`, `<dir>/tsa-chain.pem`, or creates and writes them (key file mode 0600). */
export function loadOrCreateTsaIdentity(dir: string): TsaIdentity {
  const present = Object.values(fileNames).filter((name) => existsSync(join(dir, name)));
  if (present.length === 3) return readIdentity(dir);
  if (present.length > 0) {
    throw new Error(`${dir} holds ${present.join(', ')} but not all of ${Object.values(fileNames).join(', ')}: remove them or restore the missing ones`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const identity = createTsaIdentity();
  writeAtomically(join(dir, fileNames.chain), identity.chainPem.join(''), 0o644);
  writeAtomically(join(dir, fileNames.certificate), identity.certificatePem, 0o644);
  writeAtomically(join(dir, fileNames.key), identity.privateKeyPem, 0o600);
  return identity;
}
