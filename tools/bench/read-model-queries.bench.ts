/**
 * Read-model query benchmark, embedded store in process (no HTTP): seeds partner views straight into the store
 * (TENANT_PARTNERS in one tenant, OTHER_TENANTS × PER_TENANT beside it) and times the partner list's queries:
 * page 1, a deep page, `active=false`, a selective search, a search matching the whole tenant, a get by id.
 *
 *   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/read-model-queries.bench.ts
 *   (TENANT_PARTNERS=100000 OTHER_TENANTS=100 PER_TENANT=100 ROUNDS=200 DEEP_PAGE=5000
 *   BROAD_SEARCH=partner to change the load; DATA_FILE=<path> to seed a file once and reuse it in later runs, which
 *   then read it as seeded, so two builds of the store compare on the same file; ONLY=search to run the cases whose
 *   name holds the text; SEED_PER_TURN=10 to seed one document a write, committed every 10, as creates write them,
 *   rather than 1,000 a write; STORE_BUILD=dist/base-all-in-one to run the store of that build)
 * Each case prints p50/p99 of its rounds and the process's CPU µs per query.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as storeSource from '../../libs/read-model-embedded/src';
import * as querySource from '../../libs/partner-registry/service/src/queries/partner-views/partner-list.query';
import type { PartnerListCriteria } from '../../libs/partner-registry/service/src/queries/partner-views/partner-list.query';

// STORE_BUILD=<an all-in-one build>: the store and the list's query from that build (two builds compared on one seeding)
const storeBuild = process.env['STORE_BUILD'] === undefined ? undefined : resolve(process.env['STORE_BUILD']);
const { EmbeddedReadModelStore } = (storeBuild ? require(join(storeBuild, 'libs/read-model-embedded/src/index.js')) : storeSource) as typeof storeSource;
const { PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH, partnerListQuery } = (
  storeBuild ? require(join(storeBuild, 'libs/partner-registry/service/src/queries/partner-views/partner-list.query.js')) : querySource
) as typeof querySource;

const tenantPartners = Number(process.env['TENANT_PARTNERS'] ?? 100_000);
const otherTenants = Number(process.env['OTHER_TENANTS'] ?? 100);
const perTenant = Number(process.env['PER_TENANT'] ?? 100);
const rounds = Number(process.env['ROUNDS'] ?? 200);
const seedPerTurn = Number(process.env['SEED_PER_TURN'] ?? 0);
const account = 'bench-account';

function view(tenant: string, i: number): Record<string, unknown> & { _id: string } {
  const partnerId = `prt_${tenant}_${String(i).padStart(7, '0')}`;
  return {
    _id: `${account}|${tenant}|${partnerId}`,
    account,
    tenant,
    partnerId,
    type: 'tenant',
    typeOrder: 0,
    masterPartnerId: null,
    as2Id: `AS2-${tenant.toUpperCase()}-${i}`,
    settings: { name: `Partner ${i} of ${tenant} Trading`, active: i % 10 !== 0, email: `ops${i}@example.com`, url: `https://p${i}.example.com/as2` },
    overrides: null,
    hasOverrides: false,
    createdAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
    updatedAt: new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString(),
  };
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return `p50 ${at(0.5).toFixed(3)} ms  p99 ${at(0.99).toFixed(3)} ms`;
}

async function main(): Promise<void> {
  const dataFile = process.env['DATA_FILE'];
  const dir = dataFile ? undefined : mkdtempSync(join(tmpdir(), 'read-model-bench-'));
  const file = dataFile ?? join(dir!, 'read-models.sqlite');
  const reused = existsSync(file);
  const store = await EmbeddedReadModelStore.open(file);
  try {
    const views = store.collection('partner_registry_partner_views', PARTNER_VIEW_INDEXES, PARTNER_VIEW_SEARCH);
    let started = performance.now();
    if (reused) {
      console.log(`reusing ${file} as seeded`);
    } else if (seedPerTurn > 0) {
      // one write a document, a commit every SEED_PER_TURN of them (as creates write their views)
      const turnEnd = (): Promise<void> => new Promise((r) => setImmediate(r));
      const owners: [string, number][] = [['hub', tenantPartners], ...Array.from({ length: otherTenants }, (_, t): [string, number] => [`t${t}`, perTenant])];
      let written = 0;
      for (const [owner, count] of owners) {
        for (let i = 0; i < count; i += 1) {
          await views.put(view(owner, i));
          if (++written % seedPerTurn === 0) await turnEnd();
        }
      }
      await turnEnd();
      console.log(`seeded ${written} views one at a time, ${seedPerTurn} a commit, in ${((performance.now() - started) / 1000).toFixed(1)} s; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    } else {
      for (let i = 0; i < tenantPartners; i += 1000) {
        await views.putMany(Array.from({ length: Math.min(1000, tenantPartners - i) }, (_, k) => view('hub', i + k)));
      }
      for (let t = 0; t < otherTenants; t += 1) {
        await views.putMany(Array.from({ length: perTenant }, (_, k) => view(`t${t}`, k)));
      }
      const seeded = tenantPartners + otherTenants * perTenant;
      console.log(`seeded ${seeded} views in ${((performance.now() - started) / 1000).toFixed(1)} s; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    }
    const random = (): number => Math.floor(Math.random() * tenantPartners);
    const base: PartnerListCriteria = { account, tenant: 'hub', page: 1, perPage: 20 };
    const deepPage = Number(process.env['DEEP_PAGE'] ?? Math.max(1, Math.floor(tenantPartners / 20 / 2)));
    const cases: [string, () => Promise<unknown>][] = [
      ['list page 1', () => views.find(partnerListQuery(base))],
      [`list page ${deepPage}`, () => views.find(partnerListQuery({ ...base, page: deepPage }))],
      ['active=false page 1', () => views.find(partnerListQuery({ ...base, active: false }))],
      ['search (selective)', () => views.find(partnerListQuery({ ...base, search: `hub-${Math.floor(tenantPartners / 3)}` }))],
      // a different term each query, as the read-path benchmark sends (the AS2 id's text, any case)
      ['search (selective, varied)', () => views.find(partnerListQuery({ ...base, search: `as2-hub-${random()}` }))],
      ['search (non-selective)', () => views.find(partnerListQuery({ ...base, search: process.env['BROAD_SEARCH'] ?? 'partner' }))],
      ['get by id', () => views.get(`${account}|hub|prt_hub_${String(Math.floor(tenantPartners / 2)).padStart(7, '0')}`)],
    ];
    const only = process.env['ONLY'];
    for (const [name, run] of cases) {
      if (only && !name.includes(only)) continue;
      const samples: number[] = [];
      const cpu = process.cpuUsage();
      for (let r = 0; r < rounds; r += 1) {
        started = performance.now();
        await run();
        samples.push(performance.now() - started);
      }
      const used = process.cpuUsage(cpu);
      console.log(`${name.padEnd(26)} ${stats(samples)}  cpu ${((used.user + used.system) / rounds).toFixed(0)} µs`);
    }
    const page = (await views.find(partnerListQuery({ ...base, search: `hub-${Math.floor(tenantPartners / 3)}` }))) as { total: number };
    console.log(`search total ${page.total}; rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    await store.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

void main();
