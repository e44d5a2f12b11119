import { issueTestCertificate } from '@as2-partners/certificate-lifecycle-testing';
import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';
import { multipartBody } from '../certificates/certificate-api.spec-support';

jest.setTimeout(120_000);

/**
 * Random walks of registry writes through the HTTP API (fixed seeds); after each step, what the other services keep
 * of the registry's partners (and what the registry keeps of theirs) must say what the registry says, as each tenant
 * sees it.
 */
const ACCOUNT = 'xcopy';
const SIGN = ['SHA1withRSA', 'SHA256withRSA', 'SHA384withRSA', 'SHA512withRSA'];
const ENCRYPT = ['3DES', 'AES128_CBC', 'AES192_CBC', 'AES256_CBC'];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

type Json = Record<string, any>;
/** A stored document of another service, read as it is. */
type StoredJson = Json & { readonly _id: string };

interface World {
  tenants: string[];
  deletedTenants: string[];
  own: Map<string, string[]>; // tenant -> own partner ids (live or deleted: the registry decides)
  masters: string[];
  stations: Map<string, string[]>;
  instances: Map<string, string[]>;
  partnerships: Map<string, string[]>;
  /** Partners the registry deleted (each tenant must see them gone everywhere). */
  gone: string[];
  goneInstances: string[];
  counter: number;
}

let t: EmbeddedTestApp;
let store: ReadModelStore;
const certificates: string[] = [];

beforeAll(async () => {
  t = await createEmbeddedTestApp({ imports: [AllInOneModule], env: { PRIVATE_ENDPOINTS_ALLOW: '127.0.0.0/8', CONNECTION_TEST_MAX_TIMEOUT_SECONDS: '2' } });
  store = t.app.get<ReadModelStore>(READ_MODEL_STORE);
  for (let i = 0; i < 4; i++) certificates.push(issueTestCertificate({ commonName: `Cross ${i}` }).pem);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const admin = () => t.token({ account: ACCOUNT, tenant: null, roles: ['account_admin'] });
const writer = (tenant: string) => t.token({ account: ACCOUNT, tenant, roles: ['tenant_admin'] });
const gateway = (tenant: string) => t.token({ account: ACCOUNT, tenant, roles: ['gateway'] });

async function call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, token: string, payload?: unknown, contentType?: string) {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (contentType) headers['content-type'] = contentType;
  const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
  return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Json) : ({} as Json) };
}

