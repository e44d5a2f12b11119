import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { READ_MODEL_STORE, type KeptTexts, type ReadModelStore } from '@as2-partners/kernel';
import { PARTNER_DETAILS_TEXTS, PARTNER_DETAILS_VERSION, PartnerDetailsWarmer, PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { HotPathRoutes } from '@as2-partners/platform';
import { createEmbeddedTestApp, type EmbeddedTestApp, type TestTokenClaims } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

const ACCOUNT = `acct-carry-${process.pid}`;
const TENANT = `carry-${process.pid}`;
const OTHER = `carry-other-${process.pid}`;
const GONE = `carry-gone-${process.pid}`;
const ROUTE = '/v1/partners/:id';
const PER_CONNECTION = /^(date|connection|keep-alive|vary|access-control-.*)$/;

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Record<string, string>;
}

interface Run {
  readonly t: EmbeddedTestApp;
  readonly base: string;
  readonly texts: KeptTexts;
  readonly warmer: PartnerDetailsWarmer;
  readonly hotPath: HotPathRoutes;
}

// The pre-joined GET /v1/partners/{id} bodies outlive a clean restart (the warmer then builds only what is missing or
// stale); every answer after a restart is byte for byte the Nest route's (a full join), whatever was written before the
// stop: an update, a master's change, message outcomes, a deleted partner, a deleted tenant; bodies another code built
// (forged here in the file) are found by the check at start and rebuilt.
// Each test starts the app at least once (and stops it): generous budgets for a loaded 2-core machine.
jest.setTimeout(240_000);

