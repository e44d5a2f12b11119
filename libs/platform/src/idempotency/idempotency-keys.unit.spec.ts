import { Query } from 'mingo';
import { commandEntityId, type ReadModelCollection } from '@as2-partners/kernel';
import { encodeTime } from 'ulid';
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
      const query = new Query(filter);
      const gone = [...docs.values()].filter((d) => query.test(d));
      for (const d of gone) docs.delete(d._id);
      return gone.length;
    },
    putMany: async () => undefined,
    find: async (query) => {
      const before = (query.filter['expiresAt'] as { $lt: string } | undefined)?.$lt;
      const items = [...docs.values()].filter((d) => before === undefined || d.expiresAt < before).sort((a, b) => a.expiresAt.localeCompare(b.expiresAt));
      return { items: items.slice(0, query.limit ?? items.length), total: items.length };
    },
    count: async () => docs.size,
    clear: async () => docs.clear(),
  };
}

describe('IdempotencyKeys', () => {
  const HOUR = 3_600_000;
  let now = Date.parse('2026-11-30T10:00:00.000Z');
  const clock = { now: () => new Date(now) };
  const answer = { status: 201, contentType: 'application/json; charset=utf-8', body: '{"data":{"id":"prt_1"}}' };
  const claimed = { outcome: 'claimed', commandId: expect.any(String) };
  const made: IdempotencyKeys[] = [];
  const keysOver = (records: ReadModelCollection<IdempotencyRecord>, options: { ttlMs: number; leaseMs: number }) => {
    const keys = new IdempotencyKeys(records, { ...options, clock });
    made.push(keys);
    return keys;
  };
  afterEach(() => made.splice(0).forEach((k) => k.stop()));

  /**
   * Keys over a store that commits in groups (every ~20 ms), and what a crash leaves of it: the writes committed so far,
   * in a new process's keys.
   */
  function crashingKeys() {
    const records = mapCollection();
    let onDisk = new Map<string, IdempotencyRecord>();
    const keys = new IdempotencyKeys(records, { ttlMs: 24 * HOUR, leaseMs: 60_000, clock, committed: async () => void (onDisk = new Map(records.docs)) });
    made.push(keys);
    const afterCrash = () => {
      keys.stop();
      const left = mapCollection();
      for (const [key, doc] of onDisk) left.docs.set(key, doc);
      return keysOver(left, { ttlMs: 24 * HOUR, leaseMs: 60_000 });
    };
    return { keys, afterCrash };
  }

  it('a claim is on disk before its request runs: after a crash, the retry goes on as the same command', async () => {
    const { keys, afterCrash } = crashingKeys();
    const id = IdempotencyKeys.idOf('acc', 'ten', 'crash');
    const first = await keys.claim(id, 'fp');
    const restarted = afterCrash();
    now += 61_000;
    expect(await restarted.claim(id, 'fp')).toEqual(first);
  });

  it('an answer is on disk before it is sent: after a crash right after it, the retry replays it', async () => {
    const { keys, afterCrash } = crashingKeys();
    const id = IdempotencyKeys.idOf('acc', 'ten', 'answered');
    await keys.claim(id, 'fp');
    await keys.complete(id, 'fp', answer);
    expect(await afterCrash().claim(id, 'fp')).toEqual({ outcome: 'replay', ...answer });
  });

  it('a claim whose commit fails is refused: the request does not run', async () => {
    const keys = new IdempotencyKeys(mapCollection(), { ttlMs: 24 * HOUR, leaseMs: 60_000, clock, committed: () => Promise.reject(new Error('disk full')) });
    made.push(keys);
    await expect(keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'full'), 'fp')).rejects.toThrow('disk full');
  });

  it('claims a key once, replays the answer kept, refuses another fingerprint, and says when the first still runs', async () => {
    const keys = keysOver(mapCollection(), { ttlMs: 24 * HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'k1');
    expect(await keys.claim(id, 'fp')).toEqual(claimed);
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'in_progress' });
    expect(await keys.claim(id, 'other')).toEqual({ outcome: 'reused' });
    await keys.complete(id, 'fp', answer);
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'replay', ...answer });
    expect(await keys.claim(IdempotencyKeys.idOf('acc', 'other-tenant', 'k1'), 'fp')).toEqual(claimed);
  });

  it("keeps each scope's keys apart whatever its claims spell: a tenant named '-' from the account level, an account or tenant with '/' or '%' from another", () => {
    const scopes: [string, string | null, string][] = [
      ['acme', null, 'k'],
      ['acme', '-', 'k'],
      ['acme', 't1', 'x/k'],
      ['acme/t1', 'x', 'k'],
      ['acme', 't1/x', 'k'],
      ['acme', '%2D', 'k'],
      ['acme%2F', 't1', 'k'],
      ['acme/', 't1', 'k'],
    ];
    const ids = scopes.map(([account, tenant, key]) => IdempotencyKeys.idOf(account, tenant, key));
    expect(new Set(ids).size).toBe(scopes.length);
    // The usual accounts and tenants keep the ids an earlier version kept: a retry across the upgrade still finds its key.
    expect([IdempotencyKeys.idOf('acme', 't1', 'k/1'), IdempotencyKeys.idOf('acme', null, 'k')]).toEqual(['acme/t1/k/1', 'acme/-/k']);
  });

  it("matches a key kept under the request's earlier fingerprint, worked out only when the kept one is not this one", async () => {
    const keys = keysOver(mapCollection(), { ttlMs: 24 * HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'k-earlier');
    const earlier = jest.fn(() => 'fp-earlier');
    expect(await keys.claim(id, 'fp-earlier')).toEqual(claimed);
    await keys.complete(id, 'fp-earlier', answer);
    expect(await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'k-new'), 'fp', earlier)).toEqual(claimed);
    expect(earlier).not.toHaveBeenCalled();
    expect(await keys.claim(id, 'fp', earlier)).toEqual({ outcome: 'replay', ...answer });
    expect(earlier).toHaveBeenCalled();
    earlier.mockClear();
    expect(await keys.claim(id, 'fp', earlier)).toEqual({ outcome: 'replay', ...answer });
    expect(earlier).not.toHaveBeenCalled();
  });

  it('lets a retry take over a claim whose request died (lease over), and frees a key after its time to live', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: 24 * HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', null, 'k2');
    expect(await keys.claim(id, 'fp')).toEqual(claimed);
    now += 61_000;
    expect(await keys.claim(id, 'fp')).toEqual(claimed);
    await keys.complete(id, 'fp', answer);
    now += 24 * HOUR + 1;
    expect(await keys.claim(id, 'fp')).toEqual(claimed);
  });

  it('renews the lease of a claim whose request still runs, so a slow request is never taken over', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'slow');
    await keys.claim(id, 'fp');
    for (let i = 0; i < 6; i += 1) {
      now += 5_000;
      await keys.renewLeases();
    }
    expect(await keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 }).claim(id, 'fp')).toEqual({ outcome: 'in_progress' });
    // Its answer recorded, a renewal never turns it back into a claim.
    await keys.complete(id, 'fp', answer);
    await keys.renewLeases();
    expect((await records.get(id))?.state).toBe('done');
  });

  it('a claim of a process that died frees its key after one lease, and the retry goes on as the same command', async () => {
    const records = mapCollection();
    const dead = keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'crash');
    const first = await dead.claim(id, 'fp');
    dead.stop();
    const restarted = keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 });
    expect(await restarted.claim(id, 'fp')).toEqual({ outcome: 'in_progress' });
    now += 15_001;
    const retry = await restarted.claim(id, 'fp');
    expect(retry).toEqual(claimed);
    expect(retry).toEqual(first);
    await restarted.complete(id, 'fp', answer);
    expect(await keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 }).claim(id, 'fp')).toEqual({ outcome: 'replay', ...answer });
  });

  it('a holder that only stalled past its lease leaves the key to the request that took it over', async () => {
    const records = mapCollection();
    const stalled = keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'stalled');
    await stalled.claim(id, 'fp');
    now += 15_001;
    await keysOver(records, { ttlMs: HOUR, leaseMs: 15_000 }).claim(id, 'fp');
    const taken = await records.get(id);
    await stalled.renewLeases();
    expect(await records.get(id)).toEqual(taken);
  });

  it('a claim\'s command is time-ordered: the entity a create names from it sorts by creation time like one made without a key', async () => {
    const keys = keysOver(mapCollection(), { ttlMs: HOUR, leaseMs: 15_000 });
    const first = await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'sorted-1'), 'fp');
    now += 1_000;
    const second = await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'sorted-2'), 'fp');
    if (first.outcome !== 'claimed' || second.outcome !== 'claimed') throw new Error('not claimed');
    const [earlier, later] = [commandEntityId('ins', first.commandId), commandEntityId('ins', second.commandId)];
    expect(earlier.slice(4, 14)).toBe(encodeTime(now - 1_000, 10));
    expect(earlier < later).toBe(true);
  });

  it('a new claim after the key expired is another command (its creates name new entities)', async () => {
    const keys = keysOver(mapCollection(), { ttlMs: HOUR, leaseMs: 15_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'reused-later');
    const first = await keys.claim(id, 'fp');
    await keys.complete(id, 'fp', answer);
    now += 2 * HOUR;
    const later = await keys.claim(id, 'fp');
    expect(later).toEqual(claimed);
    expect(later).not.toEqual(first);
  });

  it('frees a key whose request decided nothing at once, so the retry runs: as the same command when it is the same request', async () => {
    const keys = keysOver(mapCollection(), { ttlMs: HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'k3');
    const first = await keys.claim(id, 'fp');
    await keys.release(id);
    // The same request goes on with the first attempt's command id (a write it may have stored is found, not made twice).
    expect(await keys.claim(id, 'fp')).toEqual(first);
    await keys.release(id);
    // Another request with the key runs as a command of its own.
    const other = await keys.claim(id, 'fp-other');
    expect(other).toEqual(claimed);
    expect(other).not.toEqual(first);
  });

  it('purges expired keys now and then', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: HOUR, leaseMs: 60_000 });
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'old'), 'fp');
    now += 2 * HOUR;
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'new'), 'fp');
    await new Promise((r) => setImmediate(r));
    expect([...records.docs.keys()]).toEqual(['acc/ten/new']);
  });

  it('a key claimed again between the purge reading it expired and deleting it keeps its new claim', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'again');
    await keys.claim(id, 'fp');
    now += 2 * HOUR;
    // the purge's read answers the expired record; a claim of the key lands before its delete
    const read = records.find.bind(records);
    records.find = async (query) => {
      const page = await read(query);
      records.docs.delete(id);
      await keys.claim(id, 'fp-new');
      return page;
    };
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'other'), 'fp');
    for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
    expect(records.docs.get(id)).toMatchObject({ fingerprint: 'fp-new', state: 'pending' });
  });

  it('two takers of an expired key: the one that read it before the other took it over does not delete the new claim', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: HOUR, leaseMs: 60_000 });
    const id = IdempotencyKeys.idOf('acc', 'ten', 'race');
    await keys.claim(id, 'fp');
    now += 2 * HOUR;
    const expired = records.docs.get(id);
    // B reads the expired record; A deletes it and claims the key before B's delete
    const get = records.get.bind(records);
    let raced = false;
    records.get = async (key) => {
      if (raced) return get(key);
      raced = true;
      records.docs.delete(id);
      records.docs.set(id, { ...(expired as IdempotencyRecord), holder: 'taker-a', leaseUntil: new Date(now + 60_000).toISOString(), expiresAt: new Date(now + HOUR).toISOString() });
      return expired ?? null;
    };
    expect(await keys.claim(id, 'fp')).toEqual({ outcome: 'in_progress' });
    expect(records.docs.get(id)?.holder).toBe('taker-a');
  });

  it('purges a large backlog of expired keys in slices, the event loop free between them', async () => {
    const records = mapCollection();
    const keys = keysOver(records, { ttlMs: HOUR, leaseMs: 60_000 });
    for (let i = 0; i < 350; i++) await records.put({ ...(await records.get('x')), _id: `acc/ten/k${i}`, expiresAt: new Date(now - 1000 - i).toISOString() } as IdempotencyRecord);
    await keys.claim(IdempotencyKeys.idOf('acc', 'ten', 'new'), 'fp');
    const left: number[] = [];
    for (let turn = 0; turn < 6; turn++) {
      await new Promise((r) => setImmediate(r));
      left.push(records.docs.size);
    }
    // 350 expired and the new claim: a slice of 100 a turn, not all at once.
    expect(left[0]).toBeGreaterThan(1);
    expect(left.at(-1)).toBe(1);
  });
});
