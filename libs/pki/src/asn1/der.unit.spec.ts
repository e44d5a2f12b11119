import { Asn1Error } from './asn1-error';
import { readAsn1 } from './asn1-reader';
import { generalizedTimeOf, integerHexOf, oidOf, utcInstant } from './asn1-values';
import { der, flatten } from './der-writer';

const readDer = (buf: Buffer) => readAsn1(buf, { maxDepth: 32 });

describe('DER writer and reader', () => {
  it('encodes non-negative integers minimally, padding a set high bit', () => {
    expect(der.integer(0).toString('hex')).toBe('020100');
    expect(der.integer(1).toString('hex')).toBe('020101');
    expect(der.integer(128).toString('hex')).toBe('02020080');
    expect(der.integer(0x1234).toString('hex')).toBe('02021234');
    expect(der.integer(Buffer.from('00007f', 'hex')).toString('hex')).toBe('02017f');
    expect(der.integer(Buffer.from('ff', 'hex')).toString('hex')).toBe('020200ff');
    expect(integerHexOf(readDer(der.integer(Buffer.from('ff01', 'hex'))), 'n')).toBe('ff01');
  });

  it('reads a negative INTEGER as its sign and magnitude, apart from the positive one of the same bytes', () => {
    expect(integerHexOf(readDer(Buffer.from('0202ff00', 'hex')), 'n')).toBe('-0100');
    expect(integerHexOf(readDer(Buffer.from('020300ff00', 'hex')), 'n')).toBe('ff00');
    expect(integerHexOf(readDer(Buffer.from('0201ff', 'hex')), 'n')).toBe('-01');
    expect(integerHexOf(readDer(Buffer.from('020180', 'hex')), 'n')).toBe('-80');
    expect(integerHexOf(readDer(Buffer.from('0202ff7f', 'hex')), 'n')).toBe('-81');
    expect(integerHexOf(readDer(Buffer.from('0203800000', 'hex')), 'n')).toBe('-800000');
  });

  it('round-trips object identifiers with multi-byte arcs', () => {
    for (const oid of ['1.2.840.113549.1.9.16.2.47', '2.16.840.1.101.3.4.2.1', '1.3.6.1.4.1.32473.3161.1']) {
      expect(oidOf(readDer(der.oid(oid)), 'oid')).toBe(oid);
    }
    expect(der.oid('1.2.840.113549').toString('hex')).toBe('06062a864886f70d');
  });

  it('writes GeneralizedTime in UTC with trimmed milliseconds and reads it back', () => {
    const at = new Date('2026-03-04T05:06:07.120Z');
    expect(der.generalizedTime(at).subarray(2).toString('latin1')).toBe('20260304050607.12Z');
    expect(der.generalizedTime(new Date('2026-03-04T05:06:07.000Z')).subarray(2).toString('latin1')).toBe('20260304050607Z');
    expect(generalizedTimeOf(readDer(der.generalizedTime(at)), 't').toISOString()).toBe(at.toISOString());
  });

  it('reads the years 0000–0099 as themselves, not as 1900–1999 (Date.UTC would)', () => {
    const generalized = (text: string) => readDer(Buffer.concat([Buffer.from([0x18, text.length]), Buffer.from(text, 'latin1')]));
    expect(generalizedTimeOf(generalized('00000101000000Z'), 't').getUTCFullYear()).toBe(0);
    expect(generalizedTimeOf(generalized('00991231235959Z'), 't').toISOString()).toBe('0099-12-31T23:59:59.000Z');
    expect(generalizedTimeOf(generalized('01000101000000Z'), 't').toISOString()).toBe('0100-01-01T00:00:00.000Z');
    expect(utcInstant(50, 2, 29, 0, 0, 0).toISOString()).toBe('0050-03-01T00:00:00.000Z');
    expect(utcInstant(0, 2, 29, 0, 0, 0).toISOString()).toBe('0000-02-29T00:00:00.000Z');
    expect(utcInstant(1999, 12, 31, 23, 59, 59, 999).toISOString()).toBe('1999-12-31T23:59:59.999Z');
  });

  it('encodes named bits without trailing zero bits', () => {
    expect(der.namedBits([0]).toString('hex')).toBe('03020780');
    expect(der.namedBits([5]).toString('hex')).toBe('03020204');
    expect(der.namedBits([16]).toString('hex')).toBe('030407000080');
  });

  it('uses long-form lengths past 127 bytes', () => {
    const element = readDer(flatten(der.octetString(Buffer.alloc(300, 7))));
    expect(element.raw.subarray(0, 4).toString('hex')).toBe('0482012c');
    expect(element.content).toHaveLength(300);
  });

  it('sorts SET OF members by encoding', () => {
    expect(flatten(der.setOf(der.integer(2), der.integer(1))).toString('hex')).toBe('3106020101020102');
  });

  it('refuses truncated input, trailing bytes and indefinite lengths', () => {
    expect(() => readDer(Buffer.from('3005020101', 'hex'))).toThrow(Asn1Error);
    expect(() => readDer(Buffer.from('02010100', 'hex'))).toThrow(/after the structure/);
    expect(() => readDer(Buffer.from('30800201010000', 'hex'))).toThrow(/indefinite/);
    expect(() => readDer(Buffer.from('garbage'))).toThrow(Asn1Error);
  });
});
