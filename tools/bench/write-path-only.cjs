// Preload for create-cpu.bench.mjs: the built app with its read side idle once the first write is answered, to measure
// what the write path alone answers (HTTP, validation, the decision, the durable append) as if the read side ran on
// another thread. Once a write's read-your-writes wait is asked for, it returns at once and the event store's
// subscriptions read nothing more, so no follower, relay or consumer runs. Benchmarks only: the app then answers
// creates its views never show.
//   CREATE_NODE_ARGS_<label>="-r ./tools/bench/write-path-only.cjs" node tools/bench/create-cpu.bench.mjs <seed> app=. <label>=.
const Module = require('node:module');

const load = Module._load;
let patched = 0;
Module._load = function loadAndPatch(...args) {
  const exported = load.apply(this, args);
  if (exported?.WriteVisibility?.prototype?.reach && !exported.WriteVisibility.prototype.reach.writePathOnly) {
    const writePathOnly = async () => {
      globalThis.writePathOnly = true;
    };
    writePathOnly.writePathOnly = true;
    exported.WriteVisibility.prototype.reach = writePathOnly;
    patched += 1;
  }
  const store = exported?.SqliteEventStore?.prototype;
  if (store?.nextForSubscription && !store.nextForSubscription.writePathOnly) {
    const next = store.nextForSubscription;
    const idle = function (...nextArgs) {
      return globalThis.writePathOnly ? [] : next.apply(this, nextArgs);
    };
    idle.writePathOnly = true;
    store.nextForSubscription = idle;
    patched += 1;
  }
  return exported;
};
process.once('SIGTERM', () => {
  if (patched < 2) process.stderr.write(`write-path-only.cjs: patched ${patched} of 2 (WriteVisibility.reach, SqliteEventStore.nextForSubscription): the build changed\n`);
});
