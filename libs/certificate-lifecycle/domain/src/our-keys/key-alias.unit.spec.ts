import { DomainError } from '@as2-partners/kernel';
import { assertKeyAlias, assertNewKeyAlias } from './key-alias';

describe('key aliases', () => {
  it.each(['our-as2', 'a', 'v1.2_x', '...', '.hidden', 'a..b'])('takes %j for a new key', (alias) => expect(assertNewKeyAlias(alias)).toBe(alias));

  it.each(['.', '..'])('refuses the URL dot-segment %j for a new key, yet still reads a stored one', (alias) => {
    expect(() => assertNewKeyAlias(alias)).toThrow(DomainError);
    expect(() => assertNewKeyAlias(alias)).toThrow('must not be "." or ".."');
    expect(assertKeyAlias(alias)).toBe(alias);
  });

  it.each(['', 'a/b', 'a b', 'x'.repeat(101), 7])('refuses %j', (alias) => expect(() => assertNewKeyAlias(alias)).toThrow(DomainError));
});
