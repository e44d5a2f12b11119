import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { md, pki } from 'node-forge';
import { pinnedIssuerRefusal } from './pinned-issuer';

const DAY = 86_400_000;
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

/** A self-signed certificate named `commonName`, a CA or not, valid from `notBefore` to `notAfter`. */
function certificate(commonName: string, ca: boolean, notBefore: number, notAfter: number): X509Certificate {
  const made = pki.createCertificate();
  made.publicKey = pki.publicKeyFromPem(keys.publicKey);
  made.serialNumber = '01';
  made.validity.notBefore = new Date(notBefore);
  made.validity.notAfter = new Date(notAfter);
  made.setSubject([{ name: 'commonName', value: commonName }]);
  made.setIssuer([{ name: 'commonName', value: commonName }]);
  made.setExtensions([{ name: 'basicConstraints', cA: ca, critical: true }]);
  made.sign(pki.privateKeyFromPem(keys.privateKey), md.sha256.create());
  return new X509Certificate(pki.certificateToPem(made));
}

describe("pinnedIssuerRefusal: whether a pinned TLS certificate may stand as the server certificate's issuer", () => {
  const now = Date.now();

  it('takes a CA certificate valid now', () => {
    expect(pinnedIssuerRefusal(certificate('Partner CA', true, now - DAY, now + DAY), now)).toBeNull();
  });

  it('refuses a CA certificate that expired or is not valid yet, and a certificate that is no CA', () => {
    const refusals = [certificate('Old CA', true, now - 10 * DAY, now - DAY), certificate('Future CA', true, now + DAY, now + 10 * DAY), certificate('pinned leaf', false, now - DAY, now + DAY)].map((c) => pinnedIssuerRefusal(c, now));
    expect(refusals).toEqual([
      expect.stringMatching(/^the partner's pinned TLS certificate CN=Old CA expired on /),
      expect.stringMatching(/^the partner's pinned TLS certificate CN=Future CA is not valid before /),
      expect.stringMatching(/^the partner's pinned TLS certificate CN=pinned leaf is no CA certificate/),
    ]);
  });
});
