import { validateSync } from 'class-validator';
import { CharacterLength } from './character-length.decorator';

class Named {
  @CharacterLength(1, 3, { message: 'The name must be between 1 and 3 characters' })
  name!: unknown;
}

const errorsOf = (name: unknown) => validateSync(Object.assign(new Named(), { name })).flatMap((e) => Object.values(e.constraints ?? {}));

describe('CharacterLength', () => {
  it('counts characters as users do: three emoji are three, not six', () => {
    expect(errorsOf('😀😀😀')).toEqual([]);
    expect(errorsOf('abc')).toEqual([]);
    expect(errorsOf('😀😀😀😀')).toEqual(['The name must be between 1 and 3 characters']);
    expect(errorsOf('')).toEqual(['The name must be between 1 and 3 characters']);
  });

  it('refuses a value that is not a string', () => {
    for (const value of [3, null, undefined, ['a'], { length: 1 }]) expect(errorsOf(value)).toHaveLength(1);
  });

  it('as an upper bound alone (min 0), leaves a missing value to the rule that requires it', () => {
    class Email {
      @CharacterLength(0, 5, { message: 'too long' })
      email!: unknown;
    }
    const of = (email: unknown) => validateSync(Object.assign(new Email(), { email })).flatMap((e) => Object.values(e.constraints ?? {}));
    expect(of(undefined)).toEqual([]);
    expect(of('abcdef')).toEqual(['too long']);
  });
});
