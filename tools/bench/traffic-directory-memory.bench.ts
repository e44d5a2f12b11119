/**
 * Bytes per partner of traffic-control's in-memory TrafficDirectory, and the speed of a loop of decisions over it.
 * Run: SWC_NODE_PROJECT=tsconfig.base.json node --expose-gc -r @swc-node/register tools/bench/traffic-directory-memory.bench.ts [partners] [documents]
 * `documents`: each partner put as a parsed read-model document (`_id`, its own account and tenant strings), as the
 * service's start loads them.
 * Shape of tools/bench/traffic.bench.ts: one account, 100 tenants, a tenant instance each, partners `PARTNER-<n>`.
 */
import { TrafficDirectory } from '@as2-partners/traffic-control-domain';
import { settledHeapBytes } from './settled-heap';

const PARTNERS = Number(process.argv[2] ?? 100_000);
const DOCUMENTS = process.argv[3] === 'documents';
const TENANTS = 100;
const DECISIONS = 100_000;
const account = 'acc_bench';
const tenantOf = (p: number) => `ten_${p % TENANTS}`;
const partnerId = (p: number) => `par_${String(p).padStart(26, '0')}`;


const before = settledHeapBytes();
const directory = new TrafficDirectory();
for (let k = 0; k < TENANTS; k += 1) directory.putInstance({ instanceId: `ins_${k}`, account, tenant: tenantOf(k), myAs2Id: `US-${k}`, status: 'on' });
for (let p = 0; p < PARTNERS; p += 1) {
  const facts = { partnerId: partnerId(p), account, tenant: tenantOf(p), as2Id: `PARTNER-${p}`, name: `Partner ${p}`, active: true, deleted: false, stationId: null };
  directory.putPartner(DOCUMENTS ? JSON.parse(JSON.stringify({ _id: facts.partnerId, ...facts })) : facts);
}
const after = settledHeapBytes();
console.log(`partners ${PARTNERS}${DOCUMENTS ? ' (parsed documents)' : ''}: heap ${((after - before) / 2 ** 20).toFixed(1)} MiB, ${Math.round((after - before) / PARTNERS)} bytes per partner`);

// Hits (accept), plus one in 10 an unknown partner whose near miss is found (the "did you mean" path).
const rounds = 5;
const times: number[] = [];
let sink = 0;
for (let r = 0; r < rounds; r += 1) {
  const start = process.cpuUsage();
  for (let i = 0; i < DECISIONS; i += 1) {
    const p = (i * 7919) % PARTNERS;
    const theirs = i % 10 === 0 ? `partner-${p}` : `PARTNER-${p}`;
    sink += directory.decide(account, null, 'inbound', theirs, `US-${p % TENANTS}`, 0).reason.length;
  }
  const used = process.cpuUsage(start);
  times.push((used.user + used.system) / DECISIONS);
}
times.sort((a, b) => a - b);
console.log(`${DECISIONS} decisions x ${rounds}: CPU µs per decision min ${times[0]?.toFixed(2)} / median ${times[2]?.toFixed(2)} / max ${times[4]?.toFixed(2)} (sink ${sink})`);
