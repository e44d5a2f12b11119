import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throw-away AS2 identity made at test time: an RSA key and its self-signed certificate, as PEM and as files. */
export interface TestIdentity {
  as2Id: string;
  keyPem: string;
  certPem: string;
  keyFile: string;
  certFile: string;
}

export async function createTestIdentity(dir: string, as2Id: string, options: { keyBits?: number; subjectAltName?: string } = {}): Promise<TestIdentity> {
  const base = join(dir, as2Id.replace(/[^A-Za-z0-9_-]/g, '_'));
  const keyFile = `${base}.key.pem`;
  const certFile = `${base}.cert.pem`;
  // OpenSSL's defaults (CA:TRUE, key identifiers) are what AS2 partners usually exchange as self-signed certificates.
  await run('openssl', [
    'req', '-x509', '-newkey', `rsa:${options.keyBits ?? 2048}`, '-nodes', '-days', '2', '-subj', `/CN=${as2Id} interop test`,
    ...(options.subjectAltName ? ['-addext', `subjectAltName=${options.subjectAltName}`] : []),
    '-keyout', keyFile, '-out', certFile,
  ]);
  return { as2Id, keyFile, certFile, keyPem: await readFile(keyFile, 'utf8'), certPem: await readFile(certFile, 'utf8') };
}
