import { type Asn1, Asn1Type, childrenOf, isUniversal, oidOf, toDerBytes } from './asn1-tree';
import { invalidCertificate } from './certificate-reading.errors';
import { ATTRIBUTE_TYPE_NAMES } from './x509-names';

// Universal tag numbers @types/node-forge leaves out: NumericString 18, TeletexString 20, VisibleString 26, UniversalString 28.
const LATIN1_STRING_TYPES = new Set<number>([Asn1Type.PRINTABLESTRING, Asn1Type.IA5STRING, 18, 20, 26]);
const UNIVERSAL_STRING = 28;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** RFC 4514 string of an X.501 Name: last RDN first, ", " between RDNs, "+" within a multi-valued RDN. */
export function formatDistinguishedName(name: Asn1, what: string): string {
  if (!isUniversal(name, Asn1Type.SEQUENCE)) throw invalidCertificate(`The certificate's ${what} is malformed`);
  return childrenOf(name, what)
    .map((rdn) => {
      if (!isUniversal(rdn, Asn1Type.SET)) throw invalidCertificate(`The certificate's ${what} is malformed`);
      const attributes = childrenOf(rdn, what);
      if (attributes.length === 0) throw invalidCertificate(`The certificate's ${what} has an empty RDN`);
      return attributes.map((attribute) => formatAttribute(attribute, what)).join('+');
    })
    .reverse()
    .join(', ');
}

function formatAttribute(attribute: Asn1, what: string): string {
  const [type, value, ...rest] = childrenOf(attribute, what);
  if (!isUniversal(attribute, Asn1Type.SEQUENCE) || value === undefined || rest.length > 0) {
    throw invalidCertificate(`The certificate's ${what} is malformed`);
  }
  const oid = oidOf(type, what);
  const name = ATTRIBUTE_TYPE_NAMES[oid];
  const text = name === undefined ? undefined : decodeDirectoryString(value);
  // RFC 4514 2.4: unknown types and undecodable values are written as the hex of their BER encoding.
  if (name === undefined || text === undefined) return `${name ?? oid}=#${toDerBytes(value).toString('hex')}`;
  return `${name}=${escapeAttributeValue(text)}`;
}

function decodeDirectoryString(value: Asn1): string | undefined {
  if (value.tagClass !== 0 || typeof value.value !== 'string') return undefined;
  const bytes = Buffer.from(value.value, 'binary');
  const type: number = value.type;
  if (type === Asn1Type.UTF8) {
    try {
      return utf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  if (LATIN1_STRING_TYPES.has(type)) return bytes.toString('latin1');
  if (type === Asn1Type.BMPSTRING) return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : undefined;
  if (type === UNIVERSAL_STRING) return decodeUcs4(bytes);
  return undefined;
}

function decodeUcs4(bytes: Buffer): string | undefined {
  if (bytes.length % 4 !== 0) return undefined;
  let text = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const codePoint = bytes.readUInt32BE(i);
    if (codePoint > 0x10ffff) return undefined;
    text += String.fromCodePoint(codePoint);
  }
  return text;
}

/** RFC 4514 2.4 escaping; control characters become hex pairs so a name never breaks a log line. */
export function escapeAttributeValue(value: string): string {
  let escaped = '';
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    const code = char.charCodeAt(0);
    if ('"+,;<>\\'.includes(char)) escaped += `\\${char}`;
    else if (code < 0x20 || code === 0x7f) escaped += `\\${code.toString(16).padStart(2, '0')}`;
    else if ((i === 0 && (char === ' ' || char === '#')) || (i === value.length - 1 && char === ' ')) escaped += `\\${char}`;
    else escaped += char;
  }
  return escaped;
}
