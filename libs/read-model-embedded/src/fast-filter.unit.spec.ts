import { Query } from 'mingo';
import { compileFastFilter, Verdict } from './fast-filter';

/** Deterministic PRNG so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const strings = ['', 'a', 'A', 'ab', 'b', 'Acme Corp', 'acme', 'x.y(z)*', 'Zürich'];
const numbers = [-1, 0, 0.5, 1, 2, 10];

function generators(rand: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const scalar = (): unknown => pick<() => unknown>([() => pick(strings), () => pick(numbers), () => rand() < 0.5, () => null])();
  const value = (depth: number): unknown => {
    const roll = rand();
    if (depth > 0 && roll < 0.15) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth - 1));
    if (depth > 0 && roll < 0.3) return { b: value(depth - 1), c: scalar() };
    return scalar();
  };
  const doc = (id: number): Record<string, unknown> => {
    const d: Record<string, unknown> = { _id: `d${id}` };
    for (const field of ['a', 'n', 's']) if (rand() < 0.85) d[field] = value(2);
    return d;
  };
  const field = () => pick(['a', 'n', 's', 'a.b', 'a.c', 'a.b.c', 'missing']);
  const condition = (): unknown => {
    const operand = scalar();
    switch (Math.floor(rand() * 10)) {
      case 0:
        return operand;
      case 1:
        return { $ne: operand };
      case 2:
        return { $in: [scalar(), scalar()] };
      case 3:
        return { $nin: [scalar(), scalar()] };
      case 4:
        return { [pick(['$gt', '$gte', '$lt', '$lte'])]: operand ?? pick(strings) };
      case 5:
        return { $exists: rand() < 0.5 };
      case 6:
        return { $regex: pick(['a', '^A', 'c.', 'ü', 'x\\.y\\(z\\)\\*']), ...(rand() < 0.5 ? { $options: 'i' } : {}) };
      case 7:
        return { $gte: pick(numbers), $lt: pick(numbers) };
      default:
        return { $eq: operand };
    }
  };
  const filter = (depth: number): Record<string, unknown> => {
    const roll = rand();
    if (depth > 0 && roll < 0.2) return { [pick(['$and', '$or'])]: [filter(depth - 1), filter(depth - 1)] };
    const f: Record<string, unknown> = { [field()]: condition() };
    if (rand() < 0.3) f[field()] = condition();
    return f;
  };
  return { doc, filter };
}

describe('compileFastFilter', () => {
  it('agrees with mingo on thousands of random filters and documents (mingo judges undecided ones)', () => {
    const rand = random(20_240_229);
    const { doc, filter } = generators(rand);
    const docs = Array.from({ length: 60 }, (_, i) => doc(i));
    let decided = 0;
    for (let i = 0; i < 1500; i += 1) {
      const f = filter(2);
      const fast = compileFastFilter(f);
      expect(fast).not.toBeNull();
      const query = new Query(f);
      for (const d of docs) {
        const verdict = fast!(d);
        if (verdict === Verdict.Undecided) continue;
        decided += 1;
        if ((verdict === Verdict.Yes) !== query.test(d)) {
          throw new Error(`fast filter says ${verdict === Verdict.Yes} for ${JSON.stringify(f)} on ${JSON.stringify(d)}`);
        }
      }
    }
    expect(decided).toBeGreaterThan(30_000);
  });

  it('takes the filters read models use: a tenant, a status, a case-insensitive search over several fields', () => {
    const term = 'acme';
    const search = {
      tenantId: 'ten_1',
      status: { $in: ['active', 'suspended'] },
      'address.country': { $ne: 'FR' },
      deletedAt: { $exists: false },
      $or: [{ name: { $regex: term, $options: 'i' } }, { as2Id: { $regex: term, $options: 'i' } }],
    };
    const fast = compileFastFilter(search)!;
    expect(fast).not.toBeNull();
    expect(fast({ tenantId: 'ten_1', status: 'active', address: { country: 'DE' }, name: 'ACME Corp', as2Id: 'X' })).toBe(Verdict.Yes);
    expect(fast({ tenantId: 'ten_1', status: 'active', address: { country: 'DE' }, name: 'Globex', as2Id: 'X' })).toBe(Verdict.No);
  });

  it('leaves to mingo what it does not handle', () => {
    expect(compileFastFilter({ tags: { $elemMatch: { a: 1 } } })).toBeNull();
    expect(compileFastFilter({ a: { b: 1 } })).toBeNull();
    expect(compileFastFilter({ a: [1, 2] })).toBeNull();
    expect(compileFastFilter({ $nor: [{ a: 1 }] })).toBeNull();
    expect(compileFastFilter({ a: { $regex: 'x', $options: 'x' } })).toBeNull();
    expect(compileFastFilter({ a: { $not: { $eq: 1 } } })).toBeNull();
    expect(compileFastFilter({ $or: [] })).toBeNull();
    expect(compileFastFilter({ a: { $gte: null } })).toBeNull();
  });

  it('answers undecided when a path meets an array', () => {
    const fast = compileFastFilter({ 'contacts.email': 'a@x' })!;
    expect(fast({ contacts: [{ email: 'a@x' }] })).toBe(Verdict.Undecided);
    expect(fast({ contacts: { email: 'a@x' } })).toBe(Verdict.Yes);
    expect(compileFastFilter({ tags: 'x' })!({ tags: ['x'] })).toBe(Verdict.Undecided);
  });

  it('compares strings by code point as MongoDB does', () => {
    expect(compileFastFilter({ s: { $gt: '\uffff' } })!({ s: '😀' })).toBe(Verdict.Yes);
  });
});
