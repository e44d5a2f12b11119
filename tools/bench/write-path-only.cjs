// Preload for create-cpu.bench.mjs: the built app with its read side idle once the first write is answered, to measure
// what the write path alone answers (HTTP, validation, the decision, the durable append) as if the read side ran on
// another thread. Once a write's read-your-writes wait is asked for, it returns at once and the event store's
// subscriptions read nothing more, so no follower, relay or consumer runs. Benchmarks only: the app then answers
// creates its views never show.
//   CREATE_NODE_ARGS_<label>="-r ./tools/bench/write-path-only.cjs" node tools/bench/create-cpu.bench.mjs <seed> app=. <label>=.
const { patchBuiltClasses } = require('./patch-built-classes.cjs');

patchBuiltClasses('write-path-only.cjs', [
  // WriteVisibility.reach: no wait, and from now on the read side is idle.
  ['WriteVisibility', 'prototype', 'reach', () => async () => {
    globalThis.writePathOnly = true;
  }],
  // SqliteEventStore.nextForSubscription: nothing more to read once the read side is idle.
  ['SqliteEventStore', 'prototype', 'nextForSubscription', (next) => function idle(...args) {
    return globalThis.writePathOnly ? [] : next.apply(this, args);
  }],
]);
