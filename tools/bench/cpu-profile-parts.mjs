#!/usr/bin/env node
// Where a CPU profile's busy samples go, by part of the app: each sample filed under the innermost frame of our code
// in its stack (its lib, or its file with PARTS=file), else under the leaf's package or node module; then the top
// functions by self time. For the `--cpu-prof` files of create-cpu.bench.mjs or bench:scale (SCALE_APP_NODE_ARGS).
// usage: node tools/bench/cpu-profile-parts.mjs <file.cpuprofile> [last seconds]   (PARTS=lib|file, TOP=40)
import { readFileSync } from 'node:fs';

const [file, lastSeconds] = process.argv.slice(2);
if (!file) throw new Error('usage: cpu-profile-parts.mjs <file.cpuprofile> [last seconds]');
const byFile = process.env.PARTS === 'file';
const top = Number(process.env.TOP ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parents = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
let at = profile.startTime;
const times = profile.timeDeltas.map((delta) => (at += delta));
const from = lastSeconds ? times.at(-1) - Number(lastSeconds) * 1e6 : Number.NEGATIVE_INFINITY;

const ours = /\/dist\/apps\/[^/]+\/((?:libs|apps)\/.*)\.js$/;
const partOf = (id) => {
  for (let current = id; current !== undefined; current = parents.get(current)) {
    const match = nodes.get(current).callFrame.url.match(ours);
    if (match) return byFile ? match[1] : match[1].split('/src/')[0];
  }
  const { url, functionName } = nodes.get(id).callFrame;
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  return `(not ours) ${pkg ? pkg[1] : url.startsWith('node:') ? url.split('/')[0] : functionName || url}`;
};
const nameOf = ({ callFrame: frame }) => `${frame.functionName || '(anonymous)'} ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber}`;

const parts = new Map();
const selfTimes = new Map();
let busy = 0;
profile.samples.forEach((id, i) => {
  const name = nodes.get(id).callFrame.functionName;
  if (times[i] < from || name === '(idle)' || name === '(program)') return;
  busy += 1;
  const part = partOf(id);
  parts.set(part, (parts.get(part) ?? 0) + 1);
  const self = nameOf(nodes.get(id));
  selfTimes.set(self, (selfTimes.get(self) ?? 0) + 1);
});
const print = (title, counts) => {
  process.stdout.write(`${title}\n`);
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${((100 * count) / busy).toFixed(1).padStart(6)} %  ${key}\n`);
};
process.stdout.write(`${busy} busy samples${lastSeconds ? ` in the last ${lastSeconds} s` : ''}\n`);
print(`by part (${byFile ? 'file' : 'lib'} of the innermost frame of ours)`, parts);
print('by function, self time', selfTimes);
