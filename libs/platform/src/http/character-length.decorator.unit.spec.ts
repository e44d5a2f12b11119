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
});
