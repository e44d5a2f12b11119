import { der, Oid, cmsAttribute, signedAttributesSet } from '@as2-partners/pki';
import { contentCiphers, digestAlgorithms } from '../crypto/algorithms';
import { decryptEnveloped, decryptEnvelopedWith, encryptEnveloped } from '../cms/enveloped-data';
import { flatten } from '@as2-partners/pki';
import { As2Error } from '../errors/as2-error';
import { parseAs2Envelope } from '../message/as2-envelope';
import { buildAs2Message, buildAs2MessageAsync } from '../message/build-as2-message';
import { handleAs2RequestAsync } from '../message/handle-as2-request';
import { receiveAs2Message, receiveAs2MessageAsync } from '../message/receive-as2-message';
import { readMdn } from '../mdn/read-mdn';
import * as forge from 'node-forge';
import { isMimeEntity } from '../mime/mime-entity';
import { As2Certificate } from '../pki/certificate';
import type { As2KeyPair } from '../pki/private-key';
import { createSelfSignedIdentity, type SelfSignedIdentity } from '../pki/self-signed-identity';
import { keyPairDecryptor, type As2Decryptor } from './as2-decryptor';
import { keyPairSigner, type As2Signer } from './as2-signer';
import { buildSignedAttributes, checkSignedAttributes } from './signed-attributes';

const sender = createSelfSignedIdentity({ commonName: 'External Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'External Receiver' });
const stranger = createSelfSignedIdentity({ commonName: 'Stranger' });
const payload = Buffer.concat([Buffer.from('ISA*00*\r\nGS*PO\n'), Buffer.from([0, 0xff, 0x0d, 0x0a])]);
const base = { payload, fileName: 'po.edi', contentType: 'application/edi-x12', as2From: 'SENDER', as2To: 'RECEIVER' };
const mimeContent = Buffer.concat([Buffer.from('Content-Type: application/edi-x12\r\n\r\n'), payload]);
const asAs2 = { acceptsContent: isMimeEntity };
/** A key pair whose private key does not match its certificate (a misconfigured keystore). */
const mismatchedPair = { privateKey: stranger.keyPair.privateKey, certificate: receiver.keyPair.certificate };

/** An envelope to `to` whose content key, unwrapped with `wrong`, decrypts it with valid CBC padding: garbage a padding check lets through. */
function envelopeGarbledBy(wrong: As2KeyPair, to: As2Certificate): Buffer {
  for (let attempt = 0; attempt < 5_000; attempt++) {
    const enveloped = Buffer.concat(encryptEnveloped([mimeContent], to, 'aes-128-cbc').chunks as Buffer[]);
    try {
      decryptEnveloped(enveloped, [{ privateKey: wrong.privateKey, certificate: to }]);
      return enveloped;
    } catch {
      // the usual case: the padding check caught the wrong key
    }
  }
  throw new Error('no envelope in 5,000 passed the padding check with a wrong key (expected about 1 in 256)');
}

/** The same key under a new certificate (another serial): what a partner still holding the old one names wrongly. */
function reissued(identity: SelfSignedIdentity, serialHex: string): As2Certificate {
  const key = forge.pki.privateKeyFromPem(identity.privateKeyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = serialHex;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ shortName: 'CN', value: 'External Receiver (re-issued)' }]);
  cert.setIssuer([{ shortName: 'CN', value: 'External Receiver (re-issued)' }]);
  cert.sign(key, forge.md.sha256.create());
  return As2Certificate.from(forge.pki.certificateToPem(cert));
}

/** A signer that only sees what it is sent, as a keystore in another process would: records the bytes it signed. */
function recordingSigner(inner: As2Signer): As2Signer & { seen: Buffer[] } {
  const seen: Buffer[] = [];
  return { seen, signAttributes: async (attributes, algorithm) => (seen.push(attributes), inner.signAttributes(attributes, algorithm)) };
}

