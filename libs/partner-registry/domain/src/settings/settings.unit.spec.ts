import { isValidAs2Id } from './as2-id';
import { isHttpsUrl } from './endpoint-url';
import { hasControlCharacters } from '@as2-partners/kernel';
import { partnerLimitOf } from './plans';
import { applyPartnerChanges, effectivePartnerChanges, mergePartnerChanges, partnerSettingsWithDefaults } from './partner-settings';
import { validatePartnerChanges } from './partner-settings.validation';
import { DomainError } from '@as2-partners/kernel';

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as DomainError).code;
  }
}

describe('AS2 id format', () => {
  it.each(['ACME-CORP-AS2', 'SUPPLIER_001', 'PARTNER-PROD-01', 'a', 'x'.repeat(50)])('accepts %s', (id) => {
    expect(isValidAs2Id(id)).toBe(true);
  });
  it.each(['', 'ACME CORP', 'PARTNER@PROD', 'x'.repeat(51), 'AS2:CLIENTE', 'ü-umlaut', 'line\nbreak'])('rejects %j', (id) => {
    expect(isValidAs2Id(id)).toBe(false);
  });
});

describe('endpoint URL', () => {
  it('accepts https URLs with a host and optional port', () => {
    expect(isHttpsUrl('https://acme.example.com/as2')).toBe(true);
    expect(isHttpsUrl('https://acme.example.com:8443/as2')).toBe(true);
  });
  it.each(['http://acme.example.com/as2', 'ftp://x', 'not a url', 'https://', '//acme.example.com', 'https://user:pw@acme.example.com/'])(
    'rejects %s',
    (url) => expect(isHttpsUrl(url)).toBe(false),
  );
});

describe('endpoint URL spelled so that parsers disagree on its host', () => {
  it.each([
    'https://acme.example.com:8443/as2',
    'HTTPS://ACME.example.com/as2',
    'https://acme.example.com',
    'https://acme.example.com/a@b/c?x=1#top',
    'https://[2001:db8::1]:443/as2',
    'https://acme.example.com./as2',
    'https://müller.example.com/as2',
  ])('accepts %s', (url) => expect(isHttpsUrl(url)).toBe(true));

  it.each([
    // WHATWG reads a.example.com (a backslash is a slash to it); curl and Python's urllib read 127.0.0.1
    'https://acme.example.com\\@127.0.0.1/as2',
    'https://acme.example.com\\as2',
    'https://acme.example.com/as2?next=\\@10.0.0.1',
    // WHATWG adds the missing slashes or skips the extra one; RFC 3986 parsers find no host
    'https:acme.example.com/as2',
    'https:///acme.example.com/as2',
    'https://acme.example.com:/as2',
    'https://acme.example.com:0/as2',
    'https://acme.example.com:65536/as2',
    'https://acme..example.com/as2',
    'https://.acme.example.com/as2',
    'https://%31%32%37.0.0.1/as2',
    'https://[::1/as2',
    // RFC 3986 sub-delimiters a name may hold and no DNS host has (a fuzzer's `https://2fs.bsqr5n.bnd*` was accepted)
    'https://2fs.bsqr5n.bnd*',
    'https://acme!.example.com/as2',
    "https://acme.example.com'/as2",
    'https://a$b.example.com/as2',
    'https://acme.exa(mple).com/as2',
  ])('rejects %s', (url) => expect(isHttpsUrl(url)).toBe(false));
});

describe('endpoint URL spelled with whitespace or control characters', () => {
  it.each(['https://acme.example.com/as2\r\nX-Injected: 1', 'https://acme.example.com/a\ts2', 'https://acme.example.com/as 2', ' https://acme.example.com/as2', 'https://acme.example.com/as2\u0000', 'https://acme.example.com/\u0085'])(
    'rejects %j (WHATWG URL would quietly drop some of them)',
    (url) => expect(isHttpsUrl(url)).toBe(false),
  );
});

