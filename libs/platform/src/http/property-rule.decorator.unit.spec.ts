import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { propertyRule } from './property-rule.decorator';

const isEven = (value: unknown) => typeof value === 'number' && value % 2 === 0;

class Numbers {
  @propertyRule({ name: 'isEven', validate: isEven, message: 'The n must be even', code: 'ODD_NUMBER' })
  n?: unknown;

  @propertyRule({ name: 'isEven', validate: isEven, message: (args) => `The ${args.property} must be even, not ${String(args.value)}` }, { each: true })
  list?: unknown;
}

const errorsOf = (plain: object) => validateSync(plainToInstance(Numbers, plain)).map((error) => ({ property: error.property, constraints: error.constraints, contexts: error.contexts }));

describe('propertyRule', () => {
  it('passes what its test passes', () => {
    expect(errorsOf({ n: 2, list: [4, 6] })).toEqual([]);
  });

  it('refuses the rest with its message (fixed or built from the arguments; with each, every item tested) and its code as the context the pipe reads', () => {
    expect(errorsOf({ n: 3, list: [4, 5] })).toEqual([
      { property: 'n', constraints: { isEven: 'The n must be even' }, contexts: { isEven: { code: 'ODD_NUMBER' } } },
      { property: 'list', constraints: { isEven: 'The list must be even, not 4,5' }, contexts: undefined },
    ]);
  });
});
