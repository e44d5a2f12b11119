import { parseMimeEntity } from './mime-entity';
import { formatParam, parseHeaderBlock, parseHeaderValue } from './mime-headers';
import { joinMultipart, splitMultipart } from './multipart';
import { decodeTransferEncoding } from './transfer-encoding';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('MIME headers', () => {
  it('unfolds continuation lines and accepts bare LF', () => {
    const h = parseHeaderBlock(b('Content-Type: multipart/signed;\n\tboundary="x"\r\nX-A: 1\r\n'));
    expect(h.get('content-type')).toBe('multipart/signed; boundary="x"');
    expect(h.get('X-a')).toBe('1');
  });

  it('refuses a line without a colon', () => {
    expect(() => parseHeaderBlock(b('garbage line\r\n'))).toThrow(expect.objectContaining({ code: 'MALFORMED_MIME' }));
  });

  it('parses parameters: tokens, quoted strings with escapes, RFC 2231', () => {
    const v = parseHeaderValue(`Application/PKCS7-MIME; smime-type=enveloped-data; name="a \\"b\\"; c"; filename*=UTF-8''%C3%A9t%C3%A9.edi`);
    expect(v).toEqual({ value: 'application/pkcs7-mime', params: { 'smime-type': 'enveloped-data', name: 'a "b"; c', filename: 'été.edi' } });
  });

  it('reads a raw UTF-8 parameter as UTF-8 and other 8-bit bytes as latin1', () => {
    const header = parseHeaderBlock(Buffer.from('Content-Disposition: attachment; filename="r\u00e9sum\u00e9 \u20ac.edi"\r\n', 'utf8'));
    expect(parseHeaderValue(header.get('content-disposition') ?? '').params.filename).toBe('r\u00e9sum\u00e9 \u20ac.edi');
    expect(parseHeaderValue('attachment; filename=caf\xe9.edi').params.filename).toBe('caf\u00e9.edi');
  });

  it('formats parameters as token, quoted string or RFC 2231', () => {
    expect(formatParam('filename', 'a.edi')).toBe('filename=a.edi');
    expect(formatParam('filename', 'my "file".edi')).toBe('filename="my \\"file\\".edi"');
    expect(parseHeaderValue(`attachment; ${formatParam('filename', 'été.edi')}`).params.filename).toBe('été.edi');
  });
});

describe('MIME entity', () => {
  it('splits at the first empty line and keeps the bytes as views', () => {
    const raw = b('Content-Type: a/b\r\n\r\nbody\r\n\r\nmore');
    const e = parseMimeEntity(raw);
    expect(e.body.toString()).toBe('body\r\n\r\nmore');
    expect(e.raw).toBe(raw);
    expect(e.body.buffer).toBe(raw.buffer);
  });

  it('refuses content without a header/body separator', () => {
    expect(() => parseMimeEntity(b('Content-Type: a/b'))).toThrow(expect.objectContaining({ code: 'MALFORMED_MIME' }));
    expect(() => parseMimeEntity(b('\r\nbody'))).toThrow(/no headers/);
  });
});

describe('multipart', () => {
  it('returns parts byte-exact: the CRLF before a delimiter belongs to the delimiter', () => {
    const body = b('preamble\r\n--B\r\nA: 1\r\n\r\nx\r\n\r\n--B\r\nB: 2\r\n\r\ny\r\n--B--\r\nepilogue');
    expect(splitMultipart(body, 'B').map((p) => p.toString())).toEqual(['A: 1\r\n\r\nx\r\n', 'B: 2\r\n\r\ny']);
  });

  it('finds delimiters in a run of dashes with a few searches, not one per dash (a hostile MDN of 1 MB of dashes held the loop 650 ms)', () => {
    const boundary = '-'.repeat(60);
    const body = Buffer.from(`--${boundary}\r\nA: 1\r\n\r\nx${'-'.repeat(100_000)}\r\n--${boundary}\r\nB: 2\r\n\r\ny${'-'.repeat(100_000)}\r\n--${boundary}--\r\n`, 'latin1');
    const search = body.indexOf.bind(body);
    let searches = 0;
    Object.assign(body, { indexOf: (...args: Parameters<Buffer['indexOf']>) => (searches++, search(...args)) });
    expect(splitMultipart(body, boundary).map((p) => p.length)).toEqual([100_009, 100_009]);
    expect(searches).toBeLessThan(20);
    // Each part is still found wherever its delimiter is, the first at the body's start or after a line feed.
    expect(splitMultipart(b('\n--B\nA\n--B\nC\n--B--'), 'B').map((p) => p.toString())).toEqual(['A', 'C']);
  });

  it('ignores a boundary string that is not at a line start', () => {
    const body = b('--B\r\nA: 1\r\n\r\nx--B y\r\n--B--');
    expect(splitMultipart(body, 'B').map((p) => p.toString())).toEqual(['A: 1\r\n\r\nx--B y']);
  });

  it('refuses a truncated multipart (no closing delimiter)', () => {
    expect(() => splitMultipart(b('--B\r\nA: 1\r\n\r\nx\r\n--B\r\n'), 'B')).toThrow(/truncated/);
  });

  it('round-trips what joinMultipart writes', () => {
    const parts = [[b('A: 1\r\n\r\n'), b('\x00\xff\r\n')], [b('B: 2\r\n\r\nz')]];
    const body = Buffer.concat(joinMultipart(parts, 'XYZ'));
    expect(splitMultipart(body, 'XYZ')).toEqual(parts.map((p) => Buffer.concat(p)));
  });
});

describe('Content-Transfer-Encoding', () => {
  it('decodes base64 across line breaks, quoted-printable, and passes binary through', () => {
    expect(decodeTransferEncoding(b('aGVs\r\nbG8=\r\n'), 'base64').toString()).toBe('hello');
    expect(decodeTransferEncoding(b('a=3Db=\r\nc'), 'quoted-printable').toString()).toBe('a=bc');
    const raw = b('\x00\x01');
    expect(decodeTransferEncoding(raw, 'binary')).toBe(raw);
  });

  it('refuses unknown encodings and non-base64 text', () => {
    expect(() => decodeTransferEncoding(b('x'), 'x-uuencode')).toThrow(/x-uuencode/);
    expect(() => decodeTransferEncoding(b('@@@'), 'base64')).toThrow(/base64/);
  });
});