describe('external signer', () => {
  it.each(digestAlgorithms)('a message signed through the hook with %s verifies with the signer certificate, MIC as with the key pair', async (algorithm) => {
    const signer = recordingSigner(keyPairSigner(sender.keyPair));
    const sent = await buildAs2MessageAsync({ ...base, sign: { signer, algorithm } });
    const received = receiveAs2Message({ headers: sent.headers, body: sent.body, partnerCertificates: [sender.keyPair.certificate], requireSignature: true });
    expect(received.payload).toEqual(payload);
    expect(received.signature?.algorithm).toBe(algorithm);
    expect(received.signature?.certificate.fingerprint).toBe(sender.keyPair.certificate.fingerprint);
    expect(received.mic).toEqual(sent.mic);
    // Only the signed attributes reached the signer: never the payload.
    expect(signer.seen).toHaveLength(1);
    expect(signer.seen[0].includes(payload)).toBe(false);
    expect(() => checkSignedAttributes(signer.seen[0], algorithm, new Date(), 60_000)).not.toThrow();
  });

  it('signs, compresses and encrypts like the key-pair path (same MIC for the same date and message id)', async () => {
    const options = { ...base, date: new Date('2026-01-02T03:04:05Z'), messageId: '<same@test>', compress: 'before-signing' as const, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' as const } };
    const viaKey = buildAs2Message({ ...options, sign: { keyPair: sender.keyPair, algorithm: 'sha256' } });
    const viaHook = await buildAs2MessageAsync({ ...options, sign: { signer: keyPairSigner(sender.keyPair), algorithm: 'sha256' } });
    expect(viaHook.mic).toEqual(viaKey.mic);
    const received = receiveAs2Message({ headers: viaHook.headers, body: viaHook.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate] });
    expect(received).toMatchObject({ payload, compression: 'before-signing', encryption: { algorithm: 'aes-128-cbc' } });
  });

  it('refuses a signer that answers with a signature the certificate it names does not verify', async () => {
    const lying: As2Signer = { signAttributes: async (a, alg) => ({ ...(await keyPairSigner(stranger.keyPair).signAttributes(a, alg)), certificates: [sender.keyPair.certificate] }) };
    await expect(buildAs2MessageAsync({ ...base, sign: { signer: lying, algorithm: 'sha256' } })).rejects.toMatchObject({ code: 'SIGNATURE_INVALID' });
  });

  it('passes a signer failure through (no message goes out)', async () => {
    const down: As2Signer = { signAttributes: async () => Promise.reject(new Error('keystore down')) };
    await expect(buildAs2MessageAsync({ ...base, sign: { signer: down, algorithm: 'sha256' } })).rejects.toThrow('keystore down');
  });
});

