import { SecretSealer } from './secret-sealer';

describe('SecretSealer', () => {
  const key = Buffer.from('a'.repeat(64), 'hex');

  it('round-trips and never contains the plaintext', () => {
    const sealer = SecretSealer.withKey(key);
    const sealed = sealer.seal('s3cret-password');
    expect(sealed).not.toContain('s3cret');
    expect(sealer.unseal(sealed)).toBe('s3cret-password');
  });

  it('uses a fresh IV each time', () => {
    const sealer = SecretSealer.ephemeral();
    expect(sealer.seal('x')).not.toBe(sealer.seal('x'));
  });

  it('refuses a tampered ciphertext and another key', () => {
    const sealer = SecretSealer.withKey(key);
    const sealed = sealer.seal('password');
    const parts = sealed.split('.');
    const tampered = [...parts.slice(0, 3), Buffer.from('other').toString('base64url')].join('.');
    expect(() => sealer.unseal(tampered)).toThrow();
    expect(() => SecretSealer.ephemeral().unseal(sealed)).toThrow();
  });

  it('refuses a key of the wrong size', () => expect(() => SecretSealer.withKey(Buffer.alloc(16))).toThrow('32 bytes'));
});
