import { hasControlCharacters } from '@as2-partners/kernel';
import { isHttpsUrl } from '@as2-partners/partner-registry-domain';
import { CIDR_PATTERN, HEADER_SAFE_NON_BLANK, HTTPS_ENDPOINT_PATTERN } from './partner-settings.dto';
import { EMAIL_PATTERN, isCidr, isEmailAddress, normalisedCidr } from './partner-field.validators';

// As JSON Schema validators compile a `pattern` (ECMA-262, unicode).
const matches = (pattern: string, value: string): boolean => new RegExp(pattern, 'u').test(value);

describe('the OpenAPI patterns say what the validators take', () => {

  it.each([
    'https://acme.example.com/as2',
    'https://as2.example.com:44300/as2',
    'https://AS2.Example.COM/as2',
    'HTTPS://acme.example.com/as2',
    'https://8.8.8.8/as2',
    'https://a.b.c.d.e.f.example.com/as2',
    `https://x.example.com/${'p'.repeat(250)}`,
    'https://x.example.com/as2#frag',
    'https://x.example.com/as2?tenant=a&b=c',
    'https://bücher.example/as2',
    'https://[2001:db8::1]:8443/as2',
    'https://edi_gw.example.com./as2',
    'https://x.example.com',
    'http://acme.example.com/as2',
    'ftp://acme.example.com/as2',
    'https://user@acme.example.com/as2',
    'https://user:pw@acme.example.com/as2',
    'https://acme.example.com\\@127.0.0.1/',
    'https://acme.example.com/a b',
    'https://acme.example.com/a\u0001b',
    'https:///acme.example.com',
    'https://acme..example.com/',
    'https://.example.com/',
    'https://acme.example.com:/as2',
    'https://ac!me.example.com/',
    'https://%61cme.example.com/',
    'https://',
    ' https://acme.example.com/as2',
    'https://exa\u202emple.com/as2',
    'https://example.com/as2\u2066x',
    'https://example.com/as2?q=\u2028',
  ])('an endpoint URL: %j is taken by the pattern exactly when isHttpsUrl takes it', (url) => {
    expect(matches(HTTPS_ENDPOINT_PATTERN, url)).toBe(isHttpsUrl(url));
  });

  it.each(['Acme Corporation', ' Leading', 'Trailing ', 'a', 'Ünïcödé GmbH', ' ', '   ', '', '\ufeff', 'Line\nbreak', 'Tab\there', 'NUL\u0000', '\u202eevil', 'a\u2066b\u2069', 'שלום'])(
    'a name: %j is taken by the pattern exactly when the validators take it (not blank, no control characters)',
    (name) => {
      expect(matches(HEADER_SAFE_NON_BLANK, name)).toBe(name.trim().length > 0 && !hasControlCharacters(name));
    },
  );

  it.each(['as2@acme.example.com', 'First.Last@Example.COM', 'ops+edi@sub.acme.example.co.uk', "o'brien@acme.example", 'a@b.io', 'not-an-email', 'a@b', 'a@-b.com', 'a b@acme.example.com', '.a@acme.example.com', 'a..b@acme.example.com', 'a@acme.example.com.', 'ü@éxample.com', '日本@example.com', 'x@пример.рф', 'ops@bücher.example', `${'a'.repeat(65)}@acme.example.com`, 'user@example.xn--p1ai', 'ops@xn--80ak6aa92e.XN--P1AI', 'edi@example.xn--fiqs8s', 'a@b.xn--', 'a@b.xn--p1ai-', 'a@b.xn', 'a@b.xy--p1ai', 'a@b.c0m'])(
    'an e-mail address: %j is taken by the pattern exactly when the validator takes it',
    (email) => {
      expect(matches(EMAIL_PATTERN, email)).toBe(isEmailAddress(email));
    },
  );

  it('refuses the non-ASCII addresses the pattern refuses (IsEmail alone took them)', () => {
    expect(['ü@éxample.com', '日本@example.com', 'x@пример.рф', 'ops@bücher.example'].filter(isEmailAddress)).toEqual([]);
    expect(isEmailAddress('ops+edi@sub.acme.example.co.uk')).toBe(true);
  });

  it('takes internationalised domains in their ASCII form, top-level ones too (.рф is xn--p1ai)', () => {
    expect(['user@example.xn--p1ai', 'ops@xn--80ak6aa92e.xn--p1ai', 'edi@example.xn--fiqs8s', 'ops@xn--bcher-kva.example'].filter(isEmailAddress)).toHaveLength(4);
    expect(['a@b.xn--', 'a@b.xn--p1ai-', 'a@b.xy--p1ai'].filter(isEmailAddress)).toEqual([]);
  });

  it('takes an IPv6 range ending in a dotted IPv4 address (RFC 4291 §2.2) and stores it in hexadecimal', () => {
    expect(['::ffff:192.0.2.0/120', '64:ff9b::192.0.2.0/120', '::ffff:1.2.3.4/128', '1:2:3:4:5:6:1.2.3.4/96'].filter(isCidr).map(normalisedCidr)).toEqual(['::ffff:c000:200/120', '64:ff9b::c000:200/120', '::ffff:102:304/128', '1:2:3:4:5:6::/96']);
    // `::a.b.c.d` is the IPv4-compatible address (RFC 4291 §2.5.5.1), not the IPv4-mapped one: one address, one range.
    expect(['::1.2.3.4/128', '::0:1.2.3.4/128', '::102:304/128', '::0.0.0.0/96'].filter(isCidr).map(normalisedCidr)).toEqual(['::102:304/128', '::102:304/128', '::102:304/128', '::/96']);
    expect(['::ffff:01.2.3.4/128', '::ffff:1.2.3/128', '1:2:3:4:5:6:7:1.2.3.4/128'].filter(isCidr)).toEqual([]);
  });

  it.each(['203.0.113.0/24', '10.0.0.0/8', '2001:db8::/32', '::/0', '::ffff:102:304/128', '::ffff:1.2.3.4/128', '::1.2.3.4/128', '64:ff9b::1.2.3.4/128', '::ffff:192.0.2.0/120', '1:2:3:4:5:6:1.2.3.4/96', '1::2:3:4:5:1.2.3.4/128', '1:2:3:4:5:6:7:1.2.3.4/128', '::ffff:01.2.3.4/128', '::ffff:1.2.3/128', '::ffff:1.2.3.4/129', '010.0.0.0/8', '1.2.3.4', '1.2.3.4/33'])(
    'a firewall range: %j is taken by the pattern exactly when isCidr takes it',
    (range) => {
      expect(matches(CIDR_PATTERN, range)).toBe(isCidr(range));
    },
  );
});
