import { SecretSealer } from './secret-sealer';

describe('SecretSealer', () => {
  const key = 'a'.repeat(64);

  it('round-trips and never contains the plaintext', () => {
    const sealer = SecretSealer.fromEnvironment({ PARTNER_SECRETS_KEY: key }, () => undefined);
    const sealed = sealer.seal('s3cret-password');
    expect(sealed).not.toContain('s3cret');
    expect(sealer.unseal(sealed)).toBe('s3cret-password');
  });

  it('uses a fresh IV each time', () => {
    const sealer = SecretSealer.ephemeral();
    expect(sealer.seal('x')).not.toBe(sealer.seal('x'));
  });

  it('refuses a tampered ciphertext and another key', () => {
    const sealer = SecretSealer.fromEnvironment({ PARTNER_SECRETS_KEY: key }, () => undefined);
    const sealed = sealer.seal('password');
    const parts = sealed.split('.');
    const tampered = [...parts.slice(0, 3), Buffer.from('other').toString('base64url')].join('.');
    expect(() => sealer.unseal(tampered)).toThrow();
    expect(() => SecretSealer.ephemeral().unseal(sealed)).toThrow();
  });

  it('warns when no key is configured and rejects a key of the wrong size', () => {
    const warnings: string[] = [];
    SecretSealer.fromEnvironment({}, (m) => warnings.push(m));
    expect(warnings[0]).toContain('PARTNER_SECRETS_KEY');
    expect(() => SecretSealer.fromEnvironment({ PARTNER_SECRETS_KEY: 'abcd' }, () => undefined)).toThrow('PARTNER_SECRETS_KEY');
  });
});
