import { As2Error } from '../errors/as2-error';
import { buildAs2Message } from '../message/build-as2-message';
import { handleAs2Request, handleAs2RequestAsync } from '../message/handle-as2-request';
import { parseAs2Envelope } from '../message/as2-envelope';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';
import { buildMdn } from './build-mdn';
import { formatDisposition, mdnDispositionFor, parseDisposition, type MdnDisposition } from './mdn-disposition';
import { peekMdnOriginalMessageId, readMdn } from './read-mdn';

const sender = createSelfSignedIdentity({ commonName: 'Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Receiver' });
const payload = Buffer.from('payload\r\n');

function send(signedMdn = true) {
  return buildAs2Message({
    payload,
    as2From: 'SENDER ID',
    as2To: 'RECEIVER',
    sign: { keyPair: sender.keyPair, algorithm: 'sha256' },
    encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-256-cbc' },
    mdn: signedMdn ? { signed: { micAlgorithms: ['sha256'] } } : {},
  });
}

describe('MDN dispositions', () => {
  it.each<[MdnDisposition, string]>([
    [{ type: 'processed' }, 'automatic-action/MDN-sent-automatically; processed'],
    [{ type: 'processed/warning', warning: 'duplicate-document' }, 'automatic-action/MDN-sent-automatically; processed/warning: duplicate-document'],
    [{ type: 'processed/error', error: 'decryption-failed' }, 'automatic-action/MDN-sent-automatically; processed/error: decryption-failed'],
    [{ type: 'processed/error', error: 'authentication-failed' }, 'automatic-action/MDN-sent-automatically; processed/error: authentication-failed'],
    [{ type: 'processed/error', error: 'integrity-check-failed' }, 'automatic-action/MDN-sent-automatically; processed/error: integrity-check-failed'],
    [{ type: 'processed/error', error: 'insufficient-message-security' }, 'automatic-action/MDN-sent-automatically; processed/error: insufficient-message-security'],
    [{ type: 'processed/error', error: 'unexpected-processing-error' }, 'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error'],
    [{ type: 'failed/failure', failure: 'sender-equals-receiver' }, 'automatic-action/MDN-sent-automatically; failed/Failure: sender-equals-receiver'],
  ])('writes %j', (disposition, text) => {
    expect(formatDisposition(disposition)).toBe(text);
  });

  it('parses other implementations’ casing', () => {
    expect(parseDisposition('Automatic-action/MDN-sent-automatically; processed/Error: Decryption-Failed')).toMatchObject({ type: 'processed', modifier: 'error', description: 'Decryption-Failed' });
  });

  it('maps unknown failures to unexpected-processing-error', () => {
    expect(mdnDispositionFor(new Error('boom'))).toEqual({ type: 'processed/error', error: 'unexpected-processing-error' });
    expect(mdnDispositionFor(new As2Error('MALFORMED_MIME', 'x'))).toEqual({ type: 'processed/error', error: 'unexpected-processing-error' });
  });
});

