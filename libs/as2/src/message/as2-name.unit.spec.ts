import { As2Error } from '../errors/as2-error';
import { parseAs2Name, quoteAs2Name } from './as2-name';

describe('AS2-From / AS2-To quoting (RFC 4130 §6.2)', () => {
  it.each([
    ['ACME', 'ACME'],
    ['acme-01_x.y', 'acme-01_x.y'],
    ['ACME Corp', '"ACME Corp"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
  ])('quotes %j as %s and reads it back', (name, header) => {
    expect(quoteAs2Name(name)).toBe(header);
    expect(parseAs2Name(header, 'AS2-From')).toBe(name);
  });

  it('keeps case: identifiers compare case-sensitively', () => {
    expect(parseAs2Name('AcMe', 'AS2-To')).toBe('AcMe');
  });

  it('accepts exactly 128 characters and refuses 129', () => {
    expect(quoteAs2Name('a'.repeat(128))).toHaveLength(128);
    expect(() => quoteAs2Name('a'.repeat(129))).toThrow(/at most 128/);
  });

  it.each([[''], ['tab\there'], ['é'], ['line\nbreak']])('refuses %j with INVALID_AS2_NAME', (name) => {
    expect(() => quoteAs2Name(name)).toThrow(As2Error);
    try {
      quoteAs2Name(name);
    } catch (error) {
      expect((error as As2Error).code).toBe('INVALID_AS2_NAME');
    }
  });

  it.each([['ACME Corp'], ['"unterminated'], ['"bad \\x escape"'], ['"a"b']])('refuses the malformed header %j', (header) => {
    expect(() => parseAs2Name(header, 'AS2-From')).toThrow(/AS2-From/);
  });
});
