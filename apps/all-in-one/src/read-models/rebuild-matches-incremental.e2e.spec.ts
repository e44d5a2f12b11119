import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { openInfrastructure } from '@as2-partners/composition';
import { PROJECTION_REGISTRY, type ProjectionRegistry } from '@as2-partners/kernel';
import { loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { createEmbeddedTestApp, TEST_JWT_SECRET, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { multipartBody } from '../certificates/certificate-api.spec-support';

const DAY = 86_400_000;
const account = 'rebuild-acme';
const [tenant, other] = ['rebuild-t1', 'rebuild-t2'];

/** Every document of every read-model collection in the file, by collection, then by id, parsed. */
function readModelDocuments(dataDir: string): Record<string, Record<string, unknown>> {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
  try {
    const documents: Record<string, Record<string, unknown>> = {};
    for (const row of db.prepare('SELECT collection, id, body FROM read_model_docs ORDER BY collection, id').iterate() as Iterable<{ collection: string; id: string; body: string }>) {
      (documents[row.collection] ??= {})[row.id] = JSON.parse(row.body);
    }
    return documents;
  } finally {
    db.close();
  }
}

/**
 * The file's declared SQL indexes, and what the trigram search index matches for each of `terms`, by document
 * (collection and id; null for a row no document has).
 */
function readModelIndexes(dataDir: string, terms: readonly string[]): { indexes: unknown[]; matches: Record<string, unknown[]> } {
  const db = new Database(join(dataDir, 'read-models.sqlite'), { readonly: true });
  try {
    const indexes = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'read_model_index_%' ORDER BY name").all();
    const match = db.prepare('SELECT d.collection, d.id FROM read_model_search s LEFT JOIN read_model_docs d ON d.seq = s.rowid WHERE read_model_search MATCH ? ORDER BY 1, 2');
    return { indexes, matches: Object.fromEntries(terms.map((term) => [term, match.all(`"${term.replace(/"/g, '""')}"`)])) };
  } finally {
    db.close();
  }
}

describe('rebuild-read-models gives exactly what the projections built event by event (embedded)', () => {
  let dataDir: string;
  let t: EmbeddedTestApp | null = null;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'as2-rebuild-equal-'));
  });

  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('every collection, every document, after a walk through partners, masters, overrides, certificates, exchanges, keys and traffic', async () => {
    const app = await createEmbeddedTestApp({ imports: [AllInOneModule], dataDir });
    t = app;
    const tokens = {
      admin: app.token({ account, tenant: null, roles: ['account_admin'] }),
      writer: app.token({ account, tenant, roles: ['tenant_admin'] }),
      otherWriter: app.token({ account, tenant: other, roles: ['tenant_admin'] }),
    };
    const call = async (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, as: keyof typeof tokens, payload?: unknown, contentType?: string) => {
      const headers: Record<string, string> = { authorization: `Bearer ${tokens[as]}` };
      if (contentType) headers['content-type'] = contentType;
      const res = await app.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
      expect([method, url, res.statusCode, res.statusCode < 300 ? '' : res.body]).toEqual([method, url, expect.any(Number), '']);
      return res.body ? res.json() : undefined;
    };
    const upload = (url: string, as: keyof typeof tokens, commonName: string) => {
      const form = multipartBody({ name: commonName, usage: 'encryption' }, { field: 'certificate', filename: 'c.pem', content: issueTestCertificate({ commonName }).pem });
      return call('POST', url, as, form.payload, form.contentType);
    };

    await call('POST', `/v1/accounts/${account}/tenants`, 'admin', { id: tenant, name: 'Plant 1', plan: 'starter' });
    await call('POST', `/v1/accounts/${account}/tenants`, 'admin', { id: other, name: 'Plant 2', plan: 'starter' });
    await call('PATCH', `/v1/accounts/${account}/tenants/${tenant}`, 'admin', { name: 'Plant One' });
    const masterId = (await call('POST', `/v1/accounts/${account}/partners`, 'admin', { name: 'Master Co', as2_id: 'REBUILD-MASTER', url: 'https://master.example.com/as2' })).data.id as string;
    const goneMasterId = (await call('POST', `/v1/accounts/${account}/partners`, 'admin', { name: 'Gone Master', as2_id: 'REBUILD-GONE', url: 'https://gone.example.com/as2' })).data.id as string;
    await call('PATCH', `/v1/accounts/${account}/partners/${masterId}`, 'admin', { active: true, subject: 'Master subject' });
    await upload(`/v1/accounts/${account}/partners/${masterId}/certificates`, 'admin', 'Master');
    const partnerIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const as = i % 3 === 0 ? 'otherWriter' : 'writer';
      partnerIds.push((await call('POST', '/v1/partners', as, { name: `Partner ${i}`, as2_id: `REBUILD-${i}`, url: `https://p${i}.example.com/as2`, active: i % 4 !== 0 })).data.id as string);
    }
    const [partnerId, , deletedId] = [partnerIds[1] as string, partnerIds[2] as string, partnerIds[4] as string];
    await call('PATCH', `/v1/partners/${partnerId}`, 'writer', { subject: 'AS2 message', active: false });
    await call('POST', `/v1/partners/${partnerId}/as2-id-change`, 'writer', { new_as2_id: 'REBUILD-1B', acknowledge_risks: true, reason: 'merger' });
    await upload(`/v1/partners/${partnerId}/certificates`, 'writer', 'Partner One');
    await call('DELETE', `/v1/partners/${deletedId}`, 'writer');
    // a master's override in one tenant, reset in the other; a master renamed and one deleted after the tenants saw them
    await call('PATCH', `/v1/partners/${masterId}`, 'writer', { name: 'Overridden Master' });
    await call('PATCH', `/v1/partners/${masterId}`, 'otherWriter', { name: 'Other Override' });
    await call('DELETE', `/v1/partners/${masterId}/overrides`, 'otherWriter');
    await call('POST', `/v1/accounts/${account}/partners/${masterId}/as2-id-change`, 'admin', { new_as2_id: 'REBUILD-MASTER-2', acknowledge_risks: true });
    await call('DELETE', `/v1/accounts/${account}/partners/${goneMasterId}`, 'admin');

    const instanceId = (await call('POST', '/v1/as2-instances', 'writer', { my_as2_id: 'REBUILD-ME', my_name: 'Rebuild Me', my_as2_alias: 'rebuild-me', my_email: 'as2@me.example.com' })).data.id as string;
    await call('PATCH', `/v1/as2-instances/${instanceId}`, 'writer', { my_name: 'Rebuild Me Too' });
    await call('POST', '/v1/partnerships', 'writer', { as2_instance_id: instanceId, partner_id: partnerId, subject: 'Rebuild' });
    const stationId = (await call('POST', '/v1/stations', 'writer', { name: 'Dock 1', notification_email: 'dock1@me.example.com' })).data.id as string;
    await call('PATCH', `/v1/stations/${stationId}`, 'writer', { name: 'Dock One' });
    await call('POST', '/v1/keys', 'writer', { alias: 'rebuild-key', generate: { algorithm: 'RSA', key_size: 2048, subject: 'CN=Rebuild', valid_days: 365 } });

    await call('PUT', `/v1/partners/${partnerId}/traffic/incoming`, 'writer', { paused: true, response: 'http_503_retry', reason: 'maintenance', retry_after_seconds: 600 });
    await call('PUT', `/v1/partners/${partnerId}/traffic/outgoing`, 'writer', { paused: true, reason: 'maintenance' });
    await call('POST', `/v1/partners/${partnerId}/traffic/windows`, 'writer', {
      direction: 'both',
      starts_at: new Date(Date.now() + DAY).toISOString(),
      ends_at: new Date(Date.now() + 2 * DAY).toISOString(),
      response: 'http_503_retry',
      reason: 'upgrade',
    });
    await call('PUT', `/v1/partners/${partnerId}/traffic/incoming`, 'writer', { paused: false });
    await call('PUT', `/v1/accounts/${account}/partners/${masterId}/traffic/outgoing`, 'admin', { paused: true, reason: 'account hold' });

    // every follower (store-fed and bus-fed) has applied everything before the incremental state is taken
    const registry = app.app.get<ProjectionRegistry>(PROJECTION_REGISTRY);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const lags = await Promise.all(registry.monitored().map((follower) => follower.lag()));
      if (lags.every((lag) => lag === null || lag.caughtUp !== false)) break;
      if (Date.now() > deadline) throw new Error(`followers not caught up: ${JSON.stringify(lags.filter((lag) => lag?.caughtUp === false))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await app.close();
    t = null;
    const incremental = readModelDocuments(dataDir);
    // the walk reached the read models of every service
    const written = Object.keys(incremental).filter((collection) => Object.keys(incremental[collection] ?? {}).length > 0);
    expect(written).toEqual(
      expect.arrayContaining([
        'partner_registry_partner_views',
        'partner_registry_master_partners',
        'partner_registry_overrides',
        'partner_registry_tenants',
        'partner_registry_as2_instances',
        'partner_registry_partnerships',
        'partner_registry_stations',
        'certificate_lifecycle_certificates',
        'certificate_lifecycle_certificate_uses',
        'certificate_lifecycle_keys',
        'traffic_control_partner_traffic',
        'connection_tester_partners',
      ]),
    );

    // every searched text of the partner views and masters, and a few common parts
    const terms = [
      ...new Set(
        ['partner_registry_partner_views', 'partner_registry_master_partners'].flatMap((collection) =>
          Object.values(incremental[collection] ?? {}).flatMap((doc) => {
            const view = doc as { as2Id?: string; settings?: { name?: string } };
            return [view.as2Id, view.settings?.name].filter((text): text is string => typeof text === 'string' && text.length >= 3);
          }),
        ),
      ),
      'Partner',
      'REBUILD',
    ];
    const indexedIncrementally = readModelIndexes(dataDir, terms);
    expect(Object.values(indexedIncrementally.matches).filter((found) => found.length > 0).length).toBeGreaterThan(terms.length / 2);

    const config = loadPlatformConfig({ DATA_DIR: dataDir, JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'warn' });
    const rebuilt = await rebuildReadModels(AllInOneModule, config, { openInfrastructure });
    expect(rebuilt.filter((r) => r.skipped)).toEqual([]);

    const afterRebuild = readModelDocuments(dataDir);
    expect(Object.keys(afterRebuild).sort()).toEqual(Object.keys(incremental).sort());
    for (const collection of Object.keys(incremental)) expect([collection, afterRebuild[collection]]).toEqual([collection, incremental[collection]]);
    // the same SQL indexes, and the search index matches the same documents
    expect(readModelIndexes(dataDir, terms)).toEqual(indexedIncrementally);
  });
});
