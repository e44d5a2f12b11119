import { createHash, createPrivateKey, KeyObject, sign } from 'node:crypto';
import { der } from './asn1/der-writer';
import { certificateFieldsOf, CertificateFields } from './certificate-fields';
import { Oid } from './oids';
import { pemBlocksToDer } from './pem-blocks';
import { TsaIdentity } from './tsa-identity';

const attribute = (oid: string, value: Buffer): Buffer => der.sequence(der.oid(oid), der.setOf(value));

/** Wraps TSTInfo in a CMS SignedData (RFC 5652) signed by the TSA, with the ESS attribute OpenSSL insists on. */
export class TimestampTokenSigner {
  private readonly key: KeyObject;
  private readonly signer: CertificateFields;
  private readonly chainDer: readonly Buffer[];
  private readonly signerIdentifier: Buffer;
  private readonly signingCertificateAttribute: Buffer;

  constructor(identity: TsaIdentity) {
    this.key = createPrivateKey(identity.privateKeyPem);
    if (this.key.asymmetricKeyType !== 'rsa') throw new Error(`the TSA key must be RSA, not ${this.key.asymmetricKeyType}`);
    const [leafDer] = pemBlocksToDer(identity.certificatePem);
    if (!leafDer) throw new Error('the TSA identity has no certificate');
    this.signer = certificateFieldsOf(leafDer);
    this.chainDer = identity.chainPem.flatMap((pem) => pemBlocksToDer(pem));
    this.signerIdentifier = der.sequence(this.signer.issuerDer, this.signer.serialNumberDer);
    // SigningCertificateV2 { certs { ESSCertIDv2 { certHash (sha256 is the default algorithm), issuerSerial } } } (RFC 5035).
    const issuerSerial = der.sequence(der.sequence(der.explicit(4, this.signer.issuerDer)), this.signer.serialNumberDer);
    const certificateHash = createHash('sha256').update(leafDer).digest();
    this.signingCertificateAttribute = attribute(
      Oid.signingCertificateV2Attribute,
      der.sequence(der.sequence(der.sequence(der.octetString(certificateHash), issuerSerial))),
    );
  }

  get subjectNameDer(): Buffer {
    return this.signer.subjectDer;
  }

  /** A ContentInfo holding SignedData over the TSTInfo; certificates (leaf then chain) only when the request asked. */
  sign(tstInfoDer: Buffer, signingTime: Date, includeCertificates: boolean): Buffer {
    const signedAttributes = der.setOf(
      attribute(Oid.contentTypeAttribute, der.oid(Oid.tstInfo)),
      attribute(Oid.signingTimeAttribute, der.utcTime(signingTime)),
      attribute(Oid.messageDigestAttribute, der.octetString(createHash('sha256').update(tstInfoDer).digest())),
      this.signingCertificateAttribute,
    );
    const signature = sign('sha256', signedAttributes, this.key);
    const signerInfo = der.sequence(
      der.integer(1),
      this.signerIdentifier,
      der.algorithm(Oid.sha256),
      // The signature covers the attributes as a SET; in SignerInfo they sit under IMPLICIT [0].
      Buffer.concat([Buffer.from([0xa0]), signedAttributes.subarray(1)]),
      der.algorithm(Oid.rsaEncryption, der.null()),
      der.octetString(signature),
    );
    const signedData = der.sequence(
      der.integer(3),
      der.setOf(der.algorithm(Oid.sha256)),
      der.sequence(der.oid(Oid.tstInfo), der.explicit(0, der.octetString(tstInfoDer))),
      ...(includeCertificates ? [der.implicitConstructed(0, this.signer.der, ...this.chainDer)] : []),
      der.setOf(signerInfo),
    );
    return der.sequence(der.oid(Oid.signedData), der.explicit(0, signedData));
  }
}
