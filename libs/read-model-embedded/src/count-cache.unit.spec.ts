import { CountCache } from './count-cache';
import { isJsonValue } from './json-value';

const byTenant = (tenant: string) => (doc: Record<string, unknown>) => doc['tenant'] === tenant;

describe('CountCache: what a clean stop keeps', () => {
  it('keeps the counts whose filter JSON carries whole, and leaves out one holding a RegExp or a Date', () => {
    const counts = new CountCache();
    counts.set('a', { tenant: 't1' }, byTenant('t1'), 3);
    counts.set('b', { tenant: 't1', name: { $regex: /x/ } }, () => true, 1);
    counts.set('c', { tenant: 't1', at: { $gt: new Date(0) } }, () => true, 2);

    expect(counts.kept()).toEqual([{ key: 'a', filter: { tenant: 't1' }, total: 3 }]);
  });

  it('carries kept counts with their tests made again, so the next writes count on them', () => {
    const counts = new CountCache();
    counts.carry([{ key: 'a', filter: { tenant: 't1' }, total: 3 }], (filter) => byTenant(filter['tenant'] as string));

    counts.takeIn(null, { tenant: 't1' });
    counts.takeIn(null, { tenant: 't2' });

    expect(counts.get('a')).toBe(4);
  });
});

describe('isJsonValue', () => {
  it.each([[null], ['text'], [1.5], [true], [[1, 'a', null]], [{ a: { $in: ['x', 2] } }], [Object.create(null) as object]])('takes %p', (value) => {
    expect(isJsonValue(value)).toBe(true);
  });

  it.each([[undefined], [Number.NaN], [Number.POSITIVE_INFINITY], [/x/], [new Date(0)], [{ a: undefined }], [[1, undefined]], [Buffer.from('x')], [() => 1], [1n]])('refuses %p', (value) => {
    expect(isJsonValue(value)).toBe(false);
  });
});
