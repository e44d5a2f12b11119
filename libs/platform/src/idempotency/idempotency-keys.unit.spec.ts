import type { ReadModelCollection } from '@as2-partners/kernel';
import { IdempotencyKeys, type IdempotencyRecord } from './idempotency-keys';

/** The few collection operations the keys use, over a map (insert is atomic: no await between check and set). */
function mapCollection(): ReadModelCollection<IdempotencyRecord> & { docs: Map<string, IdempotencyRecord> } {
  const docs = new Map<string, IdempotencyRecord>();
  return {
    docs,
    get: async (id) => docs.get(id) ?? null,
    put: async (doc) => void docs.set(doc._id, doc),
    insert: async (doc) => (docs.has(doc._id) ? false : (docs.set(doc._id, doc), true)),
    delete: async (id) => void docs.delete(id),
    deleteMany: async (filter) => {
      const before = (filter['expiresAt'] as { $lt: string }).$lt;
      const gone = [...docs.values()].filter((d) => d.expiresAt < before);
      for (const d of gone) docs.delete(d._id);
      return gone.length;
    },
    putMany: async () => undefined,
    find: async () => ({ items: [], total: 0 }),
    count: async () => docs.size,
    clear: async () => docs.clear(),
  };
}

describe('IdempotencyKeys', () => {
  const HOUR = 3_600_000;
  let now = Date.parse('2026-11-30T10:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const answer = { status: 201, contentType: 'application/json; charset=utf-8', body: '{"data":{"id":"prt_1"}}' };

  it('claims a key once, replays the answer kept, refuses another fingerprint, and says when the first still runs', async () => {
    const keys = new IdempotencyKeys(mapCollection(), { ttlMs: 24 * HOUR, leaseMs: 60_000, clock });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'k1');
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'claimed' });
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'in_progress' });
    expect(await keys.claim(id, 'other')).toEqual({ outcome: 'reused' });
    await keys.complete(id, 'fp', answer);
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'replay', ...answer });
    expect(await keys.claim(IdempotencyKeys.idOf('acc', 'other-tenant', 'k1'), 'fp')).toEqual({ outcome: 'claimed' });
  });

  it('lets a retry take over a claim whose request died (lease over), and frees a key after its time to live', async () => {
    const records = mapCollection();
    const keys = new IdempotencyKeys(records, { ttlMs: 24 * HOUR, leaseMs: 60_000, clock });
    const id = IdempotencyKeys.idOf('acc', null, 'k2');
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'claimed' });
    now += 61_000;
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'claimed' });
    await keys.complete(id, 'fp', answer);
    now += 24 * HOUR + 1;
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'claimed' });
  });

  it('forgets a key whose request failed on our side, so the retry runs', async () => {
    const keys = new IdempotencyKeys(mapCollection(), { ttlMs: HOUR, leaseMs: 60_000, clock });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'k3');
    await keys.claim(id, 'fp');
    await keys.release(id);
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'claimed' });
  });

  it('purges expired keys now and then', async () => {
    const records = mapCollection();
    const keys = new IdempotencyKeys(records, { ttlMs: HOUR, leaseMs: 60_000, clock });
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'old'), 'fp');
    now += 2 * HOUR;
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'new'), 'fp');
    await new Promise((r) => setImmediate(r));
    expect([...records.docs.keys()]).toEqual(['acc/ten/new']);
  });
});
