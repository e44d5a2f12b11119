'use strict';
// The Node options the embedded app runs with: `npm start` passes them (package.json's start script; a spec checks the
// two agree) and the benchmarks start the built app with them, so they measure what a user runs.
//
// --max-semi-space-size=64 (MiB; V8's default is 16): a young generation large enough that what a request allocates,
// and what the read side's text caches keep for a moment, dies there instead of being promoted. At 1,000,000 partners
// with the default, 50 connections of reads scavenged ~20 times a second (10–12 ms each, three quarters surviving) and
// ran a full collection every 1.5–2 s (43–97 ms pauses, 610 → 395 MB): the p99 of every read above 20 ms. With 64 MiB:
// ~5 scavenges a second, one full collection in the whole read phase, every p99 under 20 ms (docs/benchmarks.md).
// Distributed services (small heaps: their read models are in MongoDB) run with V8's default.
module.exports = ['--max-semi-space-size=64'];