describe('what a keystore accepts to sign (checkSignedAttributes)', () => {
  const now = new Date('2026-05-01T12:00:00Z');
  const digest32 = Buffer.alloc(32, 7);
  const attrs = (...a: Buffer[]) => signedAttributesSet(...a);
  const contentType = cmsAttribute(Oid.contentTypeAttribute, der.oid(Oid.data));
  const time = (d: Date) => cmsAttribute(Oid.signingTimeAttribute, der.utcTime(d));
  const md = (b: Buffer) => cmsAttribute(Oid.messageDigestAttribute, der.octetString(b));

  it('accepts the attributes this library builds', () => {
    expect(() => checkSignedAttributes(buildSignedAttributes(digest32, now), 'sha256', now, 300_000)).not.toThrow();
  });

  it.each([
    ['not DER', Buffer.from('hello')],
    ['a certificate-like SEQUENCE', flatten(der.sequence(der.integer(1), der.oid(Oid.data)))],
    ['no content-type', attrs(time(now), md(digest32))],
    ['no message-digest', attrs(contentType, time(now))],
    ['no signing-time', attrs(contentType, md(digest32))],
    ['a SHA-1 length digest for SHA-256', attrs(contentType, time(now), md(Buffer.alloc(20)))],
    ['a signing-time an hour off', attrs(contentType, time(new Date(now.getTime() - 3_600_000)), md(digest32))],
    ['a duplicated attribute', attrs(contentType, contentType, time(now), md(digest32))],
  ])('refuses %s', (_name, bytes) => {
    expect(() => checkSignedAttributes(bytes, 'sha256', now, 300_000)).toThrow(As2Error);
    try {
      checkSignedAttributes(bytes, 'sha256', now, 300_000);
    } catch (error) {
      expect((error as As2Error).code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('external decryptor', () => {
  it.each(contentCiphers)('opens %s enveloped-data with the key transport done by the decryptor', async (cipher) => {
    const enveloped = Buffer.concat(encryptEnveloped([payload], receiver.keyPair.certificate, cipher).chunks as Buffer[]);
    const opened = await decryptEnvelopedWith(enveloped, keyPairDecryptor([stranger.keyPair, receiver.keyPair]));
    expect(opened.content).toEqual(payload);
    expect(opened.cipher).toBe(cipher);
    expect(opened.recipient.fingerprint).toBe(receiver.keyPair.certificate.fingerprint);
    expect(decryptEnveloped(enveloped, [receiver.keyPair]).content).toEqual(payload);
  });

  it('only the key transport reaches the decryptor, never the ciphertext', async () => {
    const enveloped = Buffer.concat(encryptEnveloped([payload], receiver.keyPair.certificate, 'aes-256-cbc').chunks as Buffer[]);
    const calls: unknown[] = [];
    const inner = keyPairDecryptor([receiver.keyPair]);
    const spy: As2Decryptor = { unwrapContentKey: async (recipients, keyLength) => (calls.push({ recipients, keyLength }), inner.unwrapContentKey(recipients, keyLength)) };
    await decryptEnvelopedWith(enveloped, spy);
    expect(calls).toEqual([{ keyLength: 32, recipients: [{ recipientIdentifier: expect.any(Buffer), encryptedKey: expect.any(Buffer) }] }]);
    expect((calls[0] as { recipients: { encryptedKey: Buffer }[] }).recipients[0].encryptedKey.length).toBe(256);
  });

  it('names a message for another certificate RECIPIENT_MISMATCH and a bad key DECRYPTION_FAILED, as the key-pair path', async () => {
    const forStranger = Buffer.concat(encryptEnveloped([mimeContent], stranger.keyPair.certificate, 'aes-128-cbc').chunks as Buffer[]);
    await expect(decryptEnvelopedWith(forStranger, keyPairDecryptor([receiver.keyPair]), asAs2)).rejects.toMatchObject({ code: 'RECIPIENT_MISMATCH' });
    await expect(decryptEnvelopedWith(forStranger, keyPairDecryptor([receiver.keyPair]))).rejects.toMatchObject({ code: 'RECIPIENT_MISMATCH' });
    const forReceiver = Buffer.concat(encryptEnveloped([mimeContent], receiver.keyPair.certificate, 'aes-128-cbc').chunks as Buffer[]);
    // A decryptor whose key does not match the certificate it claims: implicit rejection gives a wrong key, the content fails.
    await expect(decryptEnvelopedWith(forReceiver, keyPairDecryptor([mismatchedPair]), asAs2)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    await expect(decryptEnvelopedWith(forReceiver, keyPairDecryptor([]), asAs2)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('reads at most 16 recipients of an envelope: more is SIZE_LIMIT_EXCEEDED before any key is used (each costs an RSA operation per key)', async () => {
    const toMany = (count: number): Buffer => {
      const envelope = forge.pkcs7.createEnvelopedData();
      const certificate = forge.pki.certificateFromPem(receiver.keyPair.certificate.toPem());
      for (let i = 0; i < count; i++) envelope.addRecipient(i === count - 1 ? certificate : forge.pki.certificateFromPem(stranger.keyPair.certificate.toPem()));
      envelope.content = forge.util.createBuffer(mimeContent.toString('binary'));
      envelope.encrypt();
      return Buffer.from(forge.asn1.toDer(envelope.toAsn1()).getBytes(), 'binary');
    };
    expect(decryptEnveloped(toMany(16), [receiver.keyPair], asAs2).content).toEqual(mimeContent);
    expect(() => decryptEnveloped(toMany(17), [receiver.keyPair], asAs2)).toThrow(expect.objectContaining({ code: 'SIZE_LIMIT_EXCEEDED', message: 'The encrypted message names 17 recipients; at most 16 are read.' }));
    let asked = 0;
    const counting: As2Decryptor = { unwrapContentKey: async (recipients, keyLength) => (asked++, keyPairDecryptor([receiver.keyPair]).unwrapContentKey(recipients, keyLength)) };
    await expect(decryptEnvelopedWith(toMany(17), counting, asAs2)).rejects.toMatchObject({ code: 'SIZE_LIMIT_EXCEEDED' });
    expect(asked).toBe(0);
  });

  it('a wrong key whose content key passes the CBC padding check (1 in 256) still yields no content where the content is tested', async () => {
    // Found by trying fresh envelopes: the wrong key's content key decrypts this one to garbage with valid padding.
    const garbled = envelopeGarbledBy(mismatchedPair, receiver.keyPair.certificate);
    expect(decryptEnveloped(garbled, [mismatchedPair]).content).not.toEqual(mimeContent); // what a caller testing nothing gets
    expect(() => decryptEnveloped(garbled, [mismatchedPair], asAs2)).toThrow(expect.objectContaining({ code: 'DECRYPTION_FAILED' }));
    await expect(decryptEnvelopedWith(garbled, keyPairDecryptor([mismatchedPair]), asAs2)).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
    // For a recipient that names none of our certificates the same garbage is never taken: tried only with the test.
    const strangers = envelopeGarbledBy({ privateKey: receiver.keyPair.privateKey, certificate: stranger.keyPair.certificate }, stranger.keyPair.certificate);
    expect(() => decryptEnveloped(strangers, [receiver.keyPair])).toThrow(expect.objectContaining({ code: 'RECIPIENT_MISMATCH' }));
    expect(() => decryptEnveloped(strangers, [receiver.keyPair], asAs2)).toThrow(expect.objectContaining({ code: 'RECIPIENT_MISMATCH' }));
    await expect(decryptEnvelopedWith(strangers, keyPairDecryptor([receiver.keyPair]), asAs2)).rejects.toMatchObject({ code: 'RECIPIENT_MISMATCH' });
  });

  it('opens a message encrypted to a re-issued certificate of the same key (a stale issuer/serial) only when the content is tested', async () => {
    const stale = reissued(receiver, '7f0102');
    expect(stale.serialNumberDer.equals(receiver.keyPair.certificate.serialNumberDer)).toBe(false);
    const enveloped = Buffer.concat(encryptEnveloped([mimeContent], stale, 'aes-256-cbc').chunks as Buffer[]);
    expect(decryptEnveloped(enveloped, [stranger.keyPair, receiver.keyPair], asAs2)).toMatchObject({ content: mimeContent, recipient: receiver.keyPair.certificate });
    expect((await decryptEnvelopedWith(enveloped, keyPairDecryptor([stranger.keyPair, receiver.keyPair]), asAs2)).content).toEqual(mimeContent);
    expect(() => decryptEnveloped(enveloped, [receiver.keyPair])).toThrow(expect.objectContaining({ code: 'RECIPIENT_MISMATCH' }));
    // The AS2 receive tests the content: a message to the stale certificate is received.
    const sent = buildAs2Message({ ...base, encrypt: { certificate: stale, algorithm: 'aes-128-cbc' } });
    expect(receiveAs2Message({ headers: sent.headers, body: sent.body, decryptionKeys: [stranger.keyPair, receiver.keyPair] }).payload).toEqual(payload);
  });

  it('receives a signed and encrypted message and answers a signed MDN with both keys elsewhere', async () => {
    const sent = buildAs2Message({
      ...base,
      sign: { keyPair: sender.keyPair, algorithm: 'sha384' },
      encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'des-ede3-cbc' },
      mdn: { signed: { micAlgorithms: ['sha384'] } },
    });
    const received = await receiveAs2MessageAsync({ headers: sent.headers, body: sent.body, decryptor: keyPairDecryptor([receiver.keyPair]), partnerCertificates: [sender.keyPair.certificate] });
    expect(received.mic).toEqual(sent.mic);
    const handled = await handleAs2RequestAsync({
      headers: sent.headers,
      body: sent.body,
      decryptor: keyPairDecryptor([receiver.keyPair]),
      mdnSigner: keyPairSigner(receiver.keyPair),
      partnerCertificates: [sender.keyPair.certificate],
    });
    expect(handled.error).toBeUndefined();
    expect(handled.mdn?.signed).toBe(true);
    const mdn = readMdn({ headers: handled.mdn!.headers, body: handled.mdn!.body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic }, requireSignature: true });
    expect(mdn.status).toBe('delivered');
    expect(parseAs2Envelope(sent.headers).messageId).toBe(sent.messageId);
  });

  it('without a decryptor an encrypted message fails with DECRYPTION_FAILED, a typed error', async () => {
    const sent = buildAs2Message({ ...base, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' } });
    await expect(receiveAs2MessageAsync({ headers: sent.headers, body: sent.body })).rejects.toMatchObject({ code: 'DECRYPTION_FAILED' });
  });

  it('a decryptor that cannot be reached rejects with its own error, not a negative MDN about the message', async () => {
    const sent = buildAs2Message({ ...base, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' }, mdn: {} });
    const outage = new Error('keystore down');
    const down: As2Decryptor = { unwrapContentKey: async () => Promise.reject(outage) };
    await expect(receiveAs2MessageAsync({ headers: sent.headers, body: sent.body, decryptor: down })).rejects.toBe(outage);
    await expect(handleAs2RequestAsync({ headers: sent.headers, body: sent.body, decryptor: down })).rejects.toBe(outage);
    // A refusal typed as the message's fault still becomes the MDN.
    const refusing: As2Decryptor = { unwrapContentKey: async () => Promise.reject(new As2Error('DECRYPTION_FAILED', 'not ours')) };
    const handled = await handleAs2RequestAsync({ headers: sent.headers, body: sent.body, decryptor: refusing });
    expect(handled.error?.code).toBe('DECRYPTION_FAILED');
    expect(handled.mdn?.disposition).toContain('decryption-failed');
  });
});
