import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import { IsDefined, IsInt, IsOptional, IsString, Max, MaxLength, ValidateIf, ValidateNested, validate } from 'class-validator';
import { passCheckOf } from './compiled-validation';

class Inner {
  @IsInt()
  @Max(10)
  count!: number;
}

class Outer {
  @IsDefined()
  @IsString()
  @MaxLength(5)
  name!: string;

  @IsOptional()
  @IsString({ each: true })
  tags?: string[];

  @IsOptional()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;

  @ValidateIf((o: Outer) => o.name === 'cond')
  @IsInt()
  onlyWhenCond?: number;
}

/** Both: class-validator (0.14) lets @IsOptional skip the property, @IsDefined included. */
class DefinedAndOptional {
  @IsOptional()
  @IsDefined()
  @IsString()
  id?: string;
}

class NoRules {
  field?: string;
}

const OPTIONS = { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false };

describe('passCheckOf', () => {
  const check = passCheckOf(Outer)!;

  it.each([
    [{ name: 'abc' }, true],
    [{ name: 'abc', tags: ['a', 'b'], inner: { count: 3 } }, true],
    [{ name: 'abc', tags: [] }, true],
    [{ name: 'cond', onlyWhenCond: 2 }, true],
    [{ name: 'abc', onlyWhenCond: 'not checked' }, true],
    [{}, false],
    [{ name: 'toolong' }, false],
    [{ name: 7 }, false],
    [{ name: 'abc', tags: ['a', 1] }, false],
    // `each` on a value that is no list checks the value itself, as class-validator does
    [{ name: 'abc', tags: 'a' }, true],
    [{ name: 'abc', tags: 3 }, false],
    [{ name: 'abc', inner: { count: 11 } }, false],
    [{ name: 'abc', inner: { count: 1, extra: true } }, false],
    [{ name: 'abc', inner: 'text' }, false],
    [{ name: 'abc', inner: null }, true],
    [{ name: 'cond', onlyWhenCond: 'x' }, false],
    [{ name: 'abc', unknown: 1 }, false],
  ])('%j: passes %s, as class-validator says', async (body, passes) => {
    const dto = plainToInstance(Outer, body);
    expect(check(dto)).toBe(passes);
    expect((await validate(dto, OPTIONS)).length === 0).toBe(passes);
  });

  it.each([
    [{}, true],
    [{ id: null }, true],
    [{ id: 'x' }, true],
    [{ id: 7 }, false],
  ])('%j with @IsOptional and @IsDefined: passes %s, as class-validator says', async (body, passes) => {
    const dto = plainToInstance(DefinedAndOptional, body);
    expect(passCheckOf(DefinedAndOptional)!(dto)).toBe(passes);
    expect((await validate(dto, OPTIONS)).length === 0).toBe(passes);
  });

  it('models no class without rules (class-validator then speaks for itself)', () => {
    expect(passCheckOf(NoRules)).toBeNull();
  });
});