describe('handleAs2Request → readMdn', () => {
  it('success: a signed sync MDN with the matching MIC reads as delivered', () => {
    const sent = send();
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    expect(handled.error).toBeUndefined();
    expect(handled.mdn).toMatchObject({ signed: true, asyncUrl: undefined });
    expect(handled.mdn!.headers).toMatchObject({ 'AS2-From': 'RECEIVER', 'AS2-To': '"SENDER ID"' });
    const result = readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true });
    expect(result).toMatchObject({ status: 'delivered', signed: true, originalMessageId: sent.messageId });
    expect(result.receivedMic).toMatchObject({ value: sent.mic.value, algorithm: 'sha256' });
  });

  it('decryption failure: an error MDN without MIC reads as failed with the reason', () => {
    const sent = send();
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [sender.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    expect(handled.error?.code).toBe('RECIPIENT_MISMATCH');
    const result = readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic } });
    expect(result.status).toBe('failed');
    expect(result.reason).toContain('decryption-failed');
    expect(result.receivedMic).toBeUndefined();
  });

  it('a MIC that differs reads as mic-mismatch with both values', () => {
    const sent = send();
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    const result = readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: { value: 'AAAA', algorithm: 'sha256' } } });
    expect(result.status).toBe('mic-mismatch');
    expect(result.reason).toContain(sent.mic.value);
    expect(result.reason).toContain('AAAA');
  });

  it("a MIC whose algorithm is missing or one we do not compute: a mismatch that says so, not two equal values", () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    const unsigned = buildMdn({ envelope, disposition: { type: 'processed' }, mic: sent.mic });
    const withField = (field: string) => {
      const body = unsigned.body.toString('latin1').replace(/Received-Content-MIC: [^\r\n]*/i, `Received-Content-MIC: ${field}`);
      expect(body).toContain(field);
      return readMdn({ headers: unsigned.headers, body: Buffer.from(body, 'latin1'), partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic } });
    };
    const bare = withField(sent.mic.value);
    expect(bare).toMatchObject({ status: 'mic-mismatch', receivedMic: { value: sent.mic.value, algorithmName: '' } });
    expect(bare.reason).toBe(`The MDN's Received-Content-MIC (${sent.mic.value}) names no digest algorithm (RFC 4130 asks for "<mic>, <algorithm>"), so it proves nothing; we computed ${sent.mic.value} (sha256).`);
    const md5 = withField(`${sent.mic.value}, md5`);
    expect(md5.status).toBe('mic-mismatch');
    expect(md5.reason).toBe(`The MDN's Received-Content-MIC (${sent.mic.value}) is in md5, a digest algorithm we do not compute, so it cannot be compared; we computed ${sent.mic.value} (sha256).`);
    expect(withField(`${sent.mic.value}, sha-256`).status).toBe('delivered');
  });

  it('an MDN without a MIC: a mismatch, unless the MIC was optional (an unsigned message); one it carries must still match', () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    const withoutMic = buildMdn({ envelope, disposition: { type: 'processed' }, signer: receiver.keyPair });
    const read = (mdn: { headers: Record<string, string>; body: Buffer }, micOptional: boolean, mic = sent.mic) =>
      readMdn({ headers: mdn.headers, body: mdn.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic, micOptional } });
    expect(read(withoutMic, false)).toMatchObject({ status: 'mic-mismatch', receivedMic: undefined });
    expect(read(withoutMic, true)).toMatchObject({ status: 'delivered', receivedMic: undefined, reason: 'Delivered: the partner processed the message (it returned no MIC).' });
    const withMic = buildMdn({ envelope, disposition: { type: 'processed' }, mic: sent.mic, signer: receiver.keyPair });
    expect(read(withMic, true, { value: 'AAAA', algorithm: 'sha256' }).status).toBe('mic-mismatch');
    const warned = buildMdn({ envelope, disposition: { type: 'processed/warning', warning: 'duplicate-document' }, signer: receiver.keyPair });
    expect(read(warned, true).status).toBe('delivered-with-warning');
  });

  it("a MIC in another digest than expected: delivered when ours in that digest matches (given micIn), a mismatch otherwise", () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    const inSha1 = buildMdn({ envelope, disposition: { type: 'processed' }, mic: sent.micIn('sha1'), signer: receiver.keyPair });
    const read = (mdn: { headers: Record<string, string>; body: Buffer }, micIn?: typeof sent.micIn) =>
      readMdn({ headers: mdn.headers, body: mdn.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic, ...(micIn ? { micIn } : {}) } });
    expect(sent.mic.algorithm).toBe('sha256');
    expect(read(inSha1, sent.micIn)).toMatchObject({ status: 'delivered', receivedMic: { algorithm: 'sha1', value: sent.micIn('sha1').value } });
    expect(read(inSha1).status).toBe('mic-mismatch');
    const wrong = buildMdn({ envelope, disposition: { type: 'processed' }, mic: { value: sent.micIn('sha512').value, algorithm: 'sha1' }, signer: receiver.keyPair });
    expect(read(wrong, sent.micIn).status).toBe('mic-mismatch');
  });

  it('a warning reads as delivered-with-warning', () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    const mdn = buildMdn({ envelope, disposition: { type: 'processed/warning', warning: 'duplicate-document' }, mic: sent.mic, signer: receiver.keyPair });
    const result = readMdn({ headers: mdn.headers, body: mdn.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic } });
    expect(result).toMatchObject({ status: 'delivered-with-warning', signed: true });
  });

  it('an MDN signed by the wrong key reads as bad-signature', () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    const mdn = buildMdn({ envelope, disposition: { type: 'processed' }, mic: sent.mic, signer: sender.keyPair });
    const result = readMdn({ headers: mdn.headers, body: mdn.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic } });
    expect(result.status).toBe('bad-signature');
    expect(result.reason).toMatch(/CN=Sender/);
  });

  it('an altered signed MDN reads as bad-signature', () => {
    const sent = send();
    const mdn = buildMdn({ envelope: parseAs2Envelope(sent.headers), disposition: { type: 'processed/error', error: 'decryption-failed' }, signer: receiver.keyPair });
    const body = Buffer.from(mdn.body.toString('latin1').replace('processed/error: decryption-failed', 'processed                        '), 'latin1');
    const result = readMdn({ headers: mdn.headers, body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId } });
    expect(result.status).toBe('bad-signature');
  });

  it('a signed MDN with no certificate to verify it against is read unverified (signed, no signer): its disposition, message id and MIC still decide', () => {
    const sent = send();
    const envelope = parseAs2Envelope(sent.headers);
    // Signed by anyone: nothing on file says whose signature to expect.
    const read = (disposition: MdnDisposition, mic = sent.mic, messageId = sent.messageId) => {
      const mdn = buildMdn({ envelope, disposition, mic, signer: sender.keyPair });
      return readMdn({ headers: mdn.headers, body: mdn.body, expected: { messageId, mic: sent.mic } });
    };
    const delivered = read({ type: 'processed' });
    expect([delivered.status, delivered.signed, delivered.signer]).toEqual(['delivered', true, undefined]);
    expect(read({ type: 'processed/error', error: 'decryption-failed' }).status).toBe('failed');
    expect(read({ type: 'processed' }, { value: 'A'.repeat(44), algorithm: 'sha256' }).status).toBe('mic-mismatch');
    expect(read({ type: 'processed' }, sent.mic, '<someone-else@x>').status).toBe('message-id-mismatch');
    // A signature required, or a certificate on file, is verified as before.
    const mdn = buildMdn({ envelope, disposition: { type: 'processed' }, mic: sent.mic, signer: sender.keyPair });
    expect(readMdn({ headers: mdn.headers, body: mdn.body, expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true }).status).toBe('bad-signature');
  });

  it('an unsigned MDN when a signed one was required reads as bad-signature', () => {
    const sent = send(false);
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    expect(handled.mdn?.signed).toBe(false);
    expect(readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true }).status).toBe('bad-signature');
    expect(readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, expected: { messageId: sent.messageId, mic: sent.mic } }).status).toBe('delivered');
  });

  it('an MDN for another message reads as message-id-mismatch; peek finds its message', () => {
    const sent = send();
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    expect(peekMdnOriginalMessageId(handled.mdn!.headers, handled.mdn!.body)).toBe(sent.messageId);
    expect(readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: '<other@x>' } }).status).toBe('message-id-mismatch');
  });

  it('async: the MDN says where to go; the caller may override the disposition (paused traffic)', () => {
    const sent = buildAs2Message({ payload, as2From: 'S', as2To: 'R', mdn: { asyncUrl: 'https://sender/mdn' } });
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, overrideDisposition: { type: 'processed/error', error: 'unexpected-processing-error' } });
    expect(handled.mdn).toMatchObject({ asyncUrl: 'https://sender/mdn', signed: false, disposition: 'automatic-action/MDN-sent-automatically; processed/error: unexpected-processing-error' });
  });

  it('unsupported requested MIC algorithms give processed/warning', () => {
    const sent = buildAs2Message({ payload, as2From: 'S', as2To: 'R' });
    const headers = { ...sent.headers, 'Disposition-Notification-To': 'x', 'Disposition-Notification-Options': 'signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=optional, md5' };
    const handled = handleAs2Request({ headers, body: sent.body, mdnSigner: receiver.keyPair });
    expect(handled.mdn?.disposition).toMatch(/processed\/warning: unsupported MIC-algorithms md5/);
  });

  it('a required MIC algorithm list it cannot honour (or a required protocol other than pkcs7-signature) gives failed/Failure, and the message is not processed', async () => {
    const sent = buildAs2Message({ payload, as2From: 'S', as2To: 'R' });
    const asking = (options: string) => ({ ...sent.headers, 'Disposition-Notification-To': 'x', 'Disposition-Notification-Options': options });
    const micalg = handleAs2Request({ headers: asking('signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=required, md5'), body: sent.body, mdnSigner: receiver.keyPair });
    expect(micalg.mdn).toMatchObject({ disposition: 'automatic-action/MDN-sent-automatically; failed/Failure: unsupported MIC-algorithms', signed: true });
    expect([micalg.message, micalg.error?.code]).toEqual([undefined, 'UNSUPPORTED_ALGORITHM']);
    expect(readMdn({ headers: micalg.mdn!.headers, body: micalg.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId } }).status).not.toBe('delivered');
    const viaKeystore = await handleAs2RequestAsync({ headers: asking('signed-receipt-protocol=optional, pkcs7-signature; signed-receipt-micalg=required, md5'), body: sent.body });
    expect([viaKeystore.message, viaKeystore.mdn?.disposition]).toEqual([undefined, 'automatic-action/MDN-sent-automatically; failed/Failure: unsupported MIC-algorithms']);
    const protocol = handleAs2Request({ headers: asking('signed-receipt-protocol=required, pgp-signature; signed-receipt-micalg=required, sha-256'), body: sent.body, mdnSigner: receiver.keyPair });
    expect(protocol.mdn).toMatchObject({ disposition: 'automatic-action/MDN-sent-automatically; failed/Failure: unsupported signed-receipt-protocol pgp-signature', signed: false });
    // Optional ones are honoured as far as they can be: the message is processed.
    for (const options of ['signed-receipt-protocol=optional, pgp-signature', 'signed-receipt-protocol=required, pkcs7-signature; signed-receipt-micalg=required, md5, sha-256']) {
      const handled = handleAs2Request({ headers: asking(options), body: sent.body, mdnSigner: receiver.keyPair });
      expect([options, handled.message?.payload.toString(), handled.mdn?.disposition]).toEqual([options, payload.toString(), 'automatic-action/MDN-sent-automatically; processed']);
    }
  });

  it('no MDN when none was requested', () => {
    const sent = buildAs2Message({ payload, as2From: 'S', as2To: 'R' });
    expect(handleAs2Request({ headers: sent.headers, body: sent.body }).mdn).toBeUndefined();
  });

  it('refuses a malformed MDN with MALFORMED_MDN', () => {
    expect(() => readMdn({ headers: { 'content-type': 'text/plain' }, body: Buffer.from('hi'), expected: { messageId: '<a@b>' } })).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN' }));
    expect(() => readMdn({ headers: { 'content-type': 'multipart/report; boundary=b' }, body: Buffer.from('--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--'), expected: { messageId: '<a@b>' } })).toThrow(/no message\/disposition-notification/);
    expect(() => readMdn({ headers: { 'content-type': 'multipart/report; boundary=b' }, body: Buffer.from('--b\r\nContent-Type: text'), expected: { messageId: '<a@b>' } })).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN' }));
  });

  it('refuses an MDN that gives a disposition, an Original-Message-ID or a MIC twice, or two reports, rather than reading the first', () => {
    const report = (...fields: string[]) => ['Reporting-UA: test', 'Original-Message-ID: <a@b>', ...fields].join('\r\n');
    const mdn = (...reports: string[]) => ({
      headers: { 'content-type': 'multipart/report; report-type=disposition-notification; boundary=b' },
      body: Buffer.from(`${reports.map((r) => `--b\r\nContent-Type: message/disposition-notification\r\n\r\n${r}\r\n`).join('')}--b--\r\n`),
    });
    const read = (m: ReturnType<typeof mdn>) => readMdn({ ...m, expected: { messageId: '<a@b>' } });
    const processed = 'Disposition: automatic-action/MDN-sent-automatically; processed';
    const failed = 'Disposition: automatic-action/MDN-sent-automatically; processed/error: decryption-failed';
    expect(read(mdn(report(processed))).status).toBe('delivered');
    for (const twice of [
      mdn(report(processed, failed)),
      mdn(report(processed, 'disposition: automatic-action/MDN-sent-automatically; processed')),
      mdn(report(processed, 'Original-Message-ID: <other@b>')),
      mdn(report(processed, 'Received-Content-MIC: AAAA, sha-256', 'Received-Content-MIC: BBBB, sha-256')),
      mdn(report(processed), report(failed)),
    ]) {
      expect(() => read(twice)).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN' }));
      expect(() => peekMdnOriginalMessageId(twice.headers, twice.body)).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN' }));
    }
    expect(() => read(mdn(report(processed, failed)))).toThrow('The MDN has 2 Disposition fields; a disposition notification has one.');
  });

  it('refuses an MDN of more than 16 parts or with a disposition part over 64 KiB before reading the rest (a public route reads them unauthenticated)', () => {
    const headers = { 'content-type': 'multipart/report; report-type=disposition-notification; boundary=b' };
    const fields = 'Original-Message-ID: <a@b>\r\nDisposition: automatic-action/MDN-sent-automatically; processed\r\n';
    const report = (extraParts: number, extraFields = '') =>
      Buffer.from(`--b\r\nContent-Type: text/plain\r\n\r\nok\r\n${'--b\r\nA: b\r\n\r\n\r\n'.repeat(extraParts)}--b\r\nContent-Type: message/disposition-notification\r\n\r\n${extraFields}${fields}--b--\r\n`);
    expect(peekMdnOriginalMessageId(headers, report(14))).toBe('<a@b>');
    expect(readMdn({ headers, body: report(14), expected: { messageId: '<a@b>' } }).status).toBe('delivered');
    expect(() => peekMdnOriginalMessageId(headers, report(70_000))).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN', message: 'The MDN is not well-formed: The multipart body has more than 16 parts.' }));
    expect(peekMdnOriginalMessageId(headers, report(0, 'X-Field: a\r\n'.repeat(1_000)))).toBe('<a@b>');
    expect(() => peekMdnOriginalMessageId(headers, report(0, 'X-Field: a\r\n'.repeat(10_000)))).toThrow(expect.objectContaining({ code: 'MALFORMED_MDN', message: expect.stringContaining('disposition-notification part is') }));
  });

  it('reads every modifier of a list (RFC 3798 §3.2.6): an error among them fails, a warning alone warns', () => {
    const read = (disposition: string) =>
      readMdn({
        headers: { 'content-type': 'multipart/report; report-type=disposition-notification; boundary=b' },
        body: Buffer.from(`--b\r\nContent-Type: message/disposition-notification\r\n\r\nOriginal-Message-ID: <a@b>\r\nDisposition: automatic-action/MDN-sent-automatically; ${disposition}\r\n--b--\r\n`),
        expected: { messageId: '<a@b>' },
      });
    expect(read('processed/error,warning: decryption-failed')).toMatchObject({ status: 'failed', reason: 'The partner reports "processed/error,warning: decryption-failed".' });
    expect(read('processed/Warning, Error: decryption-failed').status).toBe('failed');
    expect(read('processed/warning,failure: x').status).toBe('failed');
    expect(read('processed/warning, x-note: duplicate-document').status).toBe('delivered-with-warning');
    expect(read('processed/x-note').status).toBe('delivered');
    expect(parseDisposition('a/b; processed/ Error , Warning : x')).toMatchObject({ modifier: 'error,warning', modifiers: ['error', 'warning'], description: 'x' });
    // Comments between the tokens say nothing: the error is still an error, the processed still processed.
    expect(read('processed/error (a comment): authentication-failed').status).toBe('failed');
    expect(read('processed (all good)').status).toBe('delivered');
    expect(parseDisposition('a/b; (x) processed (y) / (z) error: q')).toMatchObject({ type: 'processed', modifiers: ['error'] });
  });
});
