import { PageBoundaries } from './page-boundaries';

/** A cursor's position after writes, compared as SQLite orders keys (its BINARY collation: UTF-8 bytes). */
describe('PageBoundaries moving cursors', () => {
  const matchesAll = () => true;
  const byName = (doc: Record<string, unknown>) => (typeof doc['name'] === 'string' ? [doc['name'], doc['_id']] : undefined);
  const anyName = { filter: {}, fields: ['name', '_id'] };

  function cursorAt(position: number, key: readonly unknown[]): PageBoundaries {
    const boundaries = new PageBoundaries();
    boundaries.remember('q', anyName, () => ({ matches: matchesAll, keyOf: byName }), position, key);
    return boundaries;
  }

  it('a row arriving before the key moves the cursor on, one after it does not', () => {
    const boundaries = cursorAt(10, ['m', 'id-m']);
    boundaries.takeIn(null, { _id: 'id-a', name: 'a' });
    expect(boundaries.nearest('q', 100)).toEqual({ position: 11, key: ['m', 'id-m'] });
    boundaries.takeIn(null, { _id: 'id-z', name: 'z' });
    expect(boundaries.nearest('q', 100)?.position).toBe(11);
    boundaries.takeIn({ _id: 'id-a', name: 'a' }, null);
    expect(boundaries.nearest('q', 100)?.position).toBe(10);
  });

  it('orders text by its UTF-8 bytes, as SQLite does, not by UTF-16 code units', () => {
    // U+10000 (a surrogate pair in UTF-16, 0xD800…) sorts after U+FF01 in UTF-8, before it in UTF-16
    const boundaries = cursorAt(10, ['\uff01', 'id']);
    boundaries.takeIn(null, { _id: 'id', name: '\u{10000}' });
    expect(boundaries.nearest('q', 100)?.position).toBe(10);
    boundaries.takeIn(null, { _id: 'id', name: '\ufe00' });
    expect(boundaries.nearest('q', 100)?.position).toBe(11);
  });

  it('numbers before text before blobs; a key it cannot compare forgets the query', () => {
    const boundaries = cursorAt(10, ['0', 'id']);
    boundaries.takeIn(null, { _id: 'id', name: 'x' });
    expect(boundaries.nearest('q', 100)?.position).toBe(10);
    const numbers = new PageBoundaries();
    numbers.remember('q', { filter: {}, fields: ['n', '_id'] }, () => ({ matches: matchesAll, keyOf: (doc) => [doc['n'], doc['_id']] }), 10, ['0', 'id']);
    numbers.takeIn(null, { _id: 'id', n: 99 });
    expect(numbers.nearest('q', 100)?.position).toBe(11);
    numbers.takeIn(null, { _id: 'id', n: Buffer.from([1]) });
    expect(numbers.nearest('q', 100)?.position).toBe(11);
    expect(boundaries.size).toBe(1);
    boundaries.takeIn(null, { _id: 'id', name: 42.5 });
    expect(boundaries.size).toBe(0);
  });
});

describe('PageBoundaries: what a clean stop keeps', () => {
  it('keeps cursors with their filter, fields and keys (a blob as hex), and carries them back with their tests made again', () => {
    const boundaries = new PageBoundaries();
    const query = { filter: { tenant: 't1' }, fields: ['active', 'name'] };
    const tests = () => ({ matches: (doc: Record<string, unknown>) => doc['tenant'] === 't1', keyOf: (doc: Record<string, unknown>) => [doc['active'], doc['name']] });
    boundaries.remember('q', query, tests, 10, [Buffer.from([1]), 'm']);
    boundaries.remember('r', { filter: { name: { $regex: /x/ } }, fields: ['name'] }, tests, 5, ['x']);

    const kept = JSON.parse(JSON.stringify(boundaries.kept()));
    expect(kept).toEqual([{ query: 'q', filter: { tenant: 't1' }, fields: ['active', 'name'], keys: [[10, [{ blob: '01' }, 'm']]] }]);
    const carried = new PageBoundaries();
    carried.carry(kept, tests);
    expect(carried.nearest('q', 20)).toEqual({ position: 10, key: [Buffer.from([1]), 'm'] });
    carried.takeIn(null, { tenant: 't1', active: Buffer.from([1]), name: 'a' });
    expect(carried.nearest('q', 20)?.position).toBe(11);
  });
});