/** What one tenant sees of one partner, by every service; each line names the service and the field. */
async function viewsOf(tenant: string, id: string): Promise<string[]> {
  const diffs: string[] = [];
  const differ = (what: string, registry: unknown, other: unknown) => {
    if (JSON.stringify(registry) !== JSON.stringify(other)) diffs.push(`${tenant} ${id} ${what}: registry ${JSON.stringify(registry)} vs ${JSON.stringify(other)}`);
  };
  const details = await call('GET', `/v1/partners/${id}`, writer(tenant));
  const p = details.status === 200 ? details.body.data : null;
  const master = p?.type === 'inherited' || (await store.collection<StoredJson>('connection_tester_partners').get(id))?.kind === 'master';

  // connection-tester: its partner copy with the tenant's override applied
  const tested = await store.collection<StoredJson>('connection_tester_partners').get(id);
  const testerOverride = master ? await store.collection<StoredJson>('connection_tester_partner_overrides').get(`${ACCOUNT}.${tenant}.${id}`) : null;
  const o: Json = testerOverride?.overrides ?? {};
  const tv: Json | null = tested && !tested.deleted && (tested.kind === 'master' || tested.tenant === tenant) ? { ...tested, ...o, httpAuthEnabled: o.httpAuth?.enabled ?? tested.httpAuthEnabled, httpAuthUsername: o.httpAuth?.username !== undefined ? o.httpAuth.username : tested.httpAuthUsername, timeoutSeconds: o.connection?.timeoutSeconds ?? tested.timeoutSeconds } : null;
  differ('tester visible', p !== null, tv !== null);
  if (p && tv) {
    differ('tester as2_id', p.as2_id, tv.as2Id);
    differ('tester name', p.name, tv.name);
    differ('tester url', p.url, tv.url);
    differ('tester sign', [p.sign, p.sign_algorithm], [tv.sign, tv.signAlgorithm]);
    differ('tester encrypt', [p.encrypt, p.encrypt_algorithm], [tv.encrypt, tv.encryptAlgorithm]);
    differ('tester http_auth', [p.http_auth.enabled, p.http_auth.username], [tv.httpAuthEnabled, tv.httpAuthUsername]);
    differ('tester timeout', p.connection.timeout_seconds, tv.timeoutSeconds);
    differ('tester station_id', p.station_id, tv.stationId ?? null);
  }

  // traffic-control: its partner copy (and the tenant's override of a master)
  const known = await store.collection<StoredJson>('traffic_control_known_partners').get(id);
  const trafficOverride = master ? await store.collection<StoredJson>('traffic_control_known_partner_overrides').get(`${id}.${tenant}`) : null;
  const kv = known && !known.deleted && (known.tenant === null || known.tenant === tenant) ? known : null;
  differ('traffic visible', p !== null, kv !== null);
  if (p && kv) {
    differ('traffic as2_id', p.as2_id, kv.as2Id);
    differ('traffic active', p.active, trafficOverride?.active ?? kv.active);
    differ('traffic name', p.name, trafficOverride?.name ?? kv.name);
    differ('traffic station_id', p.station_id, trafficOverride?.stationId ?? kv.stationId);
  }
  const traffic = await call('GET', `/v1/partners/${id}/traffic`, writer(tenant));
  differ('traffic route', p !== null ? 200 : 404, traffic.status);
  if (p && traffic.status === 200) {
    for (const d of ['incoming', 'outgoing'] as const) {
      const got = traffic.body.data[d];
      differ(`traffic ${d}`, [p.traffic[d].paused, p.traffic[d].level ?? null, p.traffic[d].reason ?? null], [got.paused, got.paused ? (got.paused_by_level as string).replace('_window', '').replace('window', 'tenant') : null, got.paused ? got.reason : null]);
    }
  }

  // certificate-lifecycle: its partner copy, its trust route, and the certificates the registry joins
  const cl = await store.collection<StoredJson>('certificate_lifecycle_known_partners').get(id);
  const clv = cl && !cl.deleted && (cl.tenant === null || cl.tenant === tenant) ? cl : null;
  differ('certificates visible', p !== null, clv !== null);
  if (p && clv) {
    differ('certificates as2_id', p.as2_id, clv.as2Id);
    if (!master) differ('certificates name', p.name, clv.name);
    const signOverride = master ? await store.collection<StoredJson>('certificate_lifecycle_known_partner_overrides').get(`${id}.${tenant}`) : null;
    differ('certificates sign_algorithm', p.sign_algorithm, signOverride ? signOverride.signAlgorithm : clv.signAlgorithm);
  }
  const trust = await call('GET', `/v1/partners/${id}/trust`, writer(tenant));
  differ('trust route', p !== null ? 200 : 404, trust.status);
  if (p) {
    const listed = await call('GET', `/v1/partners/${id}/certificates`, writer(tenant));
    differ('certificate list route', 200, listed.status);
    if (listed.status === 200) differ('certificates', p.certificates.map((c: Json) => c.id).sort(), (listed.body.data as Json[]).map((c) => c.id).sort());
    const slots = await call('GET', `/v1/partners/${id}/certificate-slots`, writer(tenant));
    const copy = (await store.collection<StoredJson>('connection_tester_partner_certificates').get(id)) ?? { encryption: null, signature: null, signatureSetApart: false, tls: null };
    if (slots.status === 200) {
      const s = slots.body.data;
      differ('tester slots', [s.encryption.current?.id ?? null, s.signature.current?.id ?? null, s.tls.current?.id ?? null], [copy.encryption, copy.signatureSetApart ? copy.signature : copy.encryption, copy.tls]);
    } else differ('slots route', 200, slots.status);
    const tests = await call('GET', `/v1/partners/${id}/tests`, writer(tenant));
    if (tests.status === 200) {
      const last = (tests.body.data as Json[])[0];
      differ('connection_status', p.connection_status?.last_test_result ?? null, last ? (last.success ? 'success' : 'failure') : null);
    } else differ('tests route', 200, tests.status);
  }
  return diffs;
}

