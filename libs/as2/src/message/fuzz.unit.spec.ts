import { seededRandom } from '@as2-partners/kernel-testing';
import { As2Error } from '../errors/as2-error';
import { readMdn } from '../mdn/read-mdn';
import { createSelfSignedIdentity } from '../pki/self-signed-identity';
import { buildAs2Message } from './build-as2-message';
import { handleAs2Request } from './handle-as2-request';
import { receiveAs2Message } from './receive-as2-message';

function mutate(input: Buffer, random: () => number): Buffer {
  const out = Buffer.from(input);
  const pick = () => Math.floor(random() * out.length);
  switch (Math.floor(random() * 5)) {
    case 0:
      for (let i = 0; i < 1 + random() * 8; i++) out[pick()] = Math.floor(random() * 256);
      return out;
    case 1:
      return out.subarray(0, pick());
    case 2: {
      const at = pick();
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + Math.floor(random() * 64))]);
    }
    case 3: {
      const at = pick();
      return Buffer.concat([out.subarray(0, at), Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x80, 0x0d, 0x0a]), out.subarray(at)]);
    }
    default: {
      const at = pick();
      return Buffer.concat([out.subarray(0, at), out.subarray(at, at + 200), out.subarray(at)]);
    }
  }
}

const sender = createSelfSignedIdentity({ commonName: 'Fuzz Sender' });
const receiver = createSelfSignedIdentity({ commonName: 'Fuzz Receiver' });

function expectOnlyTypedErrors(fn: () => unknown, label: string): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof As2Error) || error.code === 'UNEXPECTED_ERROR') {
      throw new Error(`${label}: untyped failure ${error instanceof Error ? error.stack : String(error)}`);
    }
  }
}

describe('fuzz: mutated messages and MDNs give only typed errors (seeded, bounded)', () => {
  const variants = [
    buildAs2Message({ payload: Buffer.from('ISA*00~\r\n'.repeat(20)), as2From: 'S', as2To: 'R', sign: { keyPair: sender.keyPair, algorithm: 'sha256' }, encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'aes-128-cbc' }, mdn: { signed: { micAlgorithms: ['sha256'] } } }),
    buildAs2Message({ payload: Buffer.from('ISA*00~\r\n'.repeat(20)), as2From: 'S', as2To: 'R', sign: { keyPair: sender.keyPair, algorithm: 'sha1' }, compress: 'before-signing' }),
    buildAs2Message({ payload: Buffer.from('ISA*00~\r\n'.repeat(20)), as2From: 'S', as2To: 'R', compress: 'after-signing', encrypt: { certificate: receiver.keyPair.certificate, algorithm: 'des-ede3-cbc' } }),
  ];

  it.each(variants.map((v, i) => [i, v] as const))('message variant %i: 300 mutations', (i, sent) => {
    const random = seededRandom(1000 + i);
    for (let n = 0; n < 300; n++) {
      const body = mutate(sent.body, random);
      expectOnlyTypedErrors(
        () => receiveAs2Message({ headers: sent.headers, body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], maxPayloadBytes: 1024 * 1024 }),
        `variant ${i} mutation ${n}`,
      );
    }
  });

  it('mutated Content-Type headers: 200 mutations', () => {
    const sent = variants[1];
    const random = seededRandom(77);
    for (let n = 0; n < 200; n++) {
      const contentType = mutate(Buffer.from(sent.headers['Content-Type']), random).toString('latin1');
      expectOnlyTypedErrors(() => receiveAs2Message({ headers: { ...sent.headers, 'Content-Type': contentType }, body: sent.body, partnerCertificates: [sender.keyPair.certificate] }), `header mutation ${n}`);
    }
  });

  it('mutated MDNs: 300 mutations', () => {
    const sent = variants[0];
    const handled = handleAs2Request({ headers: sent.headers, body: sent.body, decryptionKeys: [receiver.keyPair], partnerCertificates: [sender.keyPair.certificate], mdnSigner: receiver.keyPair });
    const random = seededRandom(4242);
    for (let n = 0; n < 300; n++) {
      const body = mutate(handled.mdn!.body, random);
      expectOnlyTypedErrors(() => readMdn({ headers: handled.mdn!.headers, body, partnerCertificates: [receiver.keyPair.certificate], expected: { messageId: sent.messageId, mic: sent.mic } }), `mdn mutation ${n}`);
    }
  });
});
