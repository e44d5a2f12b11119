#!/usr/bin/env node
// What a CPU profile's app did during each load run of `SCALE_ONLY=reads` (tools/bench/scale.bench.ts writes the runs'
// monotonic-clock windows to <data dir>/read-runs.json; `--cpu-prof` profiles use the same clock): per run, and per
// slice of it (SLICE_MS, 500 by default), the busy ms, the garbage collector's ms, and the top functions by self time
// (TOP, 6) with the innermost frame of the app's own code (libs/apps) in their stack.
// usage: node tools/bench/cpu-profile-windows.mjs <file.cpuprofile> <read-runs.json> [run label, e.g. "page 1"]
import { readFileSync } from 'node:fs';

const [file, windowsFile, only] = process.argv.slice(2);
if (!file || !windowsFile) throw new Error('usage: cpu-profile-windows.mjs <file.cpuprofile> <read-runs.json> [run label]');
const sliceMs = Number(process.env.SLICE_MS ?? 500);
const top = Number(process.env.TOP ?? 6);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const runs = JSON.parse(readFileSync(windowsFile, 'utf8')).filter((run) => !only || run.run === only);
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
let at = profile.startTime;
const times = profile.timeDeltas.map((delta) => (at += delta));
const deltas = profile.timeDeltas.slice(1).concat([0]);

const ours = /\/((?:libs|apps)\/[^/]+(?:\/[^/]+)?)\/src\/(.*)\.js$/;
const ourFrame = (id) => {
  for (let current = id; current !== undefined; current = parents.get(current)) {
    const frame = nodes.get(current).callFrame;
    const match = frame.url.match(ours);
    if (match) return `${frame.functionName || '(anonymous)'} ${match[2].split('/').at(-1)}`;
  }
  return '-';
};
const leaf = (id) => {
  const { functionName, url, lineNumber } = nodes.get(id).callFrame;
  return `${functionName || '(anonymous)'} ${url.split('/').slice(-1)[0]}:${lineNumber}`;
};

function summary(fromUs, toUs) {
  let busy = 0;
  let gc = 0;
  const byFunction = new Map();
  for (let i = 0; i < times.length; i++) {
    if (times[i] < fromUs || times[i] >= toUs) continue;
    const id = profile.samples[i];
    const name = nodes.get(id).callFrame.functionName;
    if (name === '(idle)' || name === '(program)') continue;
    const us = deltas[i];
    busy += us;
    if (name === '(garbage collector)') gc += us;
    const key = `${leaf(id)}  <  ${ourFrame(id)}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  }
  const topOnes = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top).map(([key, us]) => `${(us / 1000).toFixed(0)} ms ${key}`);
  return { busy: busy / 1000, gc: gc / 1000, topOnes };
}

for (const run of runs) {
  const whole = summary(run.fromUs, run.toUs);
  process.stdout.write(`round ${run.round} ${run.run}: ${((run.toUs - run.fromUs) / 1000).toFixed(0)} ms, busy ${whole.busy.toFixed(0)} ms, gc ${whole.gc.toFixed(0)} ms\n`);
  for (let from = run.fromUs; from < run.toUs; from += sliceMs * 1000) {
    const part = summary(from, Math.min(from + sliceMs * 1000, run.toUs));
    process.stdout.write(`  +${((from - run.fromUs) / 1000).toFixed(0).padStart(5)} ms: busy ${part.busy.toFixed(0).padStart(4)} ms, gc ${part.gc.toFixed(0).padStart(3)} ms | ${part.topOnes.slice(0, 3).join(' | ')}\n`);
  }
}
