#!/usr/bin/env node
// What the first create after a restart spends that the next ones do not, averaged over several profiled restarts: for
// each directory (one `--cpu-prof` file and the `WINDOWS_FILE` of restart.bench.mjs, windows "create 0" … "create 5"),
// the busy ms of each window filed under the innermost frame of our code (file:function), else the package or the
// V8 state; then, averaged over the directories, the first create's ms against the mean of the next five, largest
// difference first. One profile is too noisy for this (a single sample can stand for several ms): use five or more.
// usage: node tools/bench/cpu-profile-first-vs-next.mjs <dir> <dir> ...   (TOP=40)
// e.g.  for i in 1 2 3 4 5; do mkdir -p /tmp/cold$i; APP_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/cold$i --cpu-prof-interval=100" \
//         WINDOWS_FILE=/tmp/cold$i/windows.json CREATE_AFTER_MS=5000 CREATE_FIRST=1 node tools/bench/restart.bench.mjs <app> <data>; done
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dirs = process.argv.slice(2);
if (dirs.length === 0) throw new Error('usage: cpu-profile-first-vs-next.mjs <dir holding a .cpuprofile and a windows .json> ...');
const top = Number(process.env.TOP ?? 40);
const ours = /\/(?:libs|apps)\/.*?\/src\/(.*)\.js$/;

/** Busy ms per part in each window of one profile. */
function windowsOf(dir) {
  const files = readdirSync(dir);
  const profile = JSON.parse(readFileSync(join(dir, files.find((f) => f.endsWith('.cpuprofile'))), 'utf8'));
  const windows = JSON.parse(readFileSync(join(dir, files.find((f) => f.endsWith('.json'))), 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  let at = profile.startTime;
  const times = profile.timeDeltas.map((delta) => (at += delta));
  const parts = new Map();
  const partOf = (id) => {
    if (parts.has(id)) return parts.get(id);
    let part = null;
    for (let current = id; current !== undefined && part === null; current = parents.get(current)) {
      const frame = nodes.get(current).callFrame;
      const match = frame.url.match(ours);
      if (match) part = `${match[1].split('/').at(-1)}:${frame.functionName || '(anonymous)'}`;
    }
    if (part === null) {
      const leaf = nodes.get(id).callFrame;
      part = leaf.functionName.startsWith('(') ? leaf.functionName : `~${leaf.url.split('node_modules/').at(-1).split('/')[0] || leaf.url || leaf.functionName}`;
    }
    parts.set(id, part);
    return part;
  };
  const busy = (label) => {
    const window = windows.find((w) => w.run === label);
    if (!window) throw new Error(`${dir}: no window "${label}"`);
    const ms = new Map();
    for (let i = 0; i < profile.samples.length - 1; i++) {
      if (times[i] < window.fromUs || times[i] > window.toUs) continue;
      const part = partOf(profile.samples[i]);
      if (part === '(idle)') continue;
      ms.set(part, (ms.get(part) ?? 0) + (times[i + 1] - times[i]) / 1000);
    }
    return ms;
  };
  return { first: busy('create 0'), next: [1, 2, 3, 4, 5].map((n) => busy(`create ${n}`)) };
}

const totals = new Map();
for (const dir of dirs) {
  const { first, next } = windowsOf(dir);
  for (const part of new Set([...first.keys(), ...next.flatMap((ms) => [...ms.keys()])])) {
    const sum = totals.get(part) ?? { first: 0, next: 0 };
    sum.first += first.get(part) ?? 0;
    sum.next += next.reduce((s, ms) => s + (ms.get(part) ?? 0), 0) / next.length;
    totals.set(part, sum);
  }
}
const rows = [...totals].map(([part, { first, next }]) => ({ part, first: first / dirs.length, next: next / dirs.length })).sort((a, b) => b.first - b.next - (a.first - a.next));
const sum = (key) => rows.reduce((s, row) => s + row[key], 0);
console.log(`${dirs.length} restarts: busy ms in the first create ${sum('first').toFixed(1)}, in a next one ${sum('next').toFixed(1)} (profiled, so slower than unprofiled)`);
console.log(`${'first - next'.padStart(12)}${'first'.padStart(8)}${'next'.padStart(8)}  part`);
for (const row of rows.slice(0, top)) console.log(`${(row.first - row.next).toFixed(2).padStart(12)}${row.first.toFixed(2).padStart(8)}${row.next.toFixed(2).padStart(8)}  ${row.part}`);
