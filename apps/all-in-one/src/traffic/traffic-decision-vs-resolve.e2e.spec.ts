import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@as2-partners/kernel-testing';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { partnerInput, trafficApiAs, type ApiResponse, type TrafficApi } from './traffic-api.spec-support';

/**
 * Two answers to "whose pair is this": the registry's partnership resolve and traffic-control's decision, compared
 * over small random worlds built through the HTTP API (fixed seeds). Where the registry resolves a partnership, the
 * decision names the same instance and partner and honours exactly that tenant's (and the account's) pause; where it
 * resolves none, the decision refuses, or accepts only through an instance the tenant made no partnerships for. An
 * account-wide token's decision is the one resolving tenant's, ambiguous (not found) when both tenants resolve, and
 * without partnerships the same as the owning tenant's own gateway. Tenant two is sometimes unregistered or deleted.
 */

const TENANTS = ['t1', 't2'] as const;
type Tenant = (typeof TENANTS)[number];
const OURS = ['US', 'HQ'];
const THEIRS = ['ACME', 'BETA'];
const DIRECTIONS = ['inbound', 'outbound'] as const;
type Direction = (typeof DIRECTIONS)[number];

interface Instance {
  readonly id: string;
  readonly tenant: Tenant | null;
  as2: string;
}
interface Partner {
  readonly id: string;
  readonly tenant: Tenant | null;
  as2: string;
  alive: boolean;
}
interface Partnership {
  readonly id: string;
  readonly tenant: Tenant;
  readonly instanceId: string;
  readonly partnerId: string;
}

/** What the API accepted: the ends made, the partnerships, and each pause's reason by partner, level and direction. */
class World {
  readonly instances: Instance[] = [];
  readonly partners: Partner[] = [];
  partnerships: Partnership[] = [];
  readonly pauses = new Map<string, string>();
  readonly deletedTenants = new Set<Tenant>();
  readonly log: string[] = [];

  constructor(readonly account: string) {}

  visibleInstances(tenant: Tenant): Instance[] {
    return this.instances.filter((i) => i.tenant === null || i.tenant === tenant);
  }
  visiblePartners(tenant: Tenant): Partner[] {
    return this.partners.filter((p) => p.alive && (p.tenant === null || p.tenant === tenant));
  }
  partner(id: string): Partner | undefined {
    return this.partners.find((p) => p.id === id);
  }
}

const pauseKey = (partnerId: string, level: Tenant | 'account', direction: 'incoming' | 'outgoing') => `${partnerId}/${level}/${direction}`;
const trafficDirection = (d: Direction) => (d === 'inbound' ? 'incoming' : 'outgoing');

