/**
 * The traffic directory's puts alone, as the refill after a restart makes them: 1,100,000 partners by default (100,000 in
 * a hub tenant, the rest 1,000 a tenant), their documents' JSON texts parsed in pages of 250, one page per turn. Prints
 * the CPU of the parses and of the puts, µs a partner, `ROUNDS` rounds (a new directory each).
 * usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/traffic-directory-put.bench.ts [partners=1100000]
 */
/* eslint-disable @nx/enforce-module-boundaries -- a benchmark of one domain class, outside the app's layers */
import { TrafficDirectory, type PartnerFacts } from '../../libs/traffic-control/domain/src/traffic-decision/traffic-directory';

const PARTNERS = Number(process.argv[2] ?? 1_100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const HUB = Math.min(100_000, PARTNERS);
const PAGE = 250;

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const idOf = (i: number): string => {
  let tail = '';
  for (let n = i * 7919 + 12345, k = 0; k < 10; k += 1, n = Math.floor(n / 32)) tail = crockford[n % 32] + tail;
  return `prt_01M8RGRFGS9MR70G${tail}`;
};
const bodies: string[] = [];
for (let i = 0; i < PARTNERS; i += 1) {
  const hub = i < HUB;
  const tenant = hub ? 'hub' : `tenant-${String(Math.floor((i - HUB) / 1000)).padStart(4, '0')}`;
  const id = idOf(i);
  const as2Id = hub ? `HUB-${String(i).padStart(7, '0')}` : `T${Math.floor((i - HUB) / 1000)}-P${(i - HUB) % 1000}`;
  bodies.push(JSON.stringify({ _id: id, partnerId: id, account: 'bench-account', tenant, as2Id, name: `Supplier ${i}`, active: i % 100 !== 7, deleted: i % 1000 === 999, stationId: null }));
}
bodies.sort();

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};

async function main(): Promise<void> {
  for (let round = 1; round <= ROUNDS; round += 1) {
    const directory = new TrafficDirectory();
    let parse = 0;
    let put = 0;
    const started = process.cpuUsage();
    for (let from = 0; from < bodies.length; from += PAGE) {
      let at = process.cpuUsage();
      const page = bodies.slice(from, from + PAGE).map((body) => JSON.parse(body) as PartnerFacts);
      parse += cpuMs(at);
      at = process.cpuUsage();
      for (const doc of page) directory.putPartner(doc);
      put += cpuMs(at);
      await turn();
    }
    const total = cpuMs(started);
    const us = (ms: number) => ((ms * 1000) / directory.partnerCount).toFixed(2);
    console.log(`round ${round}: ${directory.partnerCount} partners; CPU ${Math.round(total)} ms (${us(total)} µs a partner): parse ${us(parse)}, put ${us(put)} µs a partner`);
  }
}

void main();
