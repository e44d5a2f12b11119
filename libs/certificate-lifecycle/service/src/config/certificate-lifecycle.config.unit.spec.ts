import { join } from 'node:path';
import { certificateLifecycleConfigFrom } from './certificate-lifecycle.config';

describe('certificateLifecycleConfigFrom', () => {
  it('defaults: bundled TSA under DATA_DIR, scheduler every second, expiry daily', () =>
    expect(certificateLifecycleConfigFrom({}, '/data', 'embedded')).toEqual({
      tsaUrl: null,
      tsaCertificateFile: null,
      bundledTsaDir: join('/data', 'tsa'),
      schedulerIntervalMs: 1000,
      expiryIntervalMs: 86_400_000,
      unknownPartnerWaitMs: 0,
    }));

  it('distributed: needs TSA_URL, or TSA_DIR naming where the bundled TSA keeps one identity for every replica', () => {
    expect(() => certificateLifecycleConfigFrom({}, '/data', 'distributed')).toThrow(/^Invalid configuration: TSA_URL is required in distributed mode/);
    expect(certificateLifecycleConfigFrom({ TSA_DIR: '/tsa' }, '/data', 'distributed')).toMatchObject({ tsaUrl: null, bundledTsaDir: '/tsa', unknownPartnerWaitMs: 3000 });
    expect(certificateLifecycleConfigFrom({ TSA_URL: 'https://tsa.example/tsr' }, '/data', 'distributed').tsaUrl).toBe('https://tsa.example/tsr');
  });

  it('reads a TSA URL and intervals', () =>
    expect(certificateLifecycleConfigFrom({ TSA_URL: 'https://tsa.example/tsr', CERT_SCHEDULER_INTERVAL_MS: '250' }, '/data', 'distributed')).toMatchObject({
      tsaUrl: 'https://tsa.example/tsr',
      schedulerIntervalMs: 250,
    }));

  it.each([
    ['TSA_URL', 'ftp://x', 'Invalid configuration: TSA_URL must use http:// or https://, got "ftp://"'],
    ['TSA_URL', 'tsa.example', 'Invalid configuration: TSA_URL must be a URL (http:// or https://…), got an unparseable value'],
    ['CERT_SCHEDULER_INTERVAL_MS', '0', 'Invalid configuration: CERT_SCHEDULER_INTERVAL_MS must be an integer 1-2147483647, got "0"'],
    ['CERT_EXPIRY_INTERVAL_MS', '1e3', 'Invalid configuration: CERT_EXPIRY_INTERVAL_MS must be an integer 1-2147483647, got "1e3"'],
    ['UNKNOWN_PARTNER_WAIT_MS', '99999999999', 'Invalid configuration: UNKNOWN_PARTNER_WAIT_MS must be an integer 1-2147483647, got "99999999999"'],
  ])('%s=%s fails naming the variable', (name, value, message) =>
    expect(() => certificateLifecycleConfigFrom({ TSA_DIR: '/tsa', [name]: value }, '/data', 'distributed')).toThrow(message));
});
