import { KeyedMutex } from '@as2-partners/kernel';
import { generateKeyMaterial, readPemKey, readPkcs12, type KeyMaterial } from '../../keystore/key-material';
import type { KeySourceRequest } from './key-request.form';

/** The key material a request names: generated, or read from its PKCS#12 file or PEM key. */
export async function materialOf(source: KeySourceRequest, now: Date): Promise<KeyMaterial> {
  switch (source.kind) {
    case 'generate':
      return generateKeyMaterial({ keySize: source.keySize, subject: source.subject, validDays: source.validDays, now });
    case 'pkcs12':
      return readPkcs12(source.file, source.password);
    case 'pem':
      return readPemKey(source.privateKey, source.certificate, source.password);
  }
}

/**
 * One keystore's key material made one at a time (a 4096-bit generation takes seconds of a libuv thread, a PKCS#12 or
 * PEM import its key derivation): sixteen generations of one tenant filled the thread pool every tenant shares, and
 * another tenant's key waited 22 s behind them. A keystore's requests now wait behind their own.
 */
export class KeyMaterialQueue {
  private readonly turns = new KeyedMutex();

  constructor(private readonly make: (source: KeySourceRequest, now: Date) => Promise<KeyMaterial> = materialOf) {}

  materialFor(keystore: { readonly account: string; readonly tenant: string | null }, source: KeySourceRequest, now: Date): Promise<KeyMaterial> {
    return this.turns.run(`${keystore.account}|${keystore.tenant ?? ''}`, () => this.make(source, now));
  }
}
