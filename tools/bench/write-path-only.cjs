// Preload for create-cpu.bench.mjs: the built app with its read side idle once the first write is answered, to measure
// what the write path alone answers (HTTP, validation, the decision, the durable append) as if the read side ran on
// another thread. Once a write's read-your-writes wait is asked for, it returns at once and the event store's
// subscriptions read nothing more, so no follower, relay or consumer runs. Benchmarks only: the app then answers
// creates its views never show.
//   CREATE_NODE_ARGS_<label>="-r ./tools/bench/write-path-only.cjs" node tools/bench/create-cpu.bench.mjs <seed> app=. <label>=.
const Module = require('node:module');

const PATCHES = [
  // WriteVisibility.reach: no wait, and from now on the read side is idle.
  ['WriteVisibility', 'reach', () => async () => {
    globalThis.writePathOnly = true;
  }],
  // SqliteEventStore.nextForSubscription: nothing more to read once the read side is idle.
  ['SqliteEventStore', 'nextForSubscription', (next) => function idle(...args) {
    return globalThis.writePathOnly ? [] : next.apply(this, args);
  }],
];
const patched = new Set();

const load = Module._load;
Module._load = function loadAndPatch(...args) {
  const exported = load.apply(this, args);
  for (const [className, method, replace] of PATCHES) {
    const prototype = exported?.[className]?.prototype;
    if (!prototype?.[method] || patched.has(prototype)) continue;
    prototype[method] = replace(prototype[method]);
    patched.add(prototype);
  }
  return exported;
};
process.once('SIGTERM', () => {
  if (patched.size < PATCHES.length) process.stderr.write(`write-path-only.cjs: patched ${patched.size} of ${PATCHES.length} (WriteVisibility.reach, SqliteEventStore.nextForSubscription): the build changed\n`);
});
