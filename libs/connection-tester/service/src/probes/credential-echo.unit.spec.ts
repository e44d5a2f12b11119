import { withoutCredentialEcho } from './credential-echo';

describe('withoutCredentialEcho', () => {
  const authorization = `Basic ${Buffer.from('acme-user:S3cret-pass', 'utf8').toString('base64')}`;

  it('replaces every form of the credential the test sent', () => {
    expect(withoutCredentialEcho(`echo/1.0 (${authorization})`, authorization)).toBe('echo/1.0 ([redacted])');
    expect(withoutCredentialEcho(`token ${authorization.slice(6)}`, authorization)).toBe('token [redacted]');
    expect(withoutCredentialEcho('you sent acme-user:S3cret-pass', authorization)).toBe('you sent [redacted]');
    expect(withoutCredentialEcho('password=S3cret-pass;', authorization)).toBe('password=[redacted];');
  });

  it('replaces the encodings a server echoes it with: percent- and form-encoded, base64, base64url, hex, in any letter case', () => {
    const tricky = `Basic ${Buffer.from('user1:p@ss/w rd&Zq9~', 'utf8').toString('base64')}`;
    const encodings = (secret: string) => {
      const bytes = Buffer.from(secret, 'utf8');
      return [
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/%20/g, '+'),
        encodeURIComponent(secret).toLowerCase(),
        encodeURI(secret),
        bytes.toString('base64'),
        bytes.toString('base64url'),
        bytes.toString('hex'),
        bytes.toString('hex').toUpperCase(),
      ];
    };
    for (const secret of ['user1:p@ss/w rd&Zq9~', 'p@ss/w rd&Zq9~']) {
      for (const form of encodings(secret)) {
        const cleaned = withoutCredentialEcho(`redirect to https://x.example/?auth=${form}&next=1`, tricky);
        expect([form, cleaned]).toEqual([form, 'redirect to https://x.example/?auth=[redacted]&next=1']);
      }
    }
  });

  it('finds it however many of its characters a server percent-encodes (every byte, some of them), and leaves other escapes alone', () => {
    const tricky = `Basic ${Buffer.from('user:S3cr3t&P@ss/=+', 'utf8').toString('base64')}`;
    const everyByte = [...Buffer.from('S3cr3t&P@ss/=+')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
    for (const form of [everyByte, everyByte.toUpperCase(), '%533cr3t%26P%40ss%2F%3D%2B']) {
      expect([form, withoutCredentialEcho(`probe ${form}`, tricky)]).toEqual([form, 'probe [redacted]']);
    }
    expect(withoutCredentialEcho('redirect to /a%20b?c=%E2%82%AC', tricky)).toBe('redirect to /a%20b?c=%E2%82%AC');
  });

  it("finds it echoed with HTML's character references or JSON's and C's backslash escapes, and leaves other escapes alone", () => {
    const tricky = `Basic ${Buffer.from('user:Tr0ub4dor&3"<x>\\', 'utf8').toString('base64')}`;
    const forms = [
      'Tr0ub4dor&amp;3&quot;&lt;x&gt;\\',
      'Tr0ub4dor&#38;3&#34;&#60;x&#62;\\',
      'Tr0ub4dor&#x26;3&#X22;&lt;x&GT;\\',
      'Tr0ub4dor&3\\"<x>\\\\',
      'Tr0ub4dor\\u00263\\u0022\\u003cx\\u003e\\u005c',
      'Tr0ub4dor\\x263\\"<x>\\\\',
      JSON.stringify(JSON.stringify('Tr0ub4dor&3"<x>\\')),
      encodeURIComponent(JSON.stringify('Tr0ub4dor&3"<x>\\')),
      'Tr0ub4dor&amp;3&quot;&lt;x&gt;%5C',
    ];
    for (const form of forms) expect([form, withoutCredentialEcho(`srv ${form} end`, tricky)]).toEqual([form, expect.stringMatching(/^srv "*\[redacted\]"* end$/)]);
    const unrelated = 'a &amp; b \\"c\\" &#x26; \\u0041 %41';
    expect(withoutCredentialEcho(unrelated, tricky)).toBe(unrelated);
  });

  it("finds it in the escapes' other spellings: HTML references without their ';', C's octal and Python's \\x bytes of a UTF-8 password", () => {
    const ascii = `Basic ${Buffer.from('edi:Tr0ub4dor&3', 'utf8').toString('base64')}`;
    const numeric = [...'Tr0ub4dor&3'].map((c) => `&#${c.charCodeAt(0)}`).join('');
    for (const form of ['Tr0ub4dor&amp3', 'Tr0ub4dor&#38;3', 'Tr0ub4dor&#x26;3', numeric, 'Tr0ub4dor\\0463']) {
      expect([form, withoutCredentialEcho(`echo pw=${form} end`, ascii)]).toEqual([form, 'echo pw=[redacted] end']);
    }
    const utf8 = `Basic ${Buffer.from('edi:Pässwörd"\\<+ 1', 'utf8').toString('base64')}`;
    const pythonBytes = [...Buffer.from('Pässwörd"\\<+ 1')].map((b) => (b > 0x7e ? `\\x${b.toString(16)}` : b === 0x5c ? '\\\\' : String.fromCharCode(b))).join('');
    expect([pythonBytes, withoutCredentialEcho(`echo pw=${pythonBytes} end`, utf8)]).toEqual([pythonBytes, 'echo pw=[redacted] end']);
    const octalBytes = [...Buffer.from('Pässwörd')].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    expect(withoutCredentialEcho(`b'${octalBytes}"\\\\<+ 1'`, utf8)).toBe("b'[redacted]'");
  });

  it('leaves a text without an echo, or a test without a credential, as it is', () => {
    expect(withoutCredentialEcho('Apache/2.4', authorization)).toBe('Apache/2.4');
    expect(withoutCredentialEcho('S3cret-pass', null)).toBe('S3cret-pass');
  });
});