describe('traffic decisions against the registry resolve, over random worlds', () => {
  let t: EmbeddedTestApp;
  const dataDir = mkdtempSync(join(tmpdir(), 'as2-decision-vs-resolve-'));
  const start = () => createEmbeddedTestApp({ imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule], dataDir });
  const worlds: World[] = [];

  beforeAll(async () => {
    t = await start();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

  async function buildWorld(seed: number, steps: number): Promise<World> {
    const rnd = seededRandom(seed);
    const w = new World(`acct-diff-${seed}`);
    const accountAdmin = trafficApiAs(t, { sub: 'boss', account: w.account, tenant: null, roles: ['account_admin'] });
    const admin: Record<Tenant, TrafficApi> = {
      t1: trafficApiAs(t, { sub: 'a1', account: w.account, tenant: 't1', roles: ['tenant_admin'] }),
      t2: trafficApiAs(t, { sub: 'a2', account: w.account, tenant: 't2', roles: ['tenant_admin'] }),
    };
    // Tenant two is registered in half the worlds: a token may name a tenant the registry has no record of.
    const registered = rnd() < 0.5 ? TENANTS : TENANTS.slice(0, 1);
    for (const tenant of registered) expect((await accountAdmin.post(`/v1/accounts/${w.account}/tenants`, { id: tenant, name: `Tenant ${tenant}` })).status).toBe(201);
    w.log.push(`registered ${registered.join(',')}`);
    const ok = (res: ApiResponse, what: string) => {
      const done = res.status >= 200 && res.status < 300;
      w.log.push(`${what} -> ${res.status}${done && res.body?.data?.id ? ` ${res.body.data.id}` : ''}`);
      return done;
    };
    const instanceInput = (as2: string) => ({ my_as2_id: as2, my_name: `Us ${as2}`, my_as2_alias: `${as2.toLowerCase()}-key`, my_email: 'as2@us.example.com' });
    // Tenant two (when registered) is deleted in some worlds, at some step: its ends go, its tokens are refused.
    const deleteAt = registered.length === 2 && rnd() < 0.3 ? Math.floor(rnd() * steps) : -1;
    for (let step = 0; step < steps; step += 1) {
      if (step === deleteAt && ok(await accountAdmin.delete(`/v1/accounts/${w.account}/tenants/t2`), 'delete tenant t2')) {
        w.deletedTenants.add('t2');
        w.partnerships = w.partnerships.filter((p) => p.tenant !== 't2');
        for (const p of w.partners) if (p.tenant === 't2') p.alive = false;
        w.instances.splice(0, w.instances.length, ...w.instances.filter((i) => i.tenant !== 't2'));
      }
      const tenant = pick(rnd, TENANTS);
      const op = pick(rnd, ['instance', 'instance', 'partner', 'partner', 'partnership', 'partnership', 'partnership', 'pause', 'pause', 'active', 'delete', 'unpartner', 'reset', 'resume', 'rename']);
      if (op === 'instance') {
        const level = rnd() < 0.4 ? null : tenant;
        const as2 = pick(rnd, OURS);
        const res = level === null ? await accountAdmin.post(`/v1/accounts/${w.account}/as2-instances`, instanceInput(as2)) : await admin[level].post('/v1/as2-instances', instanceInput(as2));
        if (ok(res, `instance ${level ?? 'account'} ${as2}`)) w.instances.push({ id: res.body.data.id, tenant: level, as2 });
      } else if (op === 'partner') {
        const level = rnd() < 0.4 ? null : tenant;
        const as2 = pick(rnd, THEIRS);
        const res = level === null ? await accountAdmin.post(`/v1/accounts/${w.account}/partners`, partnerInput(as2)) : await admin[level].post('/v1/partners', partnerInput(as2));
        if (ok(res, `partner ${level ?? 'account'} ${as2}`)) w.partners.push({ id: res.body.data.id, tenant: level, as2, alive: true });
      } else if (op === 'partnership') {
        const instances = w.visibleInstances(tenant);
        const partners = w.visiblePartners(tenant);
        if (instances.length === 0 || partners.length === 0) continue;
        const [instance, partner] = [pick(rnd, instances), pick(rnd, partners)];
        const res = await admin[tenant].post('/v1/partnerships', { as2_instance_id: instance.id, partner_id: partner.id });
        if (ok(res, `partnership ${tenant} ${instance.id}(${instance.as2}) ${partner.id}(${partner.as2})`)) w.partnerships.push({ id: res.body.data.id, tenant, instanceId: instance.id, partnerId: partner.id });
      } else if (op === 'unpartner') {
        if (w.partnerships.length === 0) continue;
        const ps = pick(rnd, w.partnerships);
        if (ok(await admin[ps.tenant].delete(`/v1/partnerships/${ps.id}`), `delete partnership ${ps.tenant} ${ps.id}`)) w.partnerships = w.partnerships.filter((p) => p !== ps);
      } else if (op === 'pause') {
        const partners = w.visiblePartners(tenant);
        if (partners.length === 0) continue;
        const partner = pick(rnd, partners);
        const direction = pick(rnd, ['incoming', 'outgoing'] as const);
        const byAccount = partner.tenant === null && rnd() < 0.3;
        const level = byAccount ? 'account' : tenant;
        const reason = `paused by ${level} ${step}`;
        const body = direction === 'incoming' ? { paused: true, response: 'http_422', reason } : { paused: true, reason };
        const url = byAccount ? `/v1/accounts/${w.account}/partners/${partner.id}/traffic/${direction}` : `/v1/partners/${partner.id}/traffic/${direction}`;
        if (ok(await (byAccount ? accountAdmin : admin[tenant]).put(url, body), `pause ${level} ${direction} ${partner.id}(${partner.as2})`)) w.pauses.set(pauseKey(partner.id, level, direction), reason);
      } else if (op === 'active') {
        const partners = w.visiblePartners(tenant);
        if (partners.length === 0) continue;
        const partner = pick(rnd, partners);
        const active = rnd() < 0.4;
        // A tenant's PATCH of a master partner is its override; the account's changes the master for every tenant.
        const byAccount = partner.tenant === null && rnd() < 0.4;
        const res = byAccount ? await accountAdmin.patch(`/v1/accounts/${w.account}/partners/${partner.id}`, { active }) : await admin[tenant].patch(`/v1/partners/${partner.id}`, { active });
        ok(res, `active=${active} by ${byAccount ? 'account' : tenant} ${partner.id}(${partner.as2})`);
      } else if (op === 'rename') {
        if (rnd() < 0.5) {
          const partners = w.partners.filter((p) => p.alive);
          if (partners.length === 0) continue;
          const partner = pick(rnd, partners);
          const as2 = pick(rnd, THEIRS);
          const url = partner.tenant === null ? `/v1/accounts/${w.account}/partners/${partner.id}/as2-id-change` : `/v1/partners/${partner.id}/as2-id-change`;
          const res = await (partner.tenant === null ? accountAdmin : admin[partner.tenant]).post(url, { new_as2_id: as2, acknowledge_risks: true, reason: 'renamed' });
          if (ok(res, `rename partner ${partner.id}(${partner.as2}) to ${as2}`)) partner.as2 = as2;
        } else {
          if (w.instances.length === 0) continue;
          const instance = pick(rnd, w.instances);
          const as2 = pick(rnd, OURS);
          const url = instance.tenant === null ? `/v1/accounts/${w.account}/as2-instances/${instance.id}` : `/v1/as2-instances/${instance.id}`;
          if (ok(await (instance.tenant === null ? accountAdmin : admin[instance.tenant]).patch(url, { my_as2_id: as2 }), `rename instance ${instance.id}(${instance.as2}) to ${as2}`)) instance.as2 = as2;
        }
      } else if (op === 'reset') {
        const masters = w.visiblePartners(tenant).filter((p) => p.tenant === null);
        if (masters.length === 0) continue;
        const partner = pick(rnd, masters);
        ok(await admin[tenant].delete(`/v1/partners/${partner.id}/overrides`), `reset overrides ${tenant} ${partner.id}(${partner.as2})`);
      } else if (op === 'resume') {
        const paused = [...w.pauses.keys()];
        if (paused.length === 0) continue;
        const key = pick(rnd, paused);
        const [partnerId, level, direction] = key.split('/') as [string, Tenant | 'account', string];
        const url = level === 'account' ? `/v1/accounts/${w.account}/partners/${partnerId}/traffic/${direction}` : `/v1/partners/${partnerId}/traffic/${direction}`;
        if (ok(await (level === 'account' ? accountAdmin : admin[level]).put(url, { paused: false }), `resume ${level} ${direction} ${partnerId}`)) w.pauses.delete(key);
      } else if (op === 'delete') {
        if (rnd() < 0.5) {
          const partners = w.partners.filter((p) => p.alive);
          if (partners.length === 0) continue;
          const partner = pick(rnd, partners);
          const res = partner.tenant === null ? await accountAdmin.delete(`/v1/accounts/${w.account}/partners/${partner.id}`) : await admin[partner.tenant].delete(`/v1/partners/${partner.id}`);
          if (ok(res, `delete partner ${partner.id}(${partner.as2})`)) {
            partner.alive = false;
            w.partnerships = w.partnerships.filter((p) => p.partnerId !== partner.id);
          }
        } else {
          if (w.instances.length === 0) continue;
          const instance = pick(rnd, w.instances);
          if (rnd() < 0.3) {
            const url = instance.tenant === null ? `/v1/accounts/${w.account}/as2-instances/${instance.id}?cascade=true` : `/v1/as2-instances/${instance.id}?cascade=true`;
            if (ok(await (instance.tenant === null ? accountAdmin : admin[instance.tenant]).delete(url), `delete instance ${instance.id}(${instance.as2})`)) {
              w.instances.splice(w.instances.indexOf(instance), 1);
              w.partnerships = w.partnerships.filter((p) => p.instanceId !== instance.id);
            }
            continue;
          }
          const res = instance.tenant === null ? await accountAdmin.patch(`/v1/accounts/${w.account}/as2-instances/${instance.id}`, { status: 'off' }) : await admin[instance.tenant].patch(`/v1/as2-instances/${instance.id}`, { status: 'off' });
          ok(res, `instance off ${instance.id}(${instance.as2})`);
        }
      }
    }
    return w;
  }

  /** The decision the registry's resolve implies for a tenant: its ends, refused when it cannot exchange, else the pauses. */
  function expectedFromResolve(w: World, tenant: Tenant, direction: Direction, resolved: { as2_instance: { id: string; status: string }; partner: { id: string }; can_exchange: boolean }) {
    const ids = { partner_id: resolved.partner.id, as2_instance_id: resolved.as2_instance.id };
    if (!resolved.can_exchange) return { ...ids, reason_code: resolved.as2_instance.status === 'off' ? 'AS2_INSTANCE_OFF' : 'PARTNER_INACTIVE' };
    const master = w.partner(resolved.partner.id)?.tenant === null;
    const account = master ? w.pauses.get(pauseKey(resolved.partner.id, 'account', trafficDirection(direction))) : undefined;
    const own = w.pauses.get(pauseKey(resolved.partner.id, tenant, trafficDirection(direction)));
    if (account !== undefined) return { ...ids, reason_code: 'ACCOUNT_PAUSE', reason: `ACCOUNT_PAUSE: ${account}` };
    if (own !== undefined) return { ...ids, reason_code: 'TENANT_PAUSE', reason: `TENANT_PAUSE: ${own}` };
    return { ...ids, reason_code: 'NOT_PAUSED' };
  }

  async function compare(w: World): Promise<string[]> {
    const found: string[] = [];
    const gateway = (tenant: Tenant | null) => ({ authorization: `Bearer ${t.token({ sub: 'gw', account: w.account, tenant, roles: ['gateway'] })}` });
    const resolve = async (tenant: Tenant | null, from: string, to: string, named?: Tenant): Promise<ApiResponse> => {
      const query = `as2_from=${from}&as2_to=${to}${named === undefined ? '' : `&tenant=${named}`}`;
      const res = await t.app.inject({ method: 'GET', url: `/v1/partnerships/resolve?${query}`, headers: gateway(tenant) });
      return { status: res.statusCode, body: res.json() };
    };
    const decide = async (tenant: Tenant | null, direction: Direction, from: string, to: string) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/traffic/decisions', headers: gateway(tenant), payload: { direction, as2_from: from, as2_to: to, message_id: '<diff@x>' } });
      expect(res.statusCode).toBe(tenant !== null && w.deletedTenants.has(tenant) ? 403 : 200);
      const { as_of: _asOf, message_id: _m, ...rest } = res.json();
      return rest as { decision: string; reason_code: string; reason: string; partner_id: string | null; as2_instance_id: string | null };
    };
    for (const ours of OURS) {
      for (const theirs of THEIRS) {
        for (const direction of DIRECTIONS) {
          const [from, to] = direction === 'inbound' ? [theirs, ours] : [ours, theirs];
          const form = `${direction} ${from}->${to}`;
          const resolvedBy = new Map<Tenant, ReturnType<typeof expectedFromResolve>>();
          const decidedBy = new Map<Tenant, Awaited<ReturnType<typeof decide>>>();
          for (const tenant of TENANTS) {
            const own = await resolve(tenant, from, to);
            const named = await resolve(null, from, to, tenant);
            if (w.deletedTenants.has(tenant)) {
              await decide(tenant, direction, from, to);
              if (own.status !== 403 || named.status === 200) found.push(`${form}: deleted ${tenant}'s gateway resolves ${own.status}, account-wide ?tenant=${tenant} ${named.status}`);
              continue;
            }
            if (own.status !== named.status || own.body?.data?.partnership_id !== named.body?.data?.partnership_id) found.push(`${form}: resolve as ${tenant} ${own.status} but account-wide ?tenant=${tenant} ${named.status}`);
            const decided = await decide(tenant, direction, from, to);
            decidedBy.set(tenant, decided);
            if (own.status === 200) {
              expect(own.body.data.direction).toBe(direction);
              const expected = expectedFromResolve(w, tenant, direction, own.body.data);
              resolvedBy.set(tenant, expected);
              const got = { partner_id: decided.partner_id, as2_instance_id: decided.as2_instance_id, reason_code: decided.reason_code, ...('reason' in expected ? { reason: decided.reason } : {}) };
              if (JSON.stringify(got) !== JSON.stringify(expected)) found.push(`${form} as ${tenant}: resolve ${own.body.data.partnership_id} implies ${JSON.stringify(expected)}, decision ${JSON.stringify(decided)}`);
            } else {
              expect(own.status).toBe(404);
              if (decided.decision !== 'reject') {
                const instanceId = decided.as2_instance_id;
                const used = w.partnerships.filter((p) => p.tenant === tenant && p.instanceId === instanceId);
                if (used.length > 0) found.push(`${form} as ${tenant}: resolve 404, decision ${JSON.stringify(decided)} through an instance with ${tenant}'s partnerships ${used.map((p) => p.id).join(',')}`);
              }
            }
          }
          const wide = await decide(null, direction, from, to);
          if (resolvedBy.size === 1) {
            const [[tenant, expected]] = [...resolvedBy] as [[Tenant, ReturnType<typeof expectedFromResolve>]];
            const got = { partner_id: wide.partner_id, as2_instance_id: wide.as2_instance_id, reason_code: wide.reason_code, ...('reason' in expected ? { reason: wide.reason } : {}) };
            if (JSON.stringify(got) !== JSON.stringify(expected)) found.push(`${form} account-wide: only ${tenant} resolves, implies ${JSON.stringify(expected)}, decision ${JSON.stringify(wide)}`);
          } else if (resolvedBy.size > 1 && !(wide.decision === 'reject' && wide.reason_code === 'PARTNER_NOT_FOUND' && wide.partner_id === null)) {
            found.push(`${form} account-wide: both tenants resolve (${JSON.stringify([...resolvedBy])}), decision ${JSON.stringify(wide)}`);
          } else if (resolvedBy.size === 0 && wide.as2_instance_id !== null && wide.partner_id !== null) {
            // No partnership anywhere: an end of one tenant decides as that tenant's own gateway decides it.
            const owner = w.instances.find((i) => i.id === wide.as2_instance_id)?.tenant ?? w.partner(wide.partner_id)?.tenant ?? null;
            const mine = owner === null ? undefined : decidedBy.get(owner);
            if (mine !== undefined && JSON.stringify(mine) !== JSON.stringify(wide)) found.push(`${form} account-wide: no partnership, ${owner}'s end; ${owner} decides ${JSON.stringify(mine)}, account-wide ${JSON.stringify(wide)}`);
          }
        }
      }
    }
    return found;
  }

  // DIFF_SEEDS / DIFF_STEPS explore more or larger worlds locally; the defaults run in a few seconds.
  const seeds = Array.from({ length: Number(process.env['DIFF_SEEDS'] ?? 60) }, (_, k) => k + 1);
  it.each(seeds)('seed %i: the decision names the ends the registry resolves, with their tenant', async (seed) => {
    const w = await buildWorld(seed, Number(process.env['DIFF_STEPS'] ?? 30));
    worlds.push(w);
    const found = await compare(w);
    if (found.length > 0) console.log(`seed ${seed}\n${w.log.join('\n')}\n--\n${found.join('\n')}`);
    expect(found).toEqual([]);
  }, 30_000);

  it('after a restart (the directory refilled from its documents) every world still agrees', async () => {
    await t.close();
    t = await start();
    for (const w of worlds) {
      const found = await compare(w);
      if (found.length > 0) console.log(`after restart, ${w.account}\n${w.log.join('\n')}\n--\n${found.join('\n')}`);
      expect(found).toEqual([]);
    }
  }, 60_000);
});
