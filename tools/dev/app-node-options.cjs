'use strict';
// The Node options the embedded app runs with: `npm start` passes them (package.json's start script; a spec checks the
// two agree) and the benchmarks start the built app with them, so they measure what a user runs.
//
// --max-semi-space-size=64 (MiB; V8's default is 16): a young generation large enough that what a request allocates,
// and what the read side's text caches keep for a moment, dies there instead of being promoted. At 1,000,000 partners
// with the default, 50 connections of reads scavenged ~20 times a second (10–12 ms each, three quarters surviving) and
// ran a full collection every 1.5–2 s (43–97 ms pauses, 610 → 395 MB): two of four runs missed the 20 ms p99 goals
// (medians up to 38 ms). With 64 MiB: 3–10 scavenges a second, one full collection in the whole read phase, 1 of 12
// medians at 21 ms, the rest 7–11 (docs/benchmarks.md); RSS 802–836 MiB against 663–797.
// The Docker image's services (small heaps: their read models are in MongoDB) run with V8's default; the local
// distributed stack (distributed-local.mjs) starts each service with these, as npm start does.
module.exports = ['--max-semi-space-size=64'];
