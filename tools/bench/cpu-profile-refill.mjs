#!/usr/bin/env node
// The traffic directory's refill in an app's `--cpu-prof` profile: the main thread's sample time (each sample's time
// delta) whose stack holds RegistryFactsConsumer's `load` or `pagesOf`, by leaf function; beside it the partner details
// walk (kept texts) and the whole profile's GC (GC samples have no stack, so none is the refill's).
// usage: node tools/bench/cpu-profile-refill.mjs <file.cpuprofile>
import { readFileSync } from 'node:fs';
const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parents = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parents.set(c, n.id);
const counts = new Map();
profile.samples.forEach((s, i) => counts.set(s, (counts.get(s) ?? 0) + (profile.timeDeltas[i + 1] ?? 0) / 1000));
let refill = 0, gc = 0, walk = 0, idle = 0, busy = 0;
const leaves = new Map();
for (const [id, n] of counts) {
  const leaf = nodes.get(id).callFrame;
  if (leaf.functionName === '(idle)' || leaf.functionName === '(program)') { idle += n; continue; }
  busy += n;
  if (leaf.functionName === '(garbage collector)') { gc += n; continue; }
  let inRefill = false, inWalk = false;
  for (let c = id; c !== undefined; c = parents.get(c)) {
    const f = nodes.get(c).callFrame;
    if (f.url.includes('registry-facts.consumer') && (f.functionName === 'load' || f.functionName === 'pagesOf')) inRefill = true;
    if (f.url.includes('embedded-kept-texts') || f.url.includes('partner-details')) inWalk = true;
  }
  if (inRefill) { refill += n; const k = `${leaf.functionName} ${leaf.url.split('/').pop()}`; leaves.set(k, (leaves.get(k) ?? 0) + n); }
  else if (inWalk) walk += n;
}
const ms = (n) => Math.round(n);
console.log(`busy ${ms(busy)} ms; refill stacks ${ms(refill)} ms; details walk ${ms(walk)} ms; GC (all) ${ms(gc)} ms`);
for (const [k, n] of [...leaves].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`  ${ms(n)} ms  ${k}`);
