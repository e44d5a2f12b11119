import * as forge from 'node-forge';

const { asn1, pki } = forge;
const node = (type: number, constructed: boolean, value: forge.asn1.Asn1[] | string) => asn1.create(asn1.Class.UNIVERSAL, type, constructed, value);
const explicit = (value: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [value]);
const oid = (name: string) => node(asn1.Type.OID, false, asn1.oidToDer(pki.oids[name] as string).getBytes());
const integer = (value: number) => node(asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());

/** Sets every iteration count (an INTEGER right after a salt's OCTET STRING) under `element` to `count`, re-encrypting nothing. */
function setIterationCounts(element: forge.asn1.Asn1, count: number): void {
  if (!Array.isArray(element.value)) return;
  element.value.forEach((child, i) => {
    const previous = (element.value as forge.asn1.Asn1[])[i - 1];
    if (i > 0 && child.type === asn1.Type.INTEGER && child.tagClass === asn1.Class.UNIVERSAL && previous?.type === asn1.Type.OCTETSTRING) {
      child.value = asn1.integerToDer(count).getBytes();
    }
    setIterationCounts(child, count);
  });
}

/**
 * A PKCS#12 file whose shrouded key bag lies inside the password-encrypted SafeContents (as some exporters write it),
 * the MAC and the outer encryption at 2048 iterations and the key bag's own PBKDF2 count set to `keyBagIterations`:
 * only a reader that decrypted the outer part could see that count.
 */
export function pkcs12WithKeyBagInsideEncryptedContent(keyPem: string, certificatePem: string, password: string, keyBagIterations: number, keyBags = 1): Buffer {
  // Encrypted at the count it names when a reader may derive it (up to 10,000), so that reading it decrypts for real.
  const keyBag = pki.encryptPrivateKeyInfo(pki.wrapRsaPrivateKey(pki.privateKeyToAsn1(pki.privateKeyFromPem(keyPem))), password, { algorithm: 'aes256', count: Math.min(keyBagIterations, 10_000) });
  setIterationCounts(keyBag, keyBagIterations);
  const certificateDer = asn1.toDer(pki.certificateToAsn1(pki.certificateFromPem(certificatePem))).getBytes();
  const safeContents = node(asn1.Type.SEQUENCE, true, [
    ...Array.from({ length: keyBags }, () => node(asn1.Type.SEQUENCE, true, [oid('pkcs8ShroudedKeyBag'), explicit(keyBag)])),
    node(asn1.Type.SEQUENCE, true, [oid('certBag'), explicit(node(asn1.Type.SEQUENCE, true, [oid('x509Certificate'), explicit(node(asn1.Type.OCTETSTRING, false, certificateDer))]))]),
  ]);
  // The SafeContents encrypted with PBES2 as a key is (the same AlgorithmIdentifier and ciphertext).
  const encrypted = pki.encryptPrivateKeyInfo(safeContents, password, { algorithm: 'aes256', count: 2048 });
  const [algorithm, ciphertext] = encrypted.value as forge.asn1.Asn1[];
  const encryptedData = node(asn1.Type.SEQUENCE, true, [
    oid('encryptedData'),
    explicit(node(asn1.Type.SEQUENCE, true, [integer(0), node(asn1.Type.SEQUENCE, true, [oid('data'), algorithm as forge.asn1.Asn1, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, (ciphertext as forge.asn1.Asn1).value as string)])])),
  ]);
  const authSafe = asn1.toDer(node(asn1.Type.SEQUENCE, true, [encryptedData])).getBytes();
  const macSalt = forge.random.getBytesSync(8);
  const macKey = forge.pkcs12.generateKey(password, forge.util.createBuffer(macSalt), 3, 2048, 20);
  const hmac = forge.hmac.create();
  hmac.start('sha1', macKey);
  hmac.update(authSafe);
  const pfx = node(asn1.Type.SEQUENCE, true, [
    integer(3),
    node(asn1.Type.SEQUENCE, true, [oid('data'), explicit(node(asn1.Type.OCTETSTRING, false, authSafe))]),
    node(asn1.Type.SEQUENCE, true, [
      node(asn1.Type.SEQUENCE, true, [node(asn1.Type.SEQUENCE, true, [oid('sha1'), node(asn1.Type.NULL, false, '')]), node(asn1.Type.OCTETSTRING, false, hmac.getMac().getBytes())]),
      node(asn1.Type.OCTETSTRING, false, macSalt),
      integer(2048),
    ]),
  ]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}

/**
 * A PKCS#12 file of `parts` password-encrypted SafeContents (each empty), each asking for `iterations`, and no MAC: its
 * derivations can be counted without the password, and none holds a key.
 */
export function pkcs12OfEncryptedParts(parts: number, iterations: number, password: string): Buffer {
  const encryptedData = () => {
    const encrypted = pki.encryptPrivateKeyInfo(node(asn1.Type.SEQUENCE, true, []), password, { algorithm: 'aes128', count: 1 });
    setIterationCounts(encrypted, iterations);
    const [algorithm, ciphertext] = encrypted.value as forge.asn1.Asn1[];
    return node(asn1.Type.SEQUENCE, true, [
      oid('encryptedData'),
      explicit(node(asn1.Type.SEQUENCE, true, [integer(0), node(asn1.Type.SEQUENCE, true, [oid('data'), algorithm as forge.asn1.Asn1, asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, (ciphertext as forge.asn1.Asn1).value as string)])])),
    ]);
  };
  const authSafe = asn1.toDer(node(asn1.Type.SEQUENCE, true, Array.from({ length: parts }, encryptedData))).getBytes();
  const pfx = node(asn1.Type.SEQUENCE, true, [integer(3), node(asn1.Type.SEQUENCE, true, [oid('data'), explicit(node(asn1.Type.OCTETSTRING, false, authSafe))])]);
  return Buffer.from(asn1.toDer(pfx).getBytes(), 'binary');
}
