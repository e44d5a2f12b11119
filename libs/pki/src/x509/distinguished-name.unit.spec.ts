import { readAsn1 } from '../asn1/asn1-reader';
import { Tag } from '../asn1/asn1-tag';
import { der, flatten, tlv } from '../asn1/der-writer';
import { escapeAttributeValue, formatDistinguishedName } from './distinguished-name';

const asn1 = { Type: { UTF8: Tag.utf8String, PRINTABLESTRING: Tag.printableString, IA5STRING: Tag.ia5String, BMPSTRING: Tag.bmpString } };

function name(...rdns: [string, number, string][][]) {
  const encoded = der.sequence(...rdns.map((rdn) => der.setOf(...rdn.map(([oid, type, value]) => der.sequence(der.oid(oid), tlv(type, Buffer.from(value, 'latin1')))))));
  return readAsn1(flatten(encoded), { maxDepth: 8 });
}

describe('formatDistinguishedName', () => {
  it('given C, O, CN in DER order, when formatted, then the seed form "CN=…, O=…, C=…" comes out', () => {
    const dn = name([['2.5.4.6', asn1.Type.PRINTABLESTRING, 'US']], [['2.5.4.10', asn1.Type.UTF8, 'Acme Corporation']], [['2.5.4.3', asn1.Type.UTF8, 'Acme Corp AS2']]);

    expect(formatDistinguishedName(dn, 'subject')).toBe('CN=Acme Corp AS2, O=Acme Corporation, C=US');
  });

  it('given a multi-valued RDN, when formatted, then its values are joined with +', () => {
    const dn = name([['2.5.4.10', asn1.Type.UTF8, 'Acme']], [['2.5.4.3', asn1.Type.UTF8, 'AS2'], ['2.5.4.11', asn1.Type.UTF8, 'EDI']]);

    expect(formatDistinguishedName(dn, 'subject')).toBe('CN=AS2+OU=EDI, O=Acme');
  });

  it('given an unknown attribute type, when formatted, then it is the dotted OID with the hex of its BER value', () => {
    const dn = name([['1.3.6.1.4.1.99999.7', asn1.Type.UTF8, 'x']]);

    expect(formatDistinguishedName(dn, 'subject')).toBe('1.3.6.1.4.1.99999.7=#0c0178');
  });

  it('given BMPString and emailAddress values, when formatted, then they are decoded', () => {
    const dn = name([['1.2.840.113549.1.9.1', asn1.Type.IA5STRING, 'edi@acme.example']], [['2.5.4.3', asn1.Type.BMPSTRING, '\x00Z\x00\xfc']]);

    expect(formatDistinguishedName(dn, 'subject')).toBe('CN=Zü, emailAddress=edi@acme.example');
  });

  it('given invalid UTF-8 in a UTF8String, when formatted, then the value is written as hex rather than replaced', () => {
    expect(formatDistinguishedName(name([['2.5.4.3', asn1.Type.UTF8, '\xff']]), 'subject')).toBe('CN=#0c01ff');
  });
});

describe('escapeAttributeValue', () => {
  it.each([
    ['a,b', 'a\\,b'],
    ['#x', '\\#x'],
    ['x#', 'x#'],
    [' lead', '\\ lead'],
    ['trail ', 'trail\\ '],
    ['nul\x00', 'nul\\00'],
    ['line\nbreak', 'line\\0abreak'],
    ['a=b', 'a=b'],
  ])('given %j, when escaped, then %j', (value, expected) => {
    expect(escapeAttributeValue(value)).toBe(expected);
  });
});
