import { createHash, createPrivateKey, KeyObject, sign } from 'node:crypto';
import {
  cmsAttribute,
  der,
  flatten,
  issuerAndSerialNumber,
  Oid,
  pemBlocksToDer,
  readX509Certificate,
  signedAttributesSet,
  signedDataContentInfo,
  signerInfo,
  type X509Facts,
} from '@as2-partners/pki';
import { TsaIdentity } from './tsa-identity';

/** Wraps TSTInfo in a CMS SignedData (RFC 5652) signed by the TSA, with the ESS attribute OpenSSL insists on. */
export class TimestampTokenSigner {
  private readonly key: KeyObject;
  private readonly signer: X509Facts;
  private readonly chainDer: readonly Buffer[];
  private readonly signingCertificateAttribute: Buffer;

  constructor(identity: TsaIdentity) {
    this.key = createPrivateKey(identity.privateKeyPem);
    if (this.key.asymmetricKeyType !== 'rsa') throw new Error(`the TSA key must be RSA, not ${this.key.asymmetricKeyType}`);
    const [leafDer] = pemBlocksToDer(identity.certificatePem);
    if (!leafDer) throw new Error('the TSA identity has no certificate');
    this.signer = readX509Certificate(leafDer);
    this.chainDer = identity.chainPem.flatMap((pem) => pemBlocksToDer(pem));
    // SigningCertificateV2 { certs { ESSCertIDv2 { certHash (sha256 is the default algorithm), issuerSerial } } } (RFC 5035).
    const issuerSerial = der.sequence(der.sequence(der.explicit(4, this.signer.issuer.der)), this.signer.serialNumberDer);
    const certificateHash = createHash('sha256').update(leafDer).digest();
    this.signingCertificateAttribute = cmsAttribute(
      Oid.signingCertificateV2Attribute,
      der.sequence(der.sequence(der.sequence(der.octetString(certificateHash), issuerSerial))),
    );
  }

  get subjectNameDer(): Buffer {
    return this.signer.subject.der;
  }

  /** A ContentInfo holding SignedData over the TSTInfo; certificates (leaf then chain) only when the request asked. */
  sign(tstInfoDer: Buffer, signingTime: Date, includeCertificates: boolean): Buffer {
    const signedAttributes = signedAttributesSet(
      cmsAttribute(Oid.contentTypeAttribute, der.oid(Oid.tstInfo)),
      cmsAttribute(Oid.signingTimeAttribute, der.utcTime(signingTime)),
      cmsAttribute(Oid.messageDigestAttribute, der.octetString(createHash('sha256').update(tstInfoDer).digest())),
      this.signingCertificateAttribute,
    );
    return flatten(
      signedDataContentInfo({
        version: 3,
        digestAlgorithm: der.algorithm(Oid.sha256),
        encapsulatedContent: der.sequence(der.oid(Oid.tstInfo), der.explicit(0, der.octetString(tstInfoDer))),
        certificates: includeCertificates ? [this.signer.der, ...this.chainDer] : [],
        signerInfo: signerInfo({
          signerIdentifier: issuerAndSerialNumber(this.signer.issuer.der, this.signer.serialNumberDer),
          digestAlgorithm: der.algorithm(Oid.sha256),
          signedAttributes,
          signatureAlgorithm: der.algorithm(Oid.rsaEncryption, der.null()),
          signature: sign('sha256', signedAttributes, this.key),
        }),
      }),
    );
  }
}