/** Each AS2 instance of the tenant, as the registry lists it, in every service's copy. */
async function instancesOf(tenant: string, w: World): Promise<string[]> {
  const diffs: string[] = [];
  for (const id of [...(w.instances.get(tenant) ?? []), ...w.goneInstances]) {
    const res = await call('GET', `/v1/as2-instances/${id}`, writer(tenant));
    const r = res.status === 200 ? res.body.data : null;
    const tester = await store.collection<StoredJson>('connection_tester_instances').get(id);
    const traffic = await store.collection<StoredJson>('traffic_control_known_instances').get(id);
    const keys = await store.collection<StoredJson>('certificate_lifecycle_known_instances').get(id);
    const want = r ? [r.my_as2_id, r.status, r.my_as2_alias] : null;
    const seen = {
      tester: tester && !tester.deleted ? [tester.as2Id, tester.status, tester.keyAlias] : null,
      traffic: traffic && !traffic.deleted ? [traffic.myAs2Id, traffic.status, want?.[2]] : null,
      keys: keys && !keys.deleted ? [keys.myAs2Id, keys.status, keys.myAs2Alias] : null,
    };
    for (const [service, got] of Object.entries(seen)) {
      if (JSON.stringify(want) !== JSON.stringify(got)) diffs.push(`${tenant} instance ${id} ${service}: registry ${JSON.stringify(want)} vs ${JSON.stringify(got)}`);
    }
  }
  return diffs;
}

/** Each partnership of the tenant: the registry's resolve and traffic-control's decision name the same pair and verdict. */
async function pairsOf(tenant: string, world: World): Promise<string[]> {
  const diffs: string[] = [];
  for (const id of world.partnerships.get(tenant) ?? []) {
    const ps = await call('GET', `/v1/partnerships/${id}`, writer(tenant));
    if (ps.status !== 200) continue;
    const instance = await call('GET', `/v1/as2-instances/${ps.body.data.as2_instance_id}`, writer(tenant));
    const partner = await call('GET', `/v1/partners/${ps.body.data.partner_id}`, writer(tenant));
    if (instance.status !== 200 || partner.status !== 200) continue;
    const [ours, theirs] = [instance.body.data.my_as2_id as string, partner.body.data.as2_id as string];
    const resolved = await call('GET', `/v1/partnerships/resolve?as2_from=${encodeURIComponent(theirs)}&as2_to=${encodeURIComponent(ours)}&tenant=${tenant}`, gateway(tenant));
    const decision = await call('POST', '/v1/traffic/decisions', gateway(tenant), { direction: 'inbound', as2_from: theirs, as2_to: ours, message_id: `<${id}@x>` });
    if (resolved.status !== 200) {
      diffs.push(`${tenant} pair ${theirs}->${ours}: resolve ${resolved.status} ${resolved.body.error?.code}`);
      continue;
    }
    const r = resolved.body.data ?? resolved.body;
    const expected = r.as2_instance.status === 'off' ? 'AS2_INSTANCE_OFF' : !r.partner.active ? 'PARTNER_INACTIVE' : partner.body.data.traffic.incoming.paused ? 'PAUSED' : 'NOT_PAUSED';
    const got = decision.body.reason_code === 'TENANT_PAUSE' || decision.body.reason_code === 'ACCOUNT_PAUSE' ? 'PAUSED' : decision.body.reason_code;
    if (decision.body.partner_id !== r.partner.id || got !== expected) {
      diffs.push(`${tenant} pair ${theirs}->${ours}: registry ${r.partner.id} ${expected} vs traffic ${decision.body.partner_id} ${decision.body.reason_code}`);
    }
  }
  return diffs;
}

const pick = <T>(rand: () => number, items: readonly T[]): T | undefined => (items.length === 0 ? undefined : items[Math.floor(rand() * items.length)]);

