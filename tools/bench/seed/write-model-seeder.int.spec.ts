import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openInfrastructure } from '@as2-partners/composition';
import { loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../../../apps/all-in-one/src/all-in-one.module';
import { hubPartner, partnerDto, populationPartner, type SeedPopulation } from './seed-population';
import { WriteModelSeeder } from './write-model-seeder';

const population: SeedPopulation = { account: 'seed-account', hub: 'hub', tenants: 2 };
const HUB = 5;
const PER_TENANT = 3;

interface StoredEvent {
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly account: unknown;
  readonly tenant: unknown;
}

function storedEvents(dataDir: string): StoredEvent[] {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT stream, revision, type, schema_version, data, metadata FROM events ORDER BY position').all() as {
      stream: string;
      revision: number;
      type: string;
      schema_version: number;
      data: string;
      metadata: string;
    }[];
    return rows.map((row) => {
      const metadata = JSON.parse(row.metadata) as Record<string, unknown>;
      return { stream: row.stream, revision: row.revision, type: row.type, schemaVersion: row.schema_version, data: JSON.parse(row.data), account: metadata['account'], tenant: metadata['tenant'] };
    });
  } finally {
    db.close();
  }
}

/** An event with its generated ids and times replaced by what they are, so two stores' events compare by meaning. */
function meaningOf(event: StoredEvent): string {
  return JSON.stringify(event, (_key, value: unknown) => {
    if (typeof value !== 'string') return value;
    return value
      .replace(/prt_[0-9A-Za-z]+/g, '<partner id>')
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
      .replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, '<time>');
  });
}

const sorted = (events: StoredEvent[]) => events.map(meaningOf).sort();

describe('WriteModelSeeder (bench:scale seeding) writes what the API writes', () => {
  let seededDir: string;
  let apiDir: string;
  const apps: EmbeddedTestApp[] = [];

  beforeAll(async () => {
    seededDir = await mkdtemp(join(tmpdir(), 'as2-seeded-'));
    apiDir = await mkdtemp(join(tmpdir(), 'as2-api-'));
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await rm(seededDir, { recursive: true, force: true });
    await rm(apiDir, { recursive: true, force: true });
  });

  const start = async (dataDir: string): Promise<EmbeddedTestApp> => {
    const app = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    apps.push(app);
    return app;
  };
  const stop = async (app: EmbeddedTestApp) => {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };
  const as = (app: EmbeddedTestApp, tenant: string | null) => ({
    authorization: `Bearer ${app.token({ account: population.account, tenant, roles: tenant ? ['tenant_admin'] : ['account_admin'] })}`,
  });

  it('stores the same streams and events (ids and times apart), which the server then serves with AS2 ids unique per tenant', async () => {
    // Seeded: through the write model in bulk, in batches of 4 events to cross several transactions, then the read models rebuilt.
    const seeded = await new WriteModelSeeder(seededDir, population).seed(HUB, PER_TENANT * population.tenants, { batch: 2, flushEvery: 4, snapshotEvery: 2 });
    expect(seeded).toEqual(expect.objectContaining({ created: HUB + PER_TENANT * population.tenants }));
    expect(seeded.transactions).toBeGreaterThan(3);
    const config = loadPlatformConfig({ MODE: 'embedded', DATA_DIR: seededDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'error' });
    await rebuildReadModels(AllInOneModule, config, { openInfrastructure });

    // Through the API: the same tenants and partners, one request each.
    const api = await start(apiDir);
    for (const id of [population.hub, ...Array.from({ length: population.tenants }, (_, t) => `t${t}`)]) {
      const created = await api.app.inject({ method: 'POST', url: `/v1/accounts/${population.account}/tenants`, headers: as(api, null), payload: { id, name: id === population.hub ? 'Hub' : `Tenant ${id.slice(1)}`, plan: 'enterprise' } });
      expect(created.statusCode).toBe(201);
    }
    const creates: [string, ReturnType<typeof partnerDto>][] = [
      ...Array.from({ length: HUB }, (_, i) => [population.hub, partnerDto(hubPartner(i))] as [string, ReturnType<typeof partnerDto>]),
      ...Array.from({ length: PER_TENANT * population.tenants }, (_, k) => [`t${k % population.tenants}`, partnerDto(populationPartner(k % population.tenants, Math.floor(k / population.tenants)))] as [string, ReturnType<typeof partnerDto>]),
    ];
    for (const [tenant, body] of creates) expect((await api.app.inject({ method: 'POST', url: '/v1/partners', headers: as(api, tenant), payload: body })).statusCode).toBe(201);
    await stop(api);

    // The seeded dir served: its app starts, lists and reads what was seeded, per tenant only.
    const served = await start(seededDir);
    const list = await served.app.inject({ method: 'GET', url: '/v1/partners?per_page=100', headers: as(served, population.hub) });
    expect(list.statusCode).toBe(200);
    const hubList = list.json() as { data: { id: string; name: string; as2_id: string; active: boolean }[]; pagination: { total: number } };
    expect(hubList.pagination.total).toBe(HUB);
    expect(hubList.data.map((p) => p.as2_id).sort()).toEqual(Array.from({ length: HUB }, (_, i) => hubPartner(i).as2Id).sort());
    const one = hubList.data.find((p) => p.as2_id === hubPartner(2).as2Id) as { id: string };
    const read = await served.app.inject({ method: 'GET', url: `/v1/partners/${one.id}`, headers: as(served, population.hub) });
    expect(read.statusCode).toBe(200);
    expect((read.json() as { data: unknown }).data).toEqual(expect.objectContaining({ id: one.id, name: hubPartner(2).name, as2_id: hubPartner(2).as2Id, sign: true, encrypt: true }));
    const elsewhere = await served.app.inject({ method: 'GET', url: `/v1/partners/${one.id}`, headers: as(served, 't0') });
    expect(elsewhere.statusCode).toBe(404);
    const t1 = (await served.app.inject({ method: 'GET', url: '/v1/partners', headers: as(served, 't1') })).json() as { data: { as2_id: string }[] };
    expect(t1.data.map((p) => p.as2_id).sort()).toEqual(Array.from({ length: PER_TENANT }, (_, i) => populationPartner(1, i).as2Id).sort());
    // The directory the seeder reserved holds: a seeded AS2 id is taken in its tenant, free in another.
    const duplicate = await served.app.inject({ method: 'POST', url: '/v1/partners', headers: as(served, population.hub), payload: partnerDto(hubPartner(3)) });
    expect(duplicate.statusCode).toBe(422);
    expect(duplicate.json()).toEqual(expect.objectContaining({ error: expect.objectContaining({ code: 'DUPLICATE_AS2_ID' }) }));
    expect((await served.app.inject({ method: 'POST', url: '/v1/partners', headers: as(served, 't0'), payload: partnerDto(hubPartner(3)) })).statusCode).toBe(201);
    expect((await served.app.inject({ method: 'POST', url: '/v1/partners', headers: as(served, population.hub), payload: partnerDto(hubPartner(HUB)) })).statusCode).toBe(201);
    await stop(served);

    // The seeded events, as stored before the server wrote its own, are the API's (both stores now hold the server's too).
    const seededEvents = storedEvents(seededDir).slice(0, seeded.events);
    const apiEvents = storedEvents(apiDir);
    expect(sorted(seededEvents)).toEqual(sorted(apiEvents));
    expect(new Set(seededEvents.map((e) => e.stream.split('-')[0])).size).toBeGreaterThanOrEqual(3);
  }, 300_000);
});