describe('header text', () => {
  it.each(['a\rb', 'a\nb', 'a\tb', 'a\u0000b', 'a\u007fb', 'a\u0085b', 'a\u2028b', 'a\u2029b', '\u001b[31m'])('finds a control character in %j', (text) =>
    expect(hasControlCharacters(text)).toBe(true),
  );
  it.each(['Orders from Müller', 'Ελλάδα 😀', 'a "quoted" <b>; c=d', ''])('finds none in %j', (text) => expect(hasControlCharacters(text)).toBe(false));

  it.each([
    [{ subject: 'EDI\r\nBcc: x@evil.example' }, 'subject'],
    [{ name: 'Acme\nCorp' }, 'name'],
    [{ email: 'a@b.example\r\n' }, 'email'],
    [{ httpAuth: { username: 'edi\r\nX: 1' } }, 'http_auth.username'],
    [{ httpAuth: { username: 'edi:admin' } }, 'http_auth.username'],
  ])('validatePartnerChanges refuses %j as INVALID_PARTNER_SETTING on the field', (changes, field) => {
    let thrown: DomainError | undefined;
    try {
      validatePartnerChanges(changes);
    } catch (error) {
      thrown = error as DomainError;
    }
    expect(thrown).toMatchObject({ code: 'INVALID_PARTNER_SETTING', field });
  });

  it('validatePartnerChanges refuses an endpoint URL with a CR/LF as INVALID_ENDPOINT_URL', () => {
    expect(codeOf(() => validatePartnerChanges({ url: 'https://a.example/as2\r\nX: 1' }))).toBe('INVALID_ENDPOINT_URL');
    expect(codeOf(() => validatePartnerChanges({ mdn: { url: 'https://a.example/mdn\nX: 1' } }))).toBe('INVALID_ENDPOINT_URL');
  });
});

describe('plan limits', () => {
  it('are 5, 10, unlimited, unlimited', () => {
    expect(partnerLimitOf('free')).toBe(5);
    expect(partnerLimitOf('starter')).toBe(10);
    expect(partnerLimitOf('professional')).toBeNull();
    expect(partnerLimitOf('enterprise')).toBeNull();
  });
});

describe('partner settings', () => {
  const base = partnerSettingsWithDefaults({ name: 'Acme', url: 'https://acme.example.com/as2' });

  it('default to active, no sign/encrypt/compress, async MDN, no algorithms, 60 s / 3 / 300 s connection, no station, no firewall', () => {
    expect(base).toEqual({
      name: 'Acme',
      url: 'https://acme.example.com/as2',
      active: true,
      sign: false,
      encrypt: false,
      compress: false,
      mdnMode: 'async',
      signAlgorithm: null,
      encryptAlgorithm: null,
      email: null,
      subject: null,
      mdn: { url: null, signed: false, algorithm: null },
      connection: { timeoutSeconds: 60, retryAttempts: 3, retryIntervalSeconds: 300 },
      httpAuth: { enabled: false, username: null, sealedPassword: null },
      stationId: null,
      firewall: { enabled: false, allowedIps: [] },
    });
  });

  it('apply nested changes field by field', () => {
    const changed = applyPartnerChanges(base, { mdnMode: 'sync', connection: { retryAttempts: 5 } });
    expect(changed.mdnMode).toBe('sync');
    expect(changed.connection).toEqual({ timeoutSeconds: 60, retryAttempts: 5, retryIntervalSeconds: 300 });
  });

  it('keep only the fields that really change', () => {
    expect(effectivePartnerChanges(base, { name: 'Acme', sign: true, connection: { timeoutSeconds: 60, retryAttempts: 1 } })).toEqual({
      sign: true,
      connection: { retryAttempts: 1 },
    });
  });

  it('merge later changes over earlier ones', () => {
    expect(mergePartnerChanges({ url: 'https://a.example/x', mdn: { signed: true } }, { mdnMode: 'sync', mdn: { url: null } })).toEqual({
      url: 'https://a.example/x',
      mdnMode: 'sync',
      mdn: { signed: true, url: null },
    });
  });

  it.each([
    [{ url: 'http://plain.example/as2' }, 'INVALID_ENDPOINT_URL'],
    [{ signAlgorithm: 'MD5withRSA' }, 'UNSUPPORTED_ALGORITHM'],
    [{ encryptAlgorithm: 'RC2' }, 'UNSUPPORTED_ALGORITHM'],
    [{ mdn: { algorithm: 'SHA3' } }, 'UNSUPPORTED_ALGORITHM'],
    [{ mdn: { url: 'http://x.example' } }, 'INVALID_ENDPOINT_URL'],
    [{ name: '' }, 'INVALID_PARTNER_SETTING'],
    [{ name: 'x'.repeat(256) }, 'INVALID_PARTNER_SETTING'],
    [{ mdnMode: 'later' }, 'INVALID_PARTNER_SETTING'],
    [{ email: 'not-an-email' }, 'INVALID_PARTNER_SETTING'],
    [{ connection: { timeoutSeconds: 0 } }, 'INVALID_PARTNER_SETTING'],
    [{ connection: { retryAttempts: 1.5 } }, 'INVALID_PARTNER_SETTING'],
  ])('reject %j with %s', (changes, code) => {
    expect(codeOf(() => validatePartnerChanges(changes as never))).toBe(code);
  });

  it('accept null algorithms (turning them off)', () => {
    expect(codeOf(() => validatePartnerChanges({ signAlgorithm: null, encryptAlgorithm: null, email: null }))).toBeUndefined();
  });
});