/** One random write; returns what it did (for the report of a divergence). */
async function step(rand: () => number, w: World): Promise<string> {
  const n = ++w.counter;
  const tenant = pick(rand, w.tenants) as string;
  const own = w.own.get(tenant) ?? [];
  const visible = [...own, ...w.masters];
  const url = rand() < 0.5 ? `https://127.0.0.1:9/p${n}` : `https://p${n}.example.com/as2`;
  const stations = w.stations.get(tenant) ?? [];
  const patchOf = (): Json => {
    const which = Math.floor(rand() * 10);
    switch (which) {
      case 0:
        return { name: `Name ${n}` };
      case 1:
        return { url };
      case 2:
        return { active: rand() < 0.5 };
      case 3:
        return { sign: rand() < 0.7, sign_algorithm: pick(rand, SIGN) };
      case 4:
        return { encrypt: rand() < 0.7, encrypt_algorithm: pick(rand, ENCRYPT) };
      case 5:
        return rand() < 0.7 ? { http_auth: { enabled: true, username: `user${n}`, password: `pw${n}` } } : { http_auth: { enabled: false } };
      case 6:
        return rand() < 0.6 && stations.length ? { station_id: pick(rand, stations), email: `s${n}@example.com` } : { station_id: null };
      case 7:
        return { email: `e${n}@example.com` };
      case 8:
        return { connection: { timeout_seconds: 5 + Math.floor(rand() * 100) } };
      default:
        return { name: `Both ${n}`, active: rand() < 0.5 };
    }
  };
  const r = rand();
  if (r < 0.1 || visible.length === 0) {
    const res = await call('POST', '/v1/partners', writer(tenant), { name: `P${n}`, as2_id: `XP-${n}`, url, active: rand() < 0.8, sign_algorithm: pick(rand, SIGN) });
    if (res.status === 201) w.own.set(tenant, [...own, res.body.data.id]);
    return `create partner in ${tenant} -> ${res.status}`;
  }
  if (r < 0.16) {
    const res = await call('POST', `/v1/accounts/${ACCOUNT}/partners`, admin(), { name: `M${n}`, as2_id: `XM-${n}`, url, active: rand() < 0.8, sign_algorithm: pick(rand, SIGN) });
    if (res.status === 201) w.masters.push(res.body.data.id);
    return `create master -> ${res.status}`;
  }
  if (r < 0.36) {
    const id = pick(rand, visible) as string;
    const patch = patchOf();
    const res = await call('PATCH', `/v1/partners/${id}`, writer(tenant), patch);
    return `PATCH ${w.masters.includes(id) ? 'override ' : ''}${id} in ${tenant} ${JSON.stringify(patch)} -> ${res.status} ${res.status >= 300 ? res.body.error?.code : ''}`;
  }
  if (r < 0.44 && w.masters.length) {
    const id = pick(rand, w.masters) as string;
    const patch = patchOf();
    delete patch['station_id'];
    const res = await call('PATCH', `/v1/accounts/${ACCOUNT}/partners/${id}`, admin(), Object.keys(patch).length ? patch : { name: `Master ${n}` });
    return `PATCH master ${id} ${JSON.stringify(patch)} -> ${res.status} ${res.status >= 300 ? res.body.error?.code : ''}`;
  }
  if (r < 0.48 && w.masters.length) {
    const id = pick(rand, w.masters) as string;
    const res = await call('DELETE', `/v1/partners/${id}/overrides`, writer(tenant));
    return `reset overrides of ${id} in ${tenant} -> ${res.status}`;
  }
  if (r < 0.53) {
    const id = pick(rand, visible) as string;
    const master = w.masters.includes(id);
    const route = master ? `/v1/accounts/${ACCOUNT}/partners/${id}/as2-id-change` : `/v1/partners/${id}/as2-id-change`;
    const res = await call('POST', route, master ? admin() : writer(tenant), { new_as2_id: `XC-${n}`, acknowledge_risks: true, reason: 'merger' });
    return `as2 id change ${id} -> XC-${n}: ${res.status}`;
  }
  if (r < 0.55) {
    const id = pick(rand, visible) as string;
    const master = w.masters.includes(id);
    const res = await call('DELETE', master ? `/v1/accounts/${ACCOUNT}/partners/${id}` : `/v1/partners/${id}`, master ? admin() : writer(tenant));
    if (res.status === 200) {
      w.gone.push(id);
      if (master) w.masters = w.masters.filter((x) => x !== id);
      else w.own.set(tenant, own.filter((x) => x !== id));
    }
    return `delete ${master ? 'master ' : ''}${id} -> ${res.status}`;
  }
  if (r < 0.62) {
    if (rand() < 0.7 || stations.length === 0) {
      const res = await call('POST', '/v1/stations', writer(tenant), { name: `Dock ${n}`, notification_email: `dock${n}@example.com` });
      if (res.status === 201) w.stations.set(tenant, [...stations, res.body.data.id]);
      return `create station in ${tenant} -> ${res.status}`;
    }
    const id = pick(rand, stations) as string;
    const res = await call('DELETE', `/v1/stations/${id}`, writer(tenant));
    return `delete station ${id} -> ${res.status}`;
  }
  const instances = w.instances.get(tenant) ?? [];
  if (r < 0.68) {
    const which = rand();
    if (which < 0.4 || instances.length === 0) {
      const res = await call('POST', '/v1/as2-instances', writer(tenant), { my_as2_id: `ME-${n}`, my_name: `Me ${n}`, my_as2_alias: `me-${n}`, my_email: `me${n}@example.com` });
      if (res.status === 201) w.instances.set(tenant, [...instances, res.body.data.id]);
      return `create instance in ${tenant} -> ${res.status}`;
    }
    const id = pick(rand, instances) as string;
    if (which < 0.5) return `alias of instance ${id} -> ${(await call('PATCH', `/v1/as2-instances/${id}`, writer(tenant), { my_as2_alias: `alias-${n}` })).status}`;
    if (which < 0.6) return `rename instance ${id} -> ${(await call('PATCH', `/v1/as2-instances/${id}`, writer(tenant), { my_as2_id: `MR-${n}` })).status}`;
    if (which < 0.85) {
      const status = rand() < 0.5 ? 'off' : 'on';
      return `instance ${id} ${status} -> ${(await call('PATCH', `/v1/as2-instances/${id}`, writer(tenant), { status })).status}`;
    }
    const res = await call('DELETE', `/v1/as2-instances/${id}?cascade=true`, writer(tenant));
    if (res.status === 200) {
      w.instances.set(tenant, instances.filter((x) => x !== id));
      w.goneInstances.push(id);
    }
    return `delete instance ${id} -> ${res.status}`;
  }
  if (r < 0.8) {
    const partnerships = w.partnerships.get(tenant) ?? [];
    if (rand() < 0.75 || partnerships.length === 0) {
      const [instance, partner] = [pick(rand, instances), pick(rand, visible)];
      if (!instance || !partner) return 'no partnership possible';
      const res = await call('POST', '/v1/partnerships', writer(tenant), { as2_instance_id: instance, partner_id: partner });
      if (res.status === 201) w.partnerships.set(tenant, [...partnerships, res.body.data.id]);
      return `partnership ${instance}/${partner} in ${tenant} -> ${res.status} ${res.status >= 300 ? res.body.error?.code : ''}`;
    }
    const id = pick(rand, partnerships) as string;
    return `delete partnership ${id} -> ${(await call('DELETE', `/v1/partnerships/${id}`, writer(tenant))).status}`;
  }
  if (r < 0.84) {
    const id = pick(rand, visible) as string;
    const master = w.masters.includes(id);
    const form = multipartBody({ name: `Cert ${n}`, usage: pick(rand, ['encryption', 'signing', 'both', 'tls']) as string }, { field: 'certificate', filename: 'c.pem', content: pick(rand, certificates) as string });
    const route = master ? `/v1/accounts/${ACCOUNT}/partners/${id}/certificates` : `/v1/partners/${id}/certificates`;
    const res = await call('POST', route, master ? admin() : writer(tenant), form.payload, form.contentType);
    return `upload to ${id} -> ${res.status} ${res.status >= 300 ? JSON.stringify(res.body) : ''}`;
  }
  if (r < 0.9) {
    const id = pick(rand, visible) as string;
    const direction = rand() < 0.5 ? 'incoming' : 'outgoing';
    const paused = rand() < 0.6;
    const body = paused ? { paused, reason: 'hold', ...(direction === 'incoming' ? { response: 'http_503_retry' } : {}) } : { paused };
    const byAccount = w.masters.includes(id) && rand() < 0.4;
    const route = byAccount ? `/v1/accounts/${ACCOUNT}/partners/${id}/traffic/${direction}` : `/v1/partners/${id}/traffic/${direction}`;
    const res = await call('PUT', route, byAccount ? admin() : writer(tenant), body);
    return `traffic ${byAccount ? 'account ' : ''}${direction} ${paused} of ${id} in ${tenant} -> ${res.status}`;
  }
  if (r < 0.94) {
    const id = pick(rand, own) as string;
    if (!id) return 'no slot change possible';
    const listed = await call('GET', `/v1/partners/${id}/certificates`, writer(tenant));
    const certificate = pick(rand, (listed.body.data ?? []) as Json[]);
    if (!certificate) return 'no certificate to assign';
    const slot = pick(rand, ['encryption', 'signature', 'tls']) as string;
    const body = slot === 'signature' && rand() < 0.3 ? { certificate_id: null } : { certificate_id: certificate.id };
    const res = await call('PUT', `/v1/partners/${id}/certificate-slots/${slot}`, writer(tenant), body);
    return `slot ${slot} of ${id} ${JSON.stringify(body)} -> ${res.status} ${res.status >= 300 ? res.body.error?.code : ''}`;
  }
  if (r < 0.97) {
    const id = pick(rand, visible) as string;
    const res = await call('POST', `/v1/partners/${id}/test`, writer(tenant), { test_type: 'ping' });
    return `ping ${id} in ${tenant} -> ${res.status} ${res.body.error?.code ?? ''}`;
  }
  if (w.tenants.length > 2 && n % 1000 > 30) {
    w.gone.push(...own);
    const res = await call('DELETE', `/v1/accounts/${ACCOUNT}/tenants/${tenant}`, admin());
    w.tenants = w.tenants.filter((x) => x !== tenant);
    w.deletedTenants.push(tenant);
    return `delete tenant ${tenant} -> ${res.status}`;
  }
  return 'nothing';
}

