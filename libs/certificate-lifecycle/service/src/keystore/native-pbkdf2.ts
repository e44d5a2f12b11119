import * as nodeCrypto from 'node:crypto';
import * as forge from 'node-forge';

/** The PBKDF2 pseudo-random functions OpenSSL derives with, by forge's digest names. */
const NATIVE_DIGESTS: ReadonlySet<string> = new Set(['sha1', 'sha224', 'sha256', 'sha384', 'sha512']);

type Pbkdf2 = (password: string, salt: string, iterations: number, keyLength: number, digest?: unknown, callback?: unknown) => string;

let installed = false;

/**
 * forge reads a PKCS#12 file's PBES2 parts (what OpenSSL 3 and keytool write) deriving each key with PBKDF2 in
 * JavaScript when it is handed a digest object: ~0.4 s for 10,000 HMAC-SHA-384 iterations, on the event loop, and a
 * file may ask for several. The same derivation by OpenSSL takes a fiftieth of that and gives the same bytes: forge's
 * synchronous PBKDF2 with a digest OpenSSL has is done by it. Installed once, for the process.
 */
export function deriveForgeKeysNatively(): void {
  if (installed) return;
  installed = true;
  const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: Pbkdf2 };
  const inJavaScript = pkcs5.pbkdf2;
  pkcs5.pbkdf2 = (password, salt, iterations, keyLength, digest, callback) => {
    const name = typeof digest === 'object' && digest !== null ? (digest as { algorithm?: unknown }).algorithm : undefined;
    if (callback === undefined && typeof name === 'string' && NATIVE_DIGESTS.has(name)) {
      return nodeCrypto.pbkdf2Sync(Buffer.from(password, 'binary'), Buffer.from(salt, 'binary'), iterations, keyLength, name).toString('binary');
    }
    return inJavaScript(password, salt, iterations, keyLength, digest, callback);
  };
}
