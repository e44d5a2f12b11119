import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { READ_MODEL_STORE, type KeptTexts, type ReadModelStore } from '@as2-partners/kernel';
import { PARTNER_DETAILS_TEXTS, PartnerDetailsWarmer, PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { RequestsInFlight } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const ACCOUNT = `acct-kept-${process.pid}`;
const TENANTS = [`kept-a-${process.pid}`, `kept-b-${process.pid}`, `kept-c-${process.pid}`];
const [TENANT] = TENANTS as [string];

// Every partner's GET /v1/partners/{id} body is built in the background into texts on disk (PartnerDetailsWarmer);
// a write makes the texts it changes stale (a view's own, or every text of a tag: a master's partner id, an AS2 id's
// messages, a tenant), so the next read after any write answers what the Nest route (a full join) answers.
describe('GET /v1/partners/{id}: bodies kept on disk, built in the background, never older than the last write', () => {
  let t: EmbeddedTestApp;
  let base: string;
  let texts: KeptTexts;
  let warmer: PartnerDetailsWarmer;

  beforeAll(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule] });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    const store = t.app.get<ReadModelStore>(READ_MODEL_STORE);
    texts = (store.keptTexts as NonNullable<ReadModelStore['keptTexts']>).call(store, PARTNER_DETAILS_TEXTS);
    warmer = t.app.get(PartnerDetailsWarmer);
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  const tokenOf = (claims: Partial<TestTokenClaims>) => t.token({ account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'], ...claims });
  const accountAdmin = () => tokenOf({ tenant: null, roles: ['account_admin'] });

  async function call(method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, text: await res.text() };
  }

  /** The Nest route's body (a full join: an Origin header sends the request there). */
  const joined = async (id: string, tenant: string) => {
    const answer = await call('GET', `/v1/partners/${id}`, tokenOf({ tenant }), undefined, { origin: 'https://admin.example.com' });
    expect(answer.status).toBe(200);
    return answer.text;
  };
  /** The hot route's body (the token is known once the Nest route verified it). */
  const served = async (id: string, tenant: string) => (await call('GET', `/v1/partners/${id}`, tokenOf({ tenant }))).text;
  const kept = (id: string, tenant: string) => texts.get(`${ACCOUNT}|${tenant}|${id}`)?.text;

  let n = 0;
  const partnerBody = (extra: Record<string, unknown> = {}) => {
    n += 1;
    return { name: `Kept ${n}`, as2_id: `KEPT-${process.pid}-${n}`, url: `https://kept${n}.example.com/as2`, ...extra };
  };
  const create = async (token: string, path = '/v1/partners', extra: Record<string, unknown> = {}) => {
    const created = await call('POST', path, token, partnerBody(extra));
    expect(created.status).toBe(201);
    return JSON.parse(created.text).data as { id: string; as2_id: string };
  };

  it('a full disk while keeping bodies is a cache that misses, not a crash: the warmer goes on and reads answer the join', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const full = jest.spyOn(texts, 'batch').mockImplementation(() => {
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    });
    try {
      const own = await create(tokenOf({}));
      await warmer.idle();
      await new Promise((resolve) => setImmediate(resolve));
      expect(full).toHaveBeenCalled();
      expect(unhandled).toEqual([]);
      expect(await served(own.id, TENANT)).toBe(await joined(own.id, TENANT));
    } finally {
      full.mockRestore();
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('a partner never read has its body on disk once the warmer is idle, the bytes the Nest route answers', async () => {
    const own = await create(tokenOf({}));
    const master = await create(accountAdmin(), `/v1/accounts/${ACCOUNT}/partners`);
    await warmer.idle();
    for (const id of [own.id, master.id]) {
      const text = kept(id, TENANT);
      expect(text).toBeDefined();
      expect(text).toBe(await joined(id, TENANT));
      expect(await served(id, TENANT)).toBe(text);
    }
  });

  it('an update of each part shows in the next read, and the text kept after it is the new body', async () => {
    const token = tokenOf({});
    const partner = await create(token);
    await warmer.idle();
    const first = kept(partner.id, TENANT);
    expect(first).toBe(await joined(partner.id, TENANT));

    // The view itself (PATCH): its text is dropped at once, rebuilt in the background.
    expect((await call('PATCH', `/v1/partners/${partner.id}`, token, { name: 'Renamed' })).status).toBe(200);
    expect(kept(partner.id, TENANT)).not.toBe(first);
    const renamed = await served(partner.id, TENANT);
    expect(JSON.parse(renamed).data.name).toBe('Renamed');
    expect(renamed).toBe(await joined(partner.id, TENANT));
    await warmer.idle();
    expect(kept(partner.id, TENANT)).toBe(renamed);

    // Message outcomes (its AS2 id in its tenant): stale at once, joined and kept again by the next read.
    const gateway = tokenOf({ tenant: null, roles: ['gateway'] });
    const events = [{ message_id: `k1-${process.pid}`, tenant: TENANT, direction: 'outbound', as2_from: 'US', as2_to: partner.as2_id, status: 'delivered', occurred_at: '2026-11-30T10:00:00.000Z' }];
    expect((await call('POST', '/v1/gateway/message-events', gateway, { events })).status).toBe(200);
    expect(kept(partner.id, TENANT)).toBeUndefined();
    const withStats = await served(partner.id, TENANT);
    expect(JSON.parse(withStats).data.message_stats).toMatchObject({ total_sent: 1 });
    expect(withStats).toBe(await joined(partner.id, TENANT));
    // Kept by that read, or by the warmer (the outcome's write to the view may land after the read's stamp), or, when a
    // write that only stales the text lands after the warmer's stamp too, joined and kept by the next read: once the
    // writes have settled, a read serves the new body and the text kept is that body.
    await warmer.idle();
    expect(await served(partner.id, TENANT)).toBe(withStats);
    expect(kept(partner.id, TENANT)).toBe(withStats);

    // A traffic pause (its partner id).
    expect((await call('PUT', `/v1/partners/${partner.id}/traffic/incoming`, token, { paused: true, response: 'http_422', reason: 'maintenance' })).status).toBe(200);
    expect(kept(partner.id, TENANT)).toBeUndefined();
    const paused = await served(partner.id, TENANT);
    expect(JSON.parse(paused).data.traffic.incoming).toMatchObject({ paused: true, reason: 'maintenance' });
    expect(paused).toBe(await joined(partner.id, TENANT));
  });

  it("a master change shows in every tenant's next read (known tenants' views and a tenant without any), one touch for all", async () => {
    for (const tenant of TENANTS) await create(tokenOf({ tenant }));
    const unknown = `kept-unknown-${process.pid}`;
    const master = await create(accountAdmin(), `/v1/accounts/${ACCOUNT}/partners`);
    await warmer.idle();
    // Twice: a token's first request goes to the Nest route; the second is the hot route's, which keeps what it joins.
    for (const tenant of [...TENANTS, unknown]) for (const _ of [1, 2]) expect(await served(master.id, tenant)).toBe(await joined(master.id, tenant));
    for (const tenant of [...TENANTS, unknown]) expect(kept(master.id, tenant)).toBeDefined();

    // A tenant's override: its body only.
    expect((await call('PATCH', `/v1/partners/${master.id}`, tokenOf({ tenant: TENANTS[1] }), { url: 'https://override.example.com/as2' })).status).toBe(200);
    expect(JSON.parse(await served(master.id, TENANTS[1] as string)).data).toMatchObject({ has_overrides: true, url: 'https://override.example.com/as2' });
    expect(JSON.parse(await served(master.id, TENANT)).data.has_overrides).toBe(false);

    expect((await call('PATCH', `/v1/accounts/${ACCOUNT}/partners/${master.id}`, accountAdmin(), { name: 'Master renamed' })).status).toBe(200);
    for (const tenant of [...TENANTS, unknown]) {
      const body = await served(master.id, tenant);
      expect(JSON.parse(body).data.name).toBe('Master renamed');
      expect(body).toBe(await joined(master.id, tenant));
    }
    expect(JSON.parse(await served(master.id, TENANTS[1] as string)).data.url).toBe('https://override.example.com/as2');
    await warmer.idle();
    for (const tenant of TENANTS) expect(kept(master.id, tenant)).toBe(await joined(master.id, tenant));
  });

  it("another tenant's id is 404 from the hot route even once every body is on disk", async () => {
    const theirs = await create(tokenOf({ tenant: TENANTS[2] }));
    await warmer.idle();
    expect(kept(theirs.id, TENANTS[2] as string)).toBeDefined();
    const answer = await call('GET', `/v1/partners/${theirs.id}`, tokenOf({}));
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.text).error.code).toBe('PARTNER_NOT_FOUND');
  });

  it('a new body waits for a moment with no request being answered, not only for those answered when the warmer asks', async () => {
    await warmer.idle();
    const requests = t.app.get(RequestsInFlight);
    const whenQuiet = requests.whenQuiet.bind(requests);
    // The real wait, with a cap no machine reaches here: the body must wait for the held requests, not for the clock.
    let warmerAsked: () => void = () => undefined;
    const warmerAsks = new Promise<void>((resolve) => (warmerAsked = resolve));
    const asked = jest.spyOn(requests, 'whenQuiet').mockImplementation((quietMs) => {
      warmerAsked();
      return whenQuiet(quietMs, 60_000);
    });
    const [first, second] = [new EventEmitter(), new EventEmitter()];
    try {
      await requests.giveWay();
      requests.began(first as unknown as ServerResponse);
      const partner = await create(tokenOf({}));
      // the warmer asks for a quiet moment for the new body (however late a loaded machine lets it, up to 5 s), and waits
      await Promise.race([warmerAsks, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(kept(partner.id, TENANT)).toBeUndefined();
      // a request begun after the warmer asked, still being answered when the first one is: steady load (a burst of
      // creates) holds the body back, where a slice after the first request's answer would have built it
      requests.began(second as unknown as ServerResponse);
      first.emit('close');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(kept(partner.id, TENANT)).toBeUndefined();
      second.emit('close');
      await warmer.idle();
      expect(kept(partner.id, TENANT)).toBe(await joined(partner.id, TENANT));
    } finally {
      asked.mockRestore();
    }
  });

  it('a slice of the walk over every view ends once its time is up, not at the end of a page of views', async () => {
    await warmer.idle();
    // Views enough for a page of several slices (a tenant of its own: its plan allows five partners).
    for (let i = 0; i < 5; i += 1) await create(tokenOf({ tenant: `kept-slices-${process.pid}` }));
    await warmer.idle();
    const cache = (warmer as unknown as { cache: { build(view: unknown): unknown; freshAmong(ids: readonly string[]): boolean[] } }).cache;
    const requests = t.app.get(RequestsInFlight);
    const build = cache.build.bind(cache);
    let builds = 0;
    const builtBySlice: number[] = [];
    // Every body stale, and each build takes 3 ms at least: past the slice's 8 ms after its third build, however loaded
    // the machine (a busy machine only makes a build longer).
    const stale = jest.spyOn(cache, 'freshAmong').mockImplementation((ids) => ids.map(() => false));
    const slow = jest.spyOn(cache, 'build').mockImplementation((view) => {
      const until = performance.now() + 3;
      while (performance.now() < until);
      builds += 1;
      return build(view);
    });
    // The walk asks for its next slice after each one: what was built since the last ask is that slice's.
    const whenQuiet = requests.whenQuiet.bind(requests);
    let askedAt = 0;
    const asked = jest.spyOn(requests, 'whenQuiet').mockImplementation((quietMs, maxWaitMs) => {
      builtBySlice.push(builds - askedAt);
      askedAt = builds;
      return whenQuiet(quietMs, maxWaitMs);
    });
    try {
      (warmer as unknown as { walk(): void }).walk();
      await warmer.idle();
      builtBySlice.push(builds - askedAt);
      expect(builds).toBeGreaterThanOrEqual(5);
      expect(Math.max(...builtBySlice)).toBeLessThanOrEqual(3);
    } finally {
      asked.mockRestore();
      slow.mockRestore();
      stale.mockRestore();
    }
  });

  it('the walk over every view waits for a moment with no request being answered, not only for those answered when it asks', async () => {
    await warmer.idle();
    const requests = t.app.get(RequestsInFlight);
    const whenQuiet = requests.whenQuiet.bind(requests);
    // The real wait, with a cap no machine reaches here: the walk must wait for the held requests, not for the clock.
    const asked = jest.spyOn(requests, 'whenQuiet').mockImplementation((quietMs) => whenQuiet(quietMs, 60_000));
    const [first, second] = [new EventEmitter(), new EventEmitter()];
    try {
      await requests.giveWay();
      requests.began(first as unknown as ServerResponse);
      // a walk over every view, as after a start or a rebuild (a write of any document of the collection)
      (warmer as unknown as { walk(): void }).walk();
      let walked = false;
      const idle = warmer.idle().then(() => (walked = true));
      await new Promise((resolve) => setTimeout(resolve, 100));
      // a request begun after the walk asked, still answered when the first one is: steady load
      requests.began(second as unknown as ServerResponse);
      first.emit('close');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(walked).toBe(false);
      second.emit('close');
      await idle;
      expect(asked).toHaveBeenCalled();
    } finally {
      asked.mockRestore();
    }
  });
});