describe('every service keeps the registry\'s partners as the registry says them, after each write', () => {
  it.each([1, 5, 11, 23])('seed %i', async (seed) => {
    const rand = prng(seed);
    const w: World = { tenants: [], deletedTenants: [], own: new Map(), masters: [], stations: new Map(), instances: new Map(), partnerships: new Map(), counter: seed * 1000, gone: [], goneInstances: [] };
    for (const i of [1, 2, 3]) {
      const id = `xc-${seed}-${i}`;
      expect((await call('POST', `/v1/accounts/${ACCOUNT}/tenants`, admin(), { id, name: id, plan: 'professional' })).status).toBe(201);
      w.tenants.push(id);
    }
    const log: string[] = [];
    const divergences: string[] = [];
    for (let i = 0; i < 80; i++) {
      log.push(await step(rand, w));
      for (const tenant of w.tenants) {
        const ids = [...(w.own.get(tenant) ?? []), ...w.masters, ...w.gone];
        for (const id of ids) divergences.push(...(await viewsOf(tenant, id)).map((d) => `step ${i}: ${d}`));
        divergences.push(...(await pairsOf(tenant, w)).map((d) => `step ${i}: ${d}`));
        divergences.push(...(await instancesOf(tenant, w)).map((d) => `step ${i}: ${d}`));
      }
      for (const id of w.gone) {
        const copies = {
          tester: await store.collection<StoredJson>('connection_tester_partners').get(id),
          traffic: await store.collection<StoredJson>('traffic_control_known_partners').get(id),
          certificates: await store.collection<StoredJson>('certificate_lifecycle_known_partners').get(id),
        };
        for (const [service, doc] of Object.entries(copies)) if (doc && !doc.deleted) divergences.push(`step ${i}: ${id} deleted in the registry, live in ${service}`);
      }
      for (const tenant of w.deletedTenants) {
        const left = await store.collection<StoredJson>('connection_tester_partner_overrides').find({ filter: { tenant } });
        if (left.items.length) divergences.push(`step ${i}: deleted tenant ${tenant} keeps tester overrides ${JSON.stringify(left.items)}`);
        const trafficLeft = (await store.collection<StoredJson>('traffic_control_known_partner_overrides').find({ filter: { tenant } })).items.filter((o) => w.masters.includes(o.partnerId) && (o.active !== null || o.name || o.stationId));
        if (trafficLeft.length) divergences.push(`step ${i}: deleted tenant ${tenant} keeps traffic overrides ${JSON.stringify(trafficLeft)}`);
        const certificatesLeft = (await store.collection<StoredJson>('certificate_lifecycle_known_partner_overrides').find({ filter: { tenant } })).items;
        if (certificatesLeft.length) divergences.push(`step ${i}: deleted tenant ${tenant} keeps certificate overrides ${JSON.stringify(certificatesLeft)}`);
      }
      if (divergences.length) break;
    }
    expect({ divergences, log: divergences.length ? log : [] }).toEqual({ divergences: [], log: [] });
  });
});
