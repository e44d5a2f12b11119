import { malformed } from '../asn1/asn1-error';
import type { Asn1Element } from '../asn1/asn1-reader';
import { Tag } from '../asn1/asn1-tag';
import { oidOf } from '../asn1/asn1-values';
import { ATTRIBUTE_TYPE_NAMES } from './x509-names';

const LATIN1_STRING_TAGS = new Set<number>([Tag.printableString, Tag.ia5String, Tag.numericString, Tag.teletexString, Tag.visibleString]);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One AttributeTypeAndValue of a Name, its value decoded when it is a directory string. */
export interface NameAttribute {
  readonly oid: string;
  /** The whole value element (identifier, length, content). */
  readonly valueDer: Buffer;
  /** undefined when the value is not a decodable directory string */
  readonly text: string | undefined;
}

/** The RDNs of an X.501 Name in DER order, each a set of attributes; throws Asn1Error when it is not a Name. */
export function readNameAttributes(name: Asn1Element, what: string): NameAttribute[][] {
  if (name.tag !== Tag.sequence) throw malformed(`The certificate's ${what} is malformed`);
  return name.children.map((rdn) => {
    if (rdn.tag !== Tag.set) throw malformed(`The certificate's ${what} is malformed`);
    if (rdn.children.length === 0) throw malformed(`The certificate's ${what} has an empty RDN`);
    return rdn.children.map((attribute) => {
      const [type, value, ...rest] = attribute.children;
      if (attribute.tag !== Tag.sequence || value === undefined || rest.length > 0) throw malformed(`The certificate's ${what} is malformed`);
      if (type?.tag !== Tag.oid) throw malformed(`The certificate's ${what} is malformed`);
      return { oid: oidOf(type, what), valueDer: value.raw, text: decodeDirectoryString(value) };
    });
  });
}

/** RFC 4514 string of an X.501 Name: last RDN first, ", " between RDNs, "+" within a multi-valued RDN. */
export function formatDistinguishedName(name: Asn1Element, what: string): string {
  return readNameAttributes(name, what)
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .reverse()
    .join(', ');
}

function formatAttribute(attribute: NameAttribute): string {
  const name = ATTRIBUTE_TYPE_NAMES[attribute.oid];
  // RFC 4514 2.4: unknown types and undecodable values are written as the hex of their BER encoding.
  if (name === undefined || attribute.text === undefined) return `${name ?? attribute.oid}=#${attribute.valueDer.toString('hex')}`;
  return `${name}=${escapeAttributeValue(attribute.text)}`;
}

function decodeDirectoryString(value: Asn1Element): string | undefined {
  if (value.constructed || (value.tag & 0xc0) !== 0) return undefined;
  const bytes = value.content;
  if (value.tag === Tag.utf8String) {
    try {
      return utf8.decode(bytes);
    } catch {
      return undefined;
    }
  }
  if (LATIN1_STRING_TAGS.has(value.tag)) return bytes.toString('latin1');
  if (value.tag === Tag.bmpString) return bytes.length % 2 === 0 ? Buffer.from(bytes).swap16().toString('utf16le') : undefined;
  if (value.tag === Tag.universalString) return decodeUcs4(bytes);
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
