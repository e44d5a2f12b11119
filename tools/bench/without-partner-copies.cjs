// Preload for create-cpu.bench.mjs: the built app without the other services' copies of a partner. The consumers that
// keep them (traffic-control's RegistryFactsConsumer, certificate-lifecycle's KnownPartnersConsumer, connection-tester's
// TestedPartnersConsumer) accept no event, so a create writes its partner view alone. It measures what those three
// copies cost a create. Benchmarks only: traffic decisions, certificate checks and connection tests of the partners
// created then know nothing of them.
//   CREATE_NODE_ARGS_<label>="-r $PWD/tools/bench/without-partner-copies.cjs" node tools/bench/create-cpu.bench.mjs <seed> app=. <label>=.
const { patchBuiltClasses } = require('./patch-built-classes.cjs');

patchBuiltClasses(
  'without-partner-copies.cjs',
  ['RegistryFactsConsumer', 'KnownPartnersConsumer', 'TestedPartnersConsumer'].map((className) => [className, 'prototype', 'accepts', () => () => false]),
);