describe('GET /v1/partners/{id}: bodies kept across a restart answer what the Nest route answers', () => {
  let dataDir: string;
  let run: Run | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-carry-'));
  });

  afterAll(async () => {
    await run?.t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<Run> {
    const t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], dataDir });
    await t.app.listen(0, '127.0.0.1');
    const store = t.app.get<ReadModelStore>(READ_MODEL_STORE);
    return {
      t,
      base: `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`,
      texts: (store.keptTexts as NonNullable<ReadModelStore['keptTexts']>).call(store, PARTNER_DETAILS_TEXTS, PARTNER_DETAILS_VERSION),
      warmer: t.app.get(PartnerDetailsWarmer),
      hotPath: t.app.get(HotPathRoutes),
    };
  }

  async function restart(): Promise<Run> {
    await run?.t.close();
    run = undefined;
    run = await start();
    return run;
  }

  const current = (): Run => run as Run;
  const tokenOf = (claims: Partial<TestTokenClaims>) => current().t.token({ account: ACCOUNT, tenant: TENANT, roles: ['tenant_admin'], ...claims });
  const accountAdmin = () => tokenOf({ tenant: null, roles: ['account_admin'] });

  async function call(method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await fetch(`${current().base}${path}`, {
      method,
      headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      text: await res.text(),
      headers: Object.fromEntries([...res.headers.entries()].filter(([name]) => !PER_CONNECTION.test(name) && name !== 'x-correlation-id')),
    };
  }

  const hotAnswers = (): number =>
    current()
      .hotPath.drainCounts()
      .filter((c) => c.route === ROUTE && c.method === 'GET')
      .reduce((sum, c) => sum + c.count, 0);

  /** The Nest route's answer (an Origin header sends it there), then the hot route's for the same request: equal. */
  async function expectSame(id: string, token: string): Promise<Answer> {
    hotAnswers();
    const nest = await call('GET', `/v1/partners/${id}`, token, undefined, { origin: 'https://admin.example.com' });
    expect(hotAnswers()).toBe(0);
    const hot = await call('GET', `/v1/partners/${id}`, token);
    expect(hotAnswers()).toBe(1);
    expect({ status: hot.status, text: hot.text, headers: hot.headers }).toEqual({ status: nest.status, text: nest.text, headers: nest.headers });
    return hot;
  }

  const kept = (id: string, tenant = TENANT) => current().texts.get(`${ACCOUNT}|${tenant}|${id}`)?.text;

  let n = 0;
  async function create(token: string, path = '/v1/partners'): Promise<{ id: string; as2_id: string }> {
    n += 1;
    const created = await call('POST', path, token, { name: `Carried ${n}`, as2_id: `CARRY-${process.pid}-${n}`, url: `https://carry${n}.example.com/as2` });
    expect(created.status).toBe(201);
    return JSON.parse(created.text).data as { id: string; as2_id: string };
  }

  const ids: Record<'own' | 'stats' | 'deleted' | 'other' | 'gone' | 'master', { id: string; as2_id: string }> = {} as never;
  const bodies = new Map<string, string>();

  it('first run: every body built in the background and kept on disk', async () => {
    run = await start();
    expect(current().texts.carried).toBe(false);
    expect((await call('POST', `/v1/accounts/${ACCOUNT}/tenants`, accountAdmin(), { id: GONE, name: GONE, plan: 'starter' })).status).toBe(201);
    ids.own = await create(tokenOf({}));
    ids.stats = await create(tokenOf({}));
    ids.deleted = await create(tokenOf({}));
    ids.other = await create(tokenOf({ tenant: OTHER }));
    ids.gone = await create(tokenOf({ tenant: GONE }));
    ids.master = await create(accountAdmin(), `/v1/accounts/${ACCOUNT}/partners`);
    await current().warmer.idle();
    for (const [key, { id }] of Object.entries(ids)) {
      const tenant = key === 'other' ? OTHER : key === 'gone' ? GONE : TENANT;
      const body = (await expectSame(id, tokenOf({ tenant }))).text;
      expect(kept(id, tenant)).toBe(body);
      bodies.set(`${tenant}|${id}`, body);
    }
  }, 240_000);

  it('after a clean restart the bodies are carried over (none rebuilt, a sample checked) and every answer is the Nest route’s', async () => {
    await restart();
    expect(current().texts.carried).toBe(true);
    // on disk before any read of this run
    expect(kept(ids.own.id)).toBe(bodies.get(`${TENANT}|${ids.own.id}`));
    await current().warmer.idle();
    expect(current().warmer.walked.built).toBe(0);
    expect(current().warmer.walked.checked).toBeGreaterThanOrEqual(Object.keys(ids).length);
    for (const [key, { id }] of Object.entries(ids)) {
      const tenant = key === 'other' ? OTHER : key === 'gone' ? GONE : TENANT;
      expect((await expectSame(id, tokenOf({ tenant }))).text).toBe(bodies.get(`${tenant}|${id}`));
    }
    // another tenant's partner, another account, the read-only role, no token
    const notFound = await expectSame(ids.other.id, tokenOf({}));
    expect(notFound.status).toBe(404);
    expect(JSON.parse(notFound.text).error.code).toBe('PARTNER_NOT_FOUND');
    expect((await expectSame(ids.own.id, tokenOf({ account: `${ACCOUNT}-x` }))).status).toBe(404);
    expect((await expectSame(ids.own.id, tokenOf({ roles: ['tenant_user'] }))).text).toBe(bodies.get(`${TENANT}|${ids.own.id}`));
    hotAnswers();
    expect((await call('GET', `/v1/partners/${ids.own.id}`, null)).status).toBe(401);
    expect(hotAnswers()).toBe(0);
  }, 240_000);

  it('writes made before a stop (update, master change, messages, deleted partner, deleted tenant) show after the restart', async () => {
    const token = tokenOf({});
    expect((await call('PATCH', `/v1/partners/${ids.own.id}`, token, { name: 'Renamed before the stop' })).status).toBe(200);
    expect((await call('PATCH', `/v1/accounts/${ACCOUNT}/partners/${ids.master.id}`, accountAdmin(), { name: 'Master renamed before the stop' })).status).toBe(200);
    const gateway = tokenOf({ tenant: null, roles: ['gateway'] });
    const events = [{ message_id: `carry-${process.pid}`, tenant: TENANT, direction: 'outbound', as2_from: 'US', as2_to: ids.stats.as2_id, status: 'delivered', occurred_at: '2026-11-30T10:00:00.000Z' }];
    expect((await call('POST', '/v1/gateway/message-events', gateway, { events })).status).toBe(200);
    expect((await call('DELETE', `/v1/partners/${ids.deleted.id}`, token)).status).toBeLessThan(300);
    expect((await call('DELETE', `/v1/accounts/${ACCOUNT}/tenants/${GONE}`, accountAdmin())).status).toBe(200);
    // stopped at once: the warmer's rebuild of the updated views may not have run

    await restart();
    expect(current().texts.carried).toBe(true);
    expect(kept(ids.deleted.id)).toBeUndefined();
    expect(JSON.parse((await expectSame(ids.own.id, token)).text).data.name).toBe('Renamed before the stop');
    expect(JSON.parse((await expectSame(ids.stats.id, token)).text).data.message_stats).toMatchObject({ total_sent: 1 });
    for (const tenant of [TENANT, OTHER]) expect(JSON.parse((await expectSame(ids.master.id, tokenOf({ tenant }))).text).data.name).toBe('Master renamed before the stop');
    const deleted = await expectSame(ids.deleted.id, token);
    expect(deleted.status).toBe(404);
    expect(JSON.parse(deleted.text).error.code).toBe('PARTNER_NOT_FOUND');
    const gone = await expectSame(ids.gone.id, tokenOf({ tenant: GONE }));
    expect(gone.status).toBe(403);
    expect(JSON.parse(gone.text).error.code).toBe('TENANT_DELETED');
    await current().warmer.idle();
    expect(kept(ids.own.id)).toBe((await expectSame(ids.own.id, token)).text);
    expect(kept(ids.other.id, OTHER)).toBe(bodies.get(`${OTHER}|${ids.other.id}`));
  }, 240_000);

  it('bodies built by other code (forged in the file while stopped) are found by the check at start and rebuilt', async () => {
    const file = join(dataDir, 'read-models.sqlite-kept-texts');
    await run?.t.close();
    run = undefined;
    const db = new Database(file);
    const forged = db.prepare(`UPDATE kept_partner_details SET text = replace(text, '{"data":{', '{"data":{"forged":true,')`).run().changes;
    db.close();
    expect(forged).toBeGreaterThan(0);

    run = await start();
    expect(current().texts.carried).toBe(true);
    await current().warmer.idle();
    expect(current().warmer.walked.built).toBeGreaterThan(0);
    const own = await expectSame(ids.own.id, tokenOf({}));
    expect(own.text).not.toContain('forged');
    expect(kept(ids.own.id)).toBe(own.text);
    expect(kept(ids.other.id, OTHER)).toBe(bodies.get(`${OTHER}|${ids.other.id}`));
  }, 240_000);
});
