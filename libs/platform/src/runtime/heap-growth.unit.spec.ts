import { InvalidConfigurationError } from '../config/invalid-configuration.error';
import { heapGrowthFlag, limitHeapGrowth } from './heap-growth';

describe('HEAP_GROWING_PERCENT', () => {
  it('defaults to 1.5× growth; a percent sets it; 0 leaves V8 its own', () => {
    expect(heapGrowthFlag({})).toBe('--heap-growing-percent=50');
    expect(heapGrowthFlag({ HEAP_GROWING_PERCENT: '100' })).toBe('--heap-growing-percent=100');
    expect(heapGrowthFlag({ HEAP_GROWING_PERCENT: '0' })).toBeNull();
  });

  it.each(['-1', '301', 'fast', '1.5'])('refuses %j, naming the variable', (value) => {
    expect(() => heapGrowthFlag({ HEAP_GROWING_PERCENT: value })).toThrow(InvalidConfigurationError);
    expect(() => heapGrowthFlag({ HEAP_GROWING_PERCENT: value })).toThrow(/HEAP_GROWING_PERCENT/);
  });

  it('applies the flag, or nothing for 0', () => {
    const applied: string[] = [];
    limitHeapGrowth({ HEAP_GROWING_PERCENT: '75' }, (flag) => applied.push(flag));
    limitHeapGrowth({ HEAP_GROWING_PERCENT: '0' }, (flag) => applied.push(flag));
    expect(applied).toEqual(['--heap-growing-percent=75']);
  });
});
