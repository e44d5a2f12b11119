import { parseAs2Envelope, parseDispositionOptions } from './as2-envelope';

const base = { 'as2-from': '"Sender Co"', 'as2-to': 'RECV', 'message-id': '<1@x>' };

describe('parseAs2Envelope', () => {
  it('reads the AS2 headers case-insensitively and unquotes names', () => {
    const env = parseAs2Envelope({ 'AS2-From': '"Sender Co"', 'As2-To': 'RECV', 'MESSAGE-ID': '<1@x>', subject: 'S', 'as2-version': '1.2' });
    expect(env).toMatchObject({ as2From: 'Sender Co', as2To: 'RECV', messageId: '<1@x>', subject: 'S', as2Version: '1.2', mdnRequest: undefined });
  });

  it.each(['as2-from', 'as2-to', 'message-id'])('names the missing %s header', (missing) => {
    const headers: Record<string, string> = { ...base };
    delete headers[missing];
    expect(() => parseAs2Envelope(headers)).toThrow(expect.objectContaining({ code: 'MISSING_AS2_HEADER' }));
  });

  it('reads a synchronous unsigned MDN request', () => {
    expect(parseAs2Envelope({ ...base, 'disposition-notification-to': 'mailto:x@y' }).mdnRequest).toEqual({ returnAddress: 'mailto:x@y', signed: undefined, asyncUrl: undefined });
  });

  it('reads a signed async request with the micalg preference, keeping unsupported ones apart', () => {
    const env = parseAs2Envelope({
      ...base,
      'disposition-notification-to': 'x',
      'disposition-notification-options': 'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=optional, md5, SHA-256, sha1',
      'receipt-delivery-option': 'https://me/mdn',
    });
    expect(env.mdnRequest).toEqual({
      returnAddress: 'x',
      asyncUrl: 'https://me/mdn',
      signed: { importance: 'required', micAlgorithms: ['sha256', 'sha1'], unsupportedMicAlgorithms: ['md5'] },
    });
  });

  it('reads quoted Disposition-Notification-Options values (RFC 3798 §2.2 words)', () => {
    const env = parseAs2Envelope({
      ...base,
      'disposition-notification-to': 'x',
      'disposition-notification-options': 'signed-receipt-protocol=optional, "pkcs7-signature"; signed-receipt-micalg=optional, "sha-256", "sha1"',
    });
    expect(env.mdnRequest?.signed).toEqual({ importance: 'optional', micAlgorithms: ['sha256', 'sha1'], unsupportedMicAlgorithms: [] });
  });

  it('parses Disposition-Notification-Options clauses', () => {
    expect(parseDispositionOptions('signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, sha-512')).toEqual({
      'signed-receipt-protocol': { importance: 'optional', values: ['pkcs7-signature'] },
      'signed-receipt-micalg': { importance: 'optional', values: ['sha-512'] },
    });
  });
});
