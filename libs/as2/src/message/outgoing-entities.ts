import type { ContentCipher, DigestAlgorithm } from '../crypto/algorithms';
import { micAlgorithmName } from '../crypto/algorithms';
import { compress } from '../cms/compressed-data';
import { encryptEnveloped } from '../cms/enveloped-data';
import { entityChunks, type OutgoingEntity } from '../mime/mime-entity';
import { formatParam } from '../mime/mime-headers';
import { joinMultipart, newBoundary } from '../mime/multipart';
import { encodeBase64Lines } from '../mime/transfer-encoding';
import type { As2Certificate } from '../pki/certificate';

/** The S/MIME wrappers AS2 nests: each takes an entity and returns the entity that carries it. */

export function payloadEntity(payload: Buffer, contentType: string, fileName?: string): OutgoingEntity {
  return {
    headers: [
      { name: 'Content-Type', value: contentType },
      { name: 'Content-Transfer-Encoding', value: 'binary' },
      ...(fileName ? [{ name: 'Content-Disposition', value: `attachment; ${formatParam('filename', fileName)}` }] : []),
    ],
    body: [payload],
  };
}

export function compressedEntity(inner: OutgoingEntity): OutgoingEntity {
  return {
    headers: [
      { name: 'Content-Type', value: 'application/pkcs7-mime; smime-type=compressed-data; name="smime.p7z"' },
      { name: 'Content-Transfer-Encoding', value: 'binary' },
      { name: 'Content-Disposition', value: 'attachment; filename="smime.p7z"' },
    ],
    body: [compress(entityChunks(inner))],
  };
}

export function envelopedEntity(inner: OutgoingEntity, recipient: As2Certificate, cipher: ContentCipher): OutgoingEntity {
  return {
    headers: [
      { name: 'Content-Type', value: 'application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"' },
      { name: 'Content-Transfer-Encoding', value: 'binary' },
      { name: 'Content-Disposition', value: 'attachment; filename="smime.p7m"' },
    ],
    body: encryptEnveloped(entityChunks(inner), recipient, cipher).chunks,
  };
}

/** multipart/signed (RFC 1847 / RFC 5751 §3.5.3): `signedContent` (entityChunks of the inner entity) is signed byte for byte as serialized here. */
export function signedEntity(signedContent: readonly Buffer[], signature: Buffer, algorithm: DigestAlgorithm): OutgoingEntity {
  const signaturePart = entityChunks({
    headers: [
      { name: 'Content-Type', value: 'application/pkcs7-signature; name="smime.p7s"; smime-type=signed-data' },
      { name: 'Content-Transfer-Encoding', value: 'base64' },
      { name: 'Content-Disposition', value: 'attachment; filename="smime.p7s"' },
    ],
    body: [encodeBase64Lines(signature)],
  });
  const boundary = newBoundary();
  return {
    headers: [
      {
        name: 'Content-Type',
        value: `multipart/signed; protocol="application/pkcs7-signature"; micalg=${micAlgorithmName(algorithm)}; boundary="${boundary}"`,
      },
    ],
    body: joinMultipart([signedContent, signaturePart], boundary),
  };
}
