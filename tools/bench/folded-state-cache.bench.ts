// The write model's cache of folded states, full (20,000 streams, its default bound) as it is after a few thousand
// creates: each create reads its tenant's stream twice and its directory once, then caches its new partner's stream,
// evicting the least recently used. Timed beside a plain Map's get and set of the same keys (the anchor), alternating,
// and printed as a ratio (cache time / anchor time; min / median / max over the rounds).
// usage: SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register tools/bench/folded-state-cache.bench.ts [rounds] [creates per round]
import { DEFAULT_MAX_CACHED_STREAMS, FoldedStateCache } from '@as2-partners/kernel';

const [rounds = 7, creates = 100_000] = process.argv.slice(2).map(Number);
const decider = {};
const hot = ['tenant-acc.hub', 'partner_directory-acc.hub'];

function timeCache(): number {
  const cache = new FoldedStateCache();
  for (let i = 0; i < DEFAULT_MAX_CACHED_STREAMS; i++) cache.set(`partner-${i}`, { decider, state: i, revision: 0 });
  for (const stream of hot) cache.set(stream, { decider, state: 0, revision: 0 });
  const started = process.hrtime.bigint();
  for (let i = 0; i < creates; i++) {
    cache.get(hot[0] as string, decider);
    cache.get(hot[1] as string, decider);
    cache.get(hot[0] as string, decider);
    cache.set(`partner-new-${i}`, { decider, state: i, revision: 0 });
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function timeAnchor(): number {
  const map = new Map<string, unknown>();
  for (let i = 0; i < DEFAULT_MAX_CACHED_STREAMS; i++) map.set(`partner-${i}`, i);
  for (const stream of hot) map.set(stream, 0);
  const started = process.hrtime.bigint();
  for (let i = 0; i < creates; i++) {
    map.get(hot[0] as string);
    map.get(hot[1] as string);
    map.get(hot[0] as string);
    map.set(`partner-new-${i}`, i);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const cacheMs = timeCache();
  const anchorMs = timeAnchor();
  ratios.push(cacheMs / anchorMs);
  console.log(`round ${r + 1}: cache ${cacheMs.toFixed(1)} ms (${((cacheMs * 1000) / creates).toFixed(2)} µs per create), plain Map ${anchorMs.toFixed(1)} ms`);
}
ratios.sort((a, b) => a - b);
const at = (q: number) => (ratios[Math.min(ratios.length - 1, Math.floor(q * ratios.length))] as number).toFixed(1);
console.log(`cache vs plain Map (×), min / median / max: ${at(0)} / ${at(0.5)} / ${at(1)}`);
