import { withoutCredentialEcho } from './credential-echo';

describe('withoutCredentialEcho', () => {
  const authorization = `Basic ${Buffer.from('acme-user:S3cret-pass', 'utf8').toString('base64')}`;

  it('replaces every form of the credential the test sent', () => {
    expect(withoutCredentialEcho(`echo/1.0 (${authorization})`, authorization)).toBe('echo/1.0 ([redacted])');
    expect(withoutCredentialEcho(`token ${authorization.slice(6)}`, authorization)).toBe('token [redacted]');
    expect(withoutCredentialEcho('you sent acme-user:S3cret-pass', authorization)).toBe('you sent [redacted]');
    expect(withoutCredentialEcho('password=S3cret-pass;', authorization)).toBe('password=[redacted];');
  });

  it('leaves a text without an echo, or a test without a credential, as it is', () => {
    expect(withoutCredentialEcho('Apache/2.4', authorization)).toBe('Apache/2.4');
    expect(withoutCredentialEcho('S3cret-pass', null)).toBe('S3cret-pass');
  });
});
