// Preload for create-cpu.bench.mjs: the built app answering each write once it is durable, without waiting for its
// views (read-your-writes off the answer); the read side still runs in the same process, as in the app. It measures
// what the wait costs a create's answer when the read side's work stays on the event loop. Benchmarks only: the app
// then answers writes its views may not show yet.
//   CREATE_NODE_ARGS_<label>="-r $PWD/tools/bench/answer-before-views.cjs" node tools/bench/create-cpu.bench.mjs <seed> app=. <label>=.
const { patchBuiltClasses } = require('./patch-built-classes.cjs');

patchBuiltClasses('answer-before-views.cjs', [
  // WriteVisibility.reach: no wait; the followers, relays and consumers go on as before.
  ['WriteVisibility', 'prototype', 'reach', () => async () => {}],
]);
