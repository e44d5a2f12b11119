import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SECRET_SEALER = Symbol('SecretSealer');

const VERSION = 'v1';

/**
 * Seals secrets (outbound HTTP auth passwords) with AES-256-GCM before they enter an event, so the event store,
 * Kafka and the read models only ever hold ciphertext. Format: `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export class SecretSealer {
  private constructor(private readonly key: Buffer) {}

  /** A 32-byte AES-256 key (see `partnerSecretsKeyFrom`). */
  static withKey(key: Buffer): SecretSealer {
    if (key.length !== 32) throw new Error('A secrets key is 32 bytes');
    return new SecretSealer(key);
  }

  /** A key nobody else has: for tests. */
  static ephemeral(): SecretSealer {
    return new SecretSealer(randomBytes(32));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  unseal(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) throw new Error('Not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
