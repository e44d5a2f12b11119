import { malformed } from './asn1-error';
import type { Asn1Element } from './asn1-reader';
import { Tag } from './asn1-tag';

/** The element, or Asn1Error naming `what` when it is missing or of another type. */
export function expectTag(element: Asn1Element | undefined, tag: number, what: string): Asn1Element {
  if (!element) throw malformed(`${what} is missing`);
  if (element.tag !== tag) throw malformed(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return element;
}

export function childAt(element: Asn1Element, index: number, what: string): Asn1Element {
  const child = element.children[index];
  if (!child) throw malformed(`${what} is missing`);
  return child;
}

/** Dotted form of an OBJECT IDENTIFIER. */
export function oidOf(element: Asn1Element | undefined, what: string): string {
  const bytes = expectTag(element, Tag.oid, what).content;
  if (bytes.length === 0 || bytes[bytes.length - 1] & 0x80) throw malformed(`${what} is not a valid object identifier`);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of bytes) {
    if (value > Number.MAX_SAFE_INTEGER / 128) throw malformed(`${what} has an arc too large`);
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const top = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(top, value - top * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join('.');
}

/** Content of an OCTET STRING in either encoding: primitive, or BER-constructed from segments (as OpenSSL streams it). */
export function octetStringValue(element: Asn1Element): Buffer {
  if (!element.constructed) return element.content;
  const segments: Buffer[] = [];
  const pending: Asn1Element[] = [...element.children].reverse();
  while (pending.length > 0) {
    const next = pending.pop() as Asn1Element;
    if (next.constructed) pending.push(...[...next.children].reverse());
    else segments.push(next.content);
  }
  return segments.length === 1 ? segments[0] : Buffer.concat(segments);
}

/** A small non-negative INTEGER as a number (versions, status codes). */
export function smallIntegerOf(element: Asn1Element | undefined, what: string): number {
  const bytes = expectTag(element, Tag.integer, what).content;
  if (bytes.length === 0 || bytes.length > 4 || bytes[0] & 0x80) throw malformed(`${what} is not a small non-negative integer`);
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

/**
 * An INTEGER as lowercase hex of whole bytes: a non-negative one without the sign-padding zero byte, a negative one as
 * '-' and its magnitude (OpenSSL's form, lowercase: -256 is "-0100", 65280 "ff00"), so two integers never read the same.
 */
export function integerHexOf(element: Asn1Element | undefined, what: string): string {
  const bytes = expectTag(element, Tag.integer, what).content;
  if (bytes.length === 0) throw malformed(`${what} is an empty integer`);
  if (isNegativeInteger(bytes)) return negativeIntegerHex(bytes);
  return (bytes.length > 1 && bytes[0] === 0 ? bytes.subarray(1) : bytes).toString('hex');
}

/** Whether an INTEGER's content octets (two's complement) hold a negative number. */
export function isNegativeInteger(content: Buffer): boolean {
  return content.length > 0 && (content[0] & 0x80) !== 0;
}

/** A negative INTEGER's content octets as '-' and the lowercase hex of its magnitude in whole bytes ("ff00" is "-0100"). */
export function negativeIntegerHex(content: Buffer): string {
  const magnitude = (1n << BigInt(content.length * 8)) - BigInt(`0x${content.toString('hex')}`);
  const hex = magnitude.toString(16);
  return `-${hex.length % 2 === 0 ? hex : `0${hex}`}`;
}

/** An instant in UTC from its parts (month from 1), years 0–99 as themselves (Date.UTC reads them as 1900–1999); out-of-range parts roll over as in Date.UTC. */
export function utcInstant(year: number, month: number, day: number, hour: number, minute: number, second: number, millis = 0): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return date;
}

/** GeneralizedTime in UTC with an optional fraction of a second (RFC 3161 genTime). */
export function generalizedTimeOf(element: Asn1Element | undefined, what: string): Date {
  const text = expectTag(element, Tag.generalizedTime, what).content.toString('latin1');
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text);
  if (!match) throw malformed(`${what} is not a UTC GeneralizedTime: ${JSON.stringify(text.slice(0, 32))}`);
  const [, y, mo, d, h, mi, s, fraction] = match;
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  return utcInstant(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s), millis);
}
